"""HTTP plumbing: request parsing, the proxy-style token check, ComfyUI's Origin check,
routing (every route bare and under /api), one log line per request, and
aiohttp-like error answers."""
import errno
import hmac
import ipaddress
import json
import re
import socket
import sys
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import faults

# W3C trace context: the trace id of the client's traceparent goes on the request's log line, so a caller's trace can
# be followed into the stand-in (the rest of the header, like every other header, is not logged).
TRACEPARENT = re.compile(r"^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$")


class Reply:
    def __init__(self, status, body=b"", content_type=None, headers=(), close=False):
        self.status = status
        self.body = body
        self.content_type = content_type
        self.headers = list(headers)
        self.close = close


def json_reply(obj, status=200):
    # aiohttp's json_response uses json.dumps defaults, so the bytes match the real server.
    return Reply(status, json.dumps(obj).encode(), "application/json; charset=utf-8")


def empty(status=200):
    return Reply(status)


class Request:
    def __init__(self, handler, method, path, query, params):
        self.handler = handler
        self.method = method
        self.path = path
        self.query = query
        self.params = params
        self.headers = handler.headers
        self._body = None

    def body(self):
        if self._body is None:
            self._body = self.handler.read_body()
        return self._body


def _is_loopback(hostname):
    if not hostname:
        return False
    if hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(hostname).is_loopback
    except ValueError:
        pass
    try:
        return all(ipaddress.ip_address(info[4][0]).is_loopback for info in socket.getaddrinfo(hostname, None))
    except (OSError, ValueError):
        return False


def origin_forbidden(headers):
    """ComfyUI's origin_only_middleware: a loopback Host with a different Origin gets 403."""
    host, origin = headers.get("Host"), headers.get("Origin")
    if host is None or origin is None:
        return False
    host_domain = host.lower()
    parsed = urllib.parse.urlparse(origin)
    origin_domain = parsed.netloc.lower()
    host_parsed = urllib.parse.urlsplit("//" + host_domain)
    loopback = _is_loopback(host_parsed.hostname)
    if parsed.port is None:  # compare without ports when one side has none, like ComfyUI
        host_domain = host_parsed.hostname
    if host_parsed.port is None:
        origin_domain = parsed.hostname
    return bool(loopback and host_domain and origin_domain and host_domain != origin_domain)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as clients expect from aiohttp
    server_version = "comfyui-standin"
    sys_version = ""

    def log_message(self, format, *args):
        pass  # one line per request is written by _log instead

    def _log(self, status):
        path = urllib.parse.urlsplit(self.path).path  # never the query string: it may carry ?token=
        trace = TRACEPARENT.match(self.headers.get("traceparent", "").strip())
        print(f"{time.strftime('%H:%M:%S')} {self.command} {path} {status}" + (f" trace={trace.group(1)}" if trace else ""),
              file=sys.stderr, flush=True)

    def read_body(self):
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            parts = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass  # trailers
                    return b"".join(parts)
                parts.append(self.rfile.read(size))
                self.rfile.readline()
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_reply(self, reply):
        self.send_response(reply.status)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        for name, value in reply.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.close:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(reply.body)
        self._log(reply.status)

    def _authorized(self, query):
        token = self.server.app.cfg.token
        if not token:
            return True
        auth = self.headers.get("Authorization", "")
        offered = auth[7:] if auth.startswith("Bearer ") else query.get("token", "")
        return hmac.compare_digest(offered.encode(), token.encode())

    def _handle(self):
        split = urllib.parse.urlsplit(self.path)
        query = {k: v[0] for k, v in urllib.parse.parse_qs(split.query, keep_blank_values=True).items()}
        request = None
        try:
            if not self._authorized(query):
                reply = Reply(401, b"401 Unauthorized\n", "text/plain; charset=utf-8",
                              [("WWW-Authenticate", 'Bearer realm="comfyui"')])
            elif origin_forbidden(self.headers):
                reply = empty(403)
            elif self.command == "OPTIONS":
                reply = empty(200)
            else:
                path = urllib.parse.unquote(split.path)
                if path == "/api" or path.startswith("/api/"):
                    path = path[4:] or "/"
                handler, params, allowed = self.server.app.route(self.command, path)
                if handler is None:
                    reply = Reply(405, b"405: Method Not Allowed", "text/plain; charset=utf-8") if allowed \
                        else empty(404)
                else:
                    request = Request(self, self.command, path, query, params)
                    reply = handler(request)
                    if reply is None:  # the connection was taken over (WebSocket)
                        self.close_connection = True
                        return
        except Exception as ex:
            print(f"standin: {self.command} {split.path} failed: {type(ex).__name__}: {ex}", file=sys.stderr)
            body, content_type = faults.server_error_page(self.headers.get("Accept"))
            reply = Reply(500, body, content_type, close=True)
        if not reply.close and (request is None or request._body is None):
            self.read_body()  # keep the connection in sync when a body was not needed
        self.send_reply(reply)

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_HEAD = _handle


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True  # the respawned server binds the port of the crashed one at once


class Server6(Server):
    address_family = socket.AF_INET6


def bind(host, port, app, seconds=5.0):
    """Bind, retrying briefly while the port is still held (e.g. by a process that just died)."""
    server_class = Server6 if ":" in host else Server
    deadline = time.monotonic() + seconds
    while True:
        try:
            httpd = server_class((host, port), Handler)
            httpd.app = app
            return httpd
        except OSError as ex:
            if ex.errno != errno.EADDRINUSE or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def compile_routes(table):
    """[(method, "/path/{name}", fn)] -> matcher used by Handler."""
    compiled = [(method, re.compile("^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern) + "$"), fn)
                for method, pattern, fn in table]

    def route(method, path):
        method = "GET" if method == "HEAD" else method  # like aiohttp, every GET route answers HEAD
        allowed = False
        for m, regex, fn in compiled:
            match = regex.match(path)
            if match:
                if m == method:
                    return fn, match.groupdict(), True
                allowed = True
        return None, None, allowed
    return route
