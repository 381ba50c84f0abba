"""Structured log entries from a tool to its job's log (standard library only).

    import joblogs
    joblogs.info("resized images", count=12, size="512x512")
    joblogs.warning("skipped a file", file="a.png")
    try:
        ...
    except Exception:
        joblogs.exception("could not read the input")   # adds the traceback to data.exception

Each call writes one JSON line {level, msg, data} to the pipe the worker hands the tool in JOBLOGS_LOG_FD; the worker
passes it through its logging pipeline as `component: python`, so it is redacted, counted and shown with the job's
other entries. `msg` is plain text (braces are not placeholders); `data` holds named values (JSON-able; others are
written with str()). Run by hand, without JOBLOGS_LOG_FD, the entries go to stderr.
"""
import json
import os
import sys
import threading
import traceback

_lock = threading.Lock()
_fd = None
_fd_env = os.environ.get("JOBLOGS_LOG_FD")
if _fd_env and _fd_env.isdigit():
    _fd = int(_fd_env)
    try:
        os.set_inheritable(_fd, False)  # the tool's own children do not get the pipe
    except OSError:
        _fd = None

LEVELS = ("debug", "info", "warn", "error")


def log(level, msg, **data):
    """Writes one entry; `level` is debug, info, warn or error."""
    if level not in LEVELS:
        level = "warn" if level == "warning" else "info"
    entry = {"level": level, "msg": str(msg)}
    if data:
        entry["data"] = data
    line = (json.dumps(entry, default=str, ensure_ascii=False) + "\n").encode("utf-8")
    with _lock:
        if _fd is None:
            sys.stderr.write(line.decode("utf-8"))
            sys.stderr.flush()
            return
        view = memoryview(line)
        while view:  # one write per line where the pipe allows; the loop only finishes a partial write
            view = view[os.write(_fd, view):]


def debug(msg, **data):
    log("debug", msg, **data)


def info(msg, **data):
    log("info", msg, **data)


def warning(msg, **data):
    log("warn", msg, **data)


def error(msg, **data):
    log("error", msg, **data)


def exception(msg, **data):
    """An error entry with the exception being handled in data.exception {type, message, stack}."""
    kind, value, tb = sys.exc_info()
    if kind is not None:
        data["exception"] = {"type": kind.__name__, "message": str(value),
                             "stack": "".join(traceback.format_exception(kind, value, tb))}
    log("error", msg, **data)
