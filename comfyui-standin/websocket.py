"""WebSocket (RFC 6455) by hand, and the hub that routes ComfyUI events to sockets.

Only what ComfyUI's /ws needs: server-to-client text and binary frames,
client text frames (feature_flags), ping/pong and close.
"""
import base64
import hashlib
import json
import socket
import struct
import threading

_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
OP_CONT, OP_TEXT, OP_BINARY, OP_CLOSE, OP_PING, OP_PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA

# The features v0.8.0 announces (also served by GET /features).
SERVER_FEATURES = {"supports_preview_metadata": True, "max_upload_size": 104857600,
                   "extension": {"manager": {"supports_v4": True}}}

# Binary event types (ComfyUI protocol.BinaryEventTypes).
PREVIEW_IMAGE = 1
PREVIEW_IMAGE_WITH_METADATA = 4


def accept_key(client_key):
    return base64.b64encode(hashlib.sha1((client_key + _GUID).encode()).digest()).decode()


class Connection:
    """One upgraded socket. Sends may come from any thread; reads happen in the request thread."""

    def __init__(self, sock, reader):
        self.sock = sock
        self.reader = reader
        self.lock = threading.Lock()
        self.closed = False
        try:
            # A client that stops reading must not block the executor: give up on a send after 10 s.
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, struct.pack("ll", 10, 0))
        except (OSError, AttributeError):
            pass

    def send(self, opcode, payload):
        header = bytes([0x80 | opcode])
        n = len(payload)
        if n < 126:
            header += bytes([n])
        elif n < 65536:
            header += bytes([126]) + struct.pack(">H", n)
        else:
            header += bytes([127]) + struct.pack(">Q", n)
        with self.lock:
            if self.closed:
                return
            try:
                self.sock.sendall(header + payload)
            except OSError:
                self.closed = True

    def _read_exact(self, n):
        data = self.reader.read(n)
        if len(data) < n:
            raise ConnectionError("client went away")
        return data

    def read_message(self):
        """Next complete message as (opcode, payload); control frames are returned as they come."""
        parts, first_opcode = [], None
        while True:
            b0, b1 = self._read_exact(2)
            fin, opcode, masked, n = b0 & 0x80, b0 & 0x0F, b1 & 0x80, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read_exact(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read_exact(8))[0]
            mask = self._read_exact(4) if masked else b"\0\0\0\0"
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read_exact(n)))
            if opcode >= OP_CLOSE:
                return opcode, payload
            if opcode != OP_CONT:
                first_opcode = opcode
            parts.append(payload)
            if fin:
                return first_opcode, b"".join(parts)

    def close(self, code=1000):
        self.send(OP_CLOSE, struct.pack(">H", code))
        with self.lock:
            self.closed = True


class Hub:
    """The server's sockets by session id (ComfyUI's `sockets` and `sockets_metadata`)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.sockets = {}
        self.feature_flags = {}

    def add(self, sid, conn):
        with self.lock:
            self.sockets[sid] = conn  # a reconnect with the same clientId replaces the old socket
            self.feature_flags[sid] = {}

    def remove(self, sid, conn):
        with self.lock:
            if self.sockets.get(sid) is conn:
                del self.sockets[sid]
                self.feature_flags.pop(sid, None)

    def set_flags(self, sid, flags):
        with self.lock:
            self.feature_flags[sid] = flags

    def supports(self, sid, feature):
        with self.lock:
            return bool(self.feature_flags.get(sid, {}).get(feature, False))

    def _targets(self, sid):
        with self.lock:
            if sid is None:
                return list(self.sockets.values())
            conn = self.sockets.get(sid)
            return [conn] if conn else []

    def send(self, event, data, sid=None):
        """A JSON event to one client, or to everybody when sid is None (like ComfyUI's send_sync)."""
        payload = json.dumps({"type": event, "data": data}).encode()
        for conn in self._targets(sid):
            conn.send(OP_TEXT, payload)

    def send_bytes(self, event_type, payload, sid=None):
        for conn in self._targets(sid):
            conn.send(OP_BINARY, struct.pack(">I", event_type) + payload)


def serve(conn, sid, hub, handshake, greeting):
    """Run one client session until it closes. `handshake` sends the 101, `greeting` the initial messages.

    The socket joins the hub before its 101 goes out, holding its send lock: a client may submit a prompt the moment
    it reads the 101, and that prompt's first events (execution_start, executing) must reach it, as they do in
    ComfyUI, where the socket is registered before its event loop sends anything. Events sent meanwhile wait on the lock.
    """
    first_message = True
    try:
        with conn.lock:
            hub.add(sid, conn)
            handshake()
        greeting()
        while True:
            opcode, payload = conn.read_message()
            if opcode == OP_CLOSE:
                conn.close()
                return
            if opcode == OP_PING:
                conn.send(OP_PONG, payload)
            elif opcode == OP_TEXT:
                try:
                    data = json.loads(payload.decode("utf-8"))
                except ValueError:
                    data = None
                # Like ComfyUI: only a first message of type feature_flags is negotiated.
                if first_message and isinstance(data, dict) and data.get("type") == "feature_flags":
                    hub.set_flags(sid, data.get("data", {}))
                    hub.send("feature_flags", SERVER_FEATURES, sid)
                first_message = False
    except (ConnectionError, OSError, socket.timeout):
        pass
    finally:
        hub.remove(sid, conn)
