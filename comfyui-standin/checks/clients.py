"""Test-side plumbing for selfcheck: start/stop a stand-in, an HTTP helper and a
small WebSocket client (independent of the server's own implementation)."""
import base64
import hashlib
import http.client
import json
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time

STANDIN = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "standin.py")


# RFC 6455 section 1.3; checked against the RFC's own example below, so a mistyped GUID fails loudly here
# instead of passing against a server that shares the same mistake.
_WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"


def accept_for(key):
    return base64.b64encode(hashlib.sha1((key + _WS_GUID).encode()).digest()).decode()


assert accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "wrong WebSocket GUID"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Instance:
    """One supervised stand-in (python3 standin.py ...) with its stderr in a file."""

    def __init__(self, name, workdir, args, token=None):
        self.name = name
        self.port = free_port()
        self.token = token
        self.log_path = os.path.join(workdir, f"{name}.stderr.log")
        self.args = ["--host", "127.0.0.1", "--port", str(self.port)] + args
        if token:
            self.args += ["--token", token]
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "w")
        self.proc = subprocess.Popen([sys.executable, STANDIN, *self.args], stdout=self.log, stderr=self.log)
        if not wait_until(lambda: self.answers(), 10):
            raise RuntimeError(f"{self.name}: stand-in did not start, see {self.log_path}")

    def answers(self):
        try:
            return self.http("GET", "/system_stats", timeout=1)[0] == 200
        except OSError:
            return False

    def stop(self):
        """SIGTERM to the supervisor; returns its exit code."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self.log.close()
        return code

    def stderr_text(self):
        with open(self.log_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def auth_headers(self):
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def http(self, method, path, body=None, headers=None, timeout=10, auth=True):
        """(status, headers dict, body bytes). `body` may be bytes or a JSON-able object."""
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            headers = {"Content-Type": "application/json", **(headers or {})}
        all_headers = {**(self.auth_headers() if auth else {}), **(headers or {})}
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=all_headers)
            resp = conn.getresponse()
            return resp.status, dict(resp.getheaders()), resp.read()
        finally:
            conn.close()

    def json(self, method, path, body=None, **kw):
        status, _, data = self.http(method, path, body, **kw)
        return status, json.loads(data) if data else None


def wait_until(predicate, timeout, interval=0.05):
    deadline = time.monotonic() + timeout
    while True:
        result = predicate()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


class WsClient:
    """Collects every message: ("text", parsed JSON) or ("binary", bytes)."""

    def __init__(self, port, path, headers=None):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [f"GET {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {key}", "Sec-WebSocket-Version: 13"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.buf = b""
        while b"\r\n\r\n" not in self.buf:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            self.buf += chunk
        head, _, self.buf = self.buf.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ")[1]) if head else 0
        self.messages = []
        self.cond = threading.Condition()
        self.closed = False
        if self.status == 101:
            expected = accept_for(key)
            fields = dict(line.decode().partition(":")[::2] for line in head.split(b"\r\n")[1:])
            if {k.strip().lower(): v.strip() for k, v in fields.items()}.get("sec-websocket-accept") != expected:
                raise RuntimeError("bad Sec-WebSocket-Accept")
            self.sock.settimeout(None)
            threading.Thread(target=self._reader, daemon=True).start()

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError
            self.buf += chunk
        data, self.buf = self.buf[:n], self.buf[n:]
        return data

    def _reader(self):
        try:
            while True:
                b0, b1 = self._read(2)
                n = b1 & 0x7F
                if n == 126:
                    n = struct.unpack(">H", self._read(2))[0]
                elif n == 127:
                    n = struct.unpack(">Q", self._read(8))[0]
                payload = self._read(n)
                opcode = b0 & 0x0F
                if opcode == 0x8:
                    break
                with self.cond:
                    if opcode == 0x1:
                        self.messages.append(("text", json.loads(payload)))
                    elif opcode == 0x2:
                        self.messages.append(("binary", payload))
                    self.cond.notify_all()
        except (ConnectionError, OSError):
            pass
        with self.cond:
            self.closed = True
            self.cond.notify_all()

    def _send(self, opcode, payload):
        mask = os.urandom(4)
        n = len(payload)
        header = bytes([0x80 | opcode]) + (bytes([0x80 | n]) if n < 126 else bytes([0x80 | 126]) + struct.pack(">H", n))
        self.sock.sendall(header + mask + bytes(b ^ mask[i % 4] for i, b in enumerate(payload)))

    def send_json(self, obj):
        self._send(0x1, json.dumps(obj).encode())

    def ping(self, payload=b"hi"):
        self._send(0x9, payload)

    def wait_for(self, predicate, timeout=10):
        """Wait until predicate(messages) is true; returns its value (or the last falsy one)."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                result = predicate(self.messages)
                remaining = deadline - time.monotonic()
                if result or remaining <= 0 or self.closed:
                    return result
                self.cond.wait(remaining)

    def close(self):
        try:
            self._send(0x8, struct.pack(">H", 1000))
            self.wait_for(lambda m: False, timeout=1)
        except OSError:
            pass
        self.sock.close()


def types_of(messages):
    return [m["type"] if kind == "text" else "binary" for kind, m in messages]


def prompt_done_index(messages, prompt_id, start=0):
    """Index of the final "executing" {node: null} of a prompt, or None."""
    for i in range(start, len(messages)):
        kind, m = messages[i]
        if kind == "text" and m["type"] == "executing" and m["data"].get("node") is None \
                and m["data"].get("prompt_id") == prompt_id:
            return i
    return None
