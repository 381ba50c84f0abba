"""Bodies of broken answers: aiohttp's default 500 page and the StandInGarbage modes."""
import os

_500_TEXT = "500 Internal Server Error\n\nServer got itself in trouble"
_500_HTML = ("<html><head><title>500 Internal Server Error</title></head><body>"
             "<h1>500 Internal Server Error</h1>Server got itself in trouble</body></html>")

# What a login page or captive portal in front of ComfyUI might answer.
_PROXY_PAGE = ("<!DOCTYPE html>\n<html><head><title>Sign in</title></head>\n"
               "<body><h1>Sign in to continue</h1><form method=\"post\" action=\"/login\">"
               "<input name=\"user\"><input name=\"password\" type=\"password\"><button>Sign in</button></form>"
               "</body></html>\n")


def server_error_page(accept):
    """aiohttp's answer when a handler raises: HTML if the client accepts it, else plain text."""
    if "text/html" in (accept or ""):
        return _500_HTML.encode(), "text/html; charset=utf-8"
    return _500_TEXT.encode(), "text/plain; charset=utf-8"


def html_page():
    return _PROXY_PAGE.encode(), "text/html; charset=utf-8"


def random_bytes():
    return os.urandom(64) + b"\x00\xff\xfe" + os.urandom(61), "application/octet-stream"


def cut_in_half(body):
    """The first half of a JSON body (never valid JSON, since the closing brace is lost)."""
    return body[:max(1, len(body) // 2)]
