"""Replays the recorded requests of a capture file against a stand-in and compares.

Recorded prompt ids are mapped to the stand-in's ids as prompts are accepted.
Where the recording relied on GPU time (26 chained 2560px lanczos ImageScale
nodes that made a prompt "slow" for the interrupt/queue tests), the prompt is
replaced by a KSampler prompt with many steps, and its entries are compared by
shape only. Deliberate differences are listed in KEPT with the reason.
"""
import gzip
import json
import os
import re
import time

from checks.clients import WsClient, prompt_done_index, types_of, wait_until
from checks.compare import Comparer

_HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The recording lives in the repository (capture/); COMFY_CAPTURE_DIR points elsewhere if needed.
CAPTURE_DIR = os.environ.get("COMFY_CAPTURE_DIR", os.path.join(_HERE, "capture"))
# capture/ holds the four capture files; the whole recorded /object_info is the stand-in's own data file.
OBJECT_INFO = os.path.join(_HERE, "data", "object_info.json.gz")
OMITTED = "(omitted here, saved separately)"

UUID_REASON = ("newer ComfyUI (and the stand-in) accept a client-chosen prompt_id only as a canonical lowercase "
               "UUID and answer 400 invalid_prompt_id; v0.8.0 accepted any id")
REJECTED_IDS = {"l non-UUID id", "l uppercase UUID", "l integer id", "l duplicate id"}
GONE_HISTORY = {"l non-UUID id history", "l uppercase UUID history", "l integer id history",
                "l duplicate id history", "history of duplicated id"}
# Diffs that follow from a kept difference: label -> (reason, pattern every diff must match)
KEPT_IF = {
    label: ("the output counter is one lower because the rejected non-UUID prompt before it did not run",
            re.compile(r".*filename: expected 'comfykit_l_00002_.png', got 'comfykit_l_00001_.png'$"))
    for label in ("l canonical UUID history", "ws messages of l canonical UUID")
}
KEPT_OTHER = {
    "b1 view preview=jpeg;80": "preview= re-encoding (JPEG/WebP) is not emulated; the stored PNG is served",
    "GET /": "the front-end page is a stand-in placeholder (the capture's was the capture kit's placeholder)",
}


def load(name):
    with open(os.path.join(CAPTURE_DIR, name), encoding="utf-8") as f:
        return json.load(f)


def recorded_object_info():
    with gzip.open(OBJECT_INFO, "rt", encoding="utf-8") as f:
        return json.load(f)


def slow_prompt(seed, checkpoint):
    """Stands in for the recorded GPU-bound prompt: KSampler with many steps, interruptible per step."""
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": checkpoint}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "slow", "clip": ["1", 1]}},
        "4": {"class_type": "EmptyLatentImage", "inputs": {"width": 64, "height": 64, "batch_size": 1}},
        "10": {"class_type": "KSampler", "inputs": {"model": ["1", 0], "positive": ["3", 0], "negative": ["3", 0],
                                                    "latent_image": ["4", 0], "seed": seed, "steps": 1000, "cfg": 7.0,
                                                    "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0}},
        "11": {"class_type": "VAEDecode", "inputs": {"samples": ["10", 0], "vae": ["1", 2]}},
        "2": {"class_type": "SaveImage", "inputs": {"images": ["11", 0], "filename_prefix": "slow"}},
    }


class Replay:
    def __init__(self, inst, base_dir, report, upload_images, slow_checkpoint=None):
        self.inst = inst
        self.report = report
        self.upload_images = upload_images  # (big PNG bytes, small PNG bytes) for the upload replays
        self.slow_checkpoint = slow_checkpoint
        self.idmap, self.substituted, self.rejected = {}, set(), set()
        self.sessions = {}      # client_id -> (WsClient, recorded session event)
        self.slice_start = {}   # stand-in prompt id -> {client_id: message index before the POST}
        self.cmp = Comparer(self.idmap, self.substituted, lambda s: s.replace(base_dir, "/srv/comfy-work"))
        self.seed = 1000

    # --- helpers -------------------------------------------------------------------------------

    def map_ids(self, obj):
        if isinstance(obj, str):
            return self.idmap.get(obj, obj)
        if isinstance(obj, list):
            return [self.map_ids(v) for v in obj]
        if isinstance(obj, dict):
            return {k: self.map_ids(v) for k, v in obj.items()}
        return obj

    def map_path(self, path):
        route, _, query = path.partition("?")
        route = "/".join(self.idmap.get(part, part) for part in route.split("/"))
        for recorded, ours in self.cmp.filenames.items():  # PreviewImage names are random
            query = query.replace(recorded, ours)
        return route + ("?" + query if query else "")

    def _multipart(self, ev):
        """Rebuild an upload: the capture stores only a preview of the body, so the fields are
        taken from it and the image is a generated PNG of the recorded size class."""
        preview = ev["request_body_binary"]["preview"]
        boundary = re.search(r"boundary=(\S+)", ev["request_content_type"]).group(1)
        big, small = self.upload_images
        parts = []
        for part in preview.split("--" + boundary)[1:]:
            head, _, value = part.partition("\r\n\r\n")
            name = re.search(r'name="([^"]*)"', head)
            if not name:
                continue
            filename = re.search(r'filename="([^"]*)"', head)
            if filename:
                image = big if ev["request_body_binary"]["length"] > 1000 else small
                parts.append(f'Content-Disposition: form-data; name="{name.group(1)}"; '
                             f'filename="{filename.group(1)}"\r\nContent-Type: image/png\r\n\r\n'.encode() + image)
            else:
                parts.append(f'Content-Disposition: form-data; name="{name.group(1)}"\r\n\r\n'.encode()
                             + value.split("\r\n")[0].encode())
        body = b"".join(b"--" + boundary.encode() + b"\r\n" + p + b"\r\n" for p in parts)
        return body + b"--" + boundary.encode() + b"--\r\n", ev["request_content_type"]

    def _request(self, ev):
        headers = {k: v for k, v in ev.get("request_headers", []) if k in ("Origin", "Range", "Content-Type")}
        if "request_body" in ev:
            body = self.map_ids(ev["request_body"])
            if ev["path"] == "/prompt" and isinstance(body.get("prompt"), dict) and len(body["prompt"]) > 20:
                self.seed += 1
                body = {**body, "prompt": slow_prompt(self.seed, self.slow_checkpoint)}
                return json.dumps(body).encode(), headers, True
            return json.dumps(body).encode(), headers, False
        if "request_body_raw" in ev:
            headers["Content-Type"] = ev.get("request_content_type", "application/json")
            return ev["request_body_raw"].encode(), headers, False
        if "request_body_binary" in ev:
            body, headers["Content-Type"] = self._multipart(ev)
            return body, headers, False
        return None, headers, False

    def _wait_before(self, ev, path):
        """Give the stand-in the time the recording client gave the real server."""
        rec = ev["response_body"].get("json")
        route = path.split("?")[0]
        prompt_id = route.rsplit("/", 1)[1]
        if route.startswith(("/history/", "/api/jobs/")) and ev["status"] == 200 and rec \
                and prompt_id in self.idmap.values():
            wait_until(lambda: self.inst.json("GET", "/history/" + prompt_id)[1], 10)
        elif route in ("/queue", "/api/queue") and isinstance(rec, dict):
            want = (len(rec["queue_running"]), len(rec["queue_pending"]))
            wait_until(lambda: self._queue_shape() == want, 5)
        elif route == "/prompt" and ev["method"] == "GET" and rec:
            want = rec["exec_info"]["queue_remaining"]
            wait_until(lambda: self.inst.json("GET", "/prompt")[1]["exec_info"]["queue_remaining"] == want, 5)
        elif route in ("/history", "/api/jobs") and ev["method"] == "GET" and "pending" not in path:
            wait_until(lambda: self._queue_shape() == (0, 0), 10)

    def _queue_shape(self):
        q = self.inst.json("GET", "/queue")[1]
        return len(q["queue_running"]), len(q["queue_pending"])

    # --- events ------------------------------------------------------------------------------

    def run_file(self, filename):
        data = load(filename)
        for step in data["steps"]:
            for ev in step["events"]:
                getattr(self, "on_" + ev["kind"])(filename, step, ev)
        self.close_sessions(filename)

    def on_websocket(self, filename, step, ev):
        ws = WsClient(self.inst.port, ev["path"], self.inst.auth_headers())
        for m in ev["messages"]:
            if m["dir"] == "sent":
                ws.send_json(m["data"])
        greeting = 0  # the answers to the connect and to feature_flags, before any prompt
        for m in ev["messages"]:
            if m["dir"] == "recv":
                if m["data"]["type"] not in ("feature_flags", "status") or \
                        (m["data"]["type"] == "status" and "sid" not in m["data"]["data"]):
                    break
                greeting += 1
        ws.wait_for(lambda ms: len(ms) >= greeting, 3)
        name = f"{filename}:{step['name']}:ws {ev['path']}"
        if ws.status != 101:
            self.report.diff(name, [f"handshake status {ws.status}, expected 101"])
            return
        if step["name"] == "a_ws_hello":  # short sessions: compare all they received
            expected = [m["data"]["type"] for m in ev["messages"] if m["dir"] == "recv"]
            ws.wait_for(lambda ms: len(ms) >= len(expected), 3)
            time.sleep(0.2)
            got = types_of(ws.messages)
            diffs = [] if got == expected else [f"messages {got}, expected {expected}"]
            for (_, mine), rec in zip(ws.messages, [m for m in ev["messages"] if m["dir"] == "recv"]):
                diffs += self.cmp.compare(rec["data"], mine, "$." + rec["data"]["type"])
            self.report.result(name, diffs)
            ws.close()
        else:
            self.sessions[ev["client_id"]] = (ws, ev)

    def on_http(self, filename, step, ev):
        label = ev.get("label") or f"{ev['method']} {ev['path']}"
        name = f"{filename}:{step['name']}:{label}"
        path = self.map_path(ev["path"])
        body, headers, slow = self._request(ev)
        self._wait_before(ev, path)
        before = {cid: len(ws.messages) for cid, (ws, _) in self.sessions.items()}
        status, resp_headers, data = self.inst.http(ev["method"], path, body, headers)
        rec = ev["response_body"]
        if ev["method"] == "POST" and ev["path"] == "/prompt" and status == 200 and ev["status"] == 200:
            ours = json.loads(data)["prompt_id"]
            self.idmap[rec["json"]["prompt_id"]] = ours
            self.slice_start[ours] = before
            if slow:
                self.substituted.add(rec["json"]["prompt_id"])
        if label in REJECTED_IDS:
            self.rejected.add(rec["json"]["prompt_id"])
            ok = status == 400 and json.loads(data)["error"]["type"] == "invalid_prompt_id"
            return self.report.kept(name, UUID_REASON, ok)
        if label in GONE_HISTORY:
            return self.report.kept(name, UUID_REASON + " (so the prompt never existed)",
                                    status == 200 and json.loads(data) == {})
        if label in KEPT_OTHER:
            ok = status == ev["status"] and (data.startswith(b"\x89PNG") or b"<html" in data.lower())
            return self.report.kept(name, KEPT_OTHER[label], ok)
        diffs = [] if status == ev["status"] else [f"status {status}, expected {ev['status']}"]
        if "json" in rec and rec["json"] == OMITTED:
            diffs += self._omitted(path, data)
        elif "json" in rec:
            try:
                ours = json.loads(data)
            except ValueError:
                ours, diffs = None, diffs + [f"not JSON: {data[:80]!r}"]
            if ours is not None and path.split("?")[0] == "/api/jobs" and isinstance(ours.get("jobs"), list):
                diffs += self._align_jobs(rec["json"], ours)
            if ours is not None:
                diffs += self.cmp.compare(rec["json"], ours)
        elif "text" in rec:
            if data.decode("utf-8", "replace") != rec["text"]:
                diffs.append(f"body {data[:80]!r}, expected {rec['text'][:80]!r}")
        else:
            if data[:8].hex() != rec["first_bytes_hex"][:16]:
                diffs.append(f"body starts {data[:8].hex()}, expected {rec['first_bytes_hex'][:16]}")
            if status == 206 and (len(data) != rec["length"] or "Content-Range" not in resp_headers):
                diffs.append("range answer: wrong length or no Content-Range")
        self._result(name, label, diffs)

    def _result(self, name, label, diffs):
        if diffs and label in KEPT_IF and all(KEPT_IF[label][1].match(d) for d in diffs):
            self.report.kept(name, KEPT_IF[label][0], True)
        else:
            self.report.result(name, diffs)

    def _align_jobs(self, rec, ours):
        """Jobs are listed newest first; prompts submitted in the same millisecond may swap places,
        so check the order by create_time and then line ours up with the recorded list."""
        times = [j["create_time"] for j in ours["jobs"]]
        if times != sorted(times, reverse=True):
            return ["jobs are not sorted by create_time, newest first"]
        position = {self.idmap.get(j["id"], j["id"]): i for i, j in enumerate(rec["jobs"])}
        ours["jobs"].sort(key=lambda j: position.get(j["id"], len(position)))
        return []

    def _omitted(self, path, data):
        """Answers the capture stored elsewhere: /object_info is compared with object_info.json.gz."""
        if not path.endswith("/object_info"):
            json.loads(data)
            return []
        ours, recorded = json.loads(data), recorded_object_info()
        diffs = []
        for cls, spec in ours.items():
            if cls in recorded:
                diffs += self.cmp.compare(recorded[cls], spec, f"$.{cls}")
            elif not cls.startswith("StandIn"):
                diffs.append(f"{cls}: not a recorded node class")
        self.report.kept("object_info subset",
                         f"/object_info serves the {len(ours) - 3} implemented of {len(recorded)} recorded classes "
                         f"(identical specs, configured combo lists) plus 3 StandIn* trigger nodes; other classes "
                         f"are unknown to POST /prompt as well", True)
        return diffs

    def on_ws_slice(self, filename, step, ev):
        label = f"ws messages of {ev['label'] or ev['prompt_id']}"
        name = f"{filename}:{step['name']}:{label}"
        ours = self.idmap.get(ev["prompt_id"])
        if ours is None:
            return self.report.kept(name, UUID_REASON, ev["prompt_id"] in self.rejected)
        ws = self.sessions[ev["client_id"]][0]
        start = self.slice_start[ours][ev["client_id"]]
        ws.wait_for(lambda ms: prompt_done_index(ms, ours, start) is not None, 5)
        end = prompt_done_index(ws.messages, ours, start)
        if end is None:
            return self.report.diff(name, ["prompt did not finish"])
        mine = ws.messages[start:end + 1]
        expected = [m["data"]["type"] if m["type"] == "text" else "binary" for m in ev["messages"]]
        got = types_of(mine)
        diffs = [] if got == expected else [f"types {got}\n      expected {expected}"]
        for (kind, data), rec in zip(mine, ev["messages"]):
            if kind == "text" and rec["type"] == "text" and data["type"] == rec["data"]["type"]:
                diffs += self.cmp.compare(rec["data"]["data"], data["data"], "$." + data["type"])
            elif kind == "binary" and rec["type"] == "binary":
                diffs += self._binary(rec, data)
        self._result(name, label, diffs)

    def _binary(self, rec, data):
        """Binary preview frames: event type, then image type or the metadata JSON, then a PNG."""
        diffs = [] if data[:4].hex() == rec["first8_hex"][:8] else [f"binary event {data[:4].hex()}"]
        if rec["event_type"] == 4:
            size = int.from_bytes(data[4:8], "big")
            diffs += self.cmp.compare(rec["metadata"], json.loads(data[8:8 + size]), "$.preview_metadata")
            image = data[8 + size:]
        else:
            image = data[8:] if data[4:8] == bytes.fromhex(rec["first8_hex"][8:16]) else b""
        if not image.startswith(bytes.fromhex(rec["image_first_bytes_hex"][:16])):
            diffs.append("binary preview is not a PNG")
        return diffs

    def close_sessions(self, filename):
        """Sessions without slices (control steps): every prompt must end the way it ended on the real server."""
        for client_id, (ws, ev) in self.sessions.items():
            recorded_ends = {}
            for m in ev["messages"]:
                data = m.get("data")
                if isinstance(data, dict) and data.get("type") in (
                        "execution_success", "execution_error", "execution_interrupted"):
                    recorded_ends[data["data"]["prompt_id"]] = data["type"]
            diffs = []
            for rec_id, end in recorded_ends.items():
                if rec_id in self.rejected:
                    continue  # reported as a kept difference already
                ours = self.idmap.get(rec_id)
                got = [m["type"] for kind, m in ws.messages if kind == "text" and m["type"].startswith("execution_")
                       and m["type"] not in ("execution_start", "execution_cached")
                       and m["data"].get("prompt_id") == ours]
                if got != [end]:
                    diffs.append(f"prompt {rec_id}: ended with {got}, expected [{end!r}]")
            if recorded_ends:
                self.report.result(f"{filename}:ws session {client_id}: outcome of {len(recorded_ends)} prompts", diffs)
            ws.close()
        self.sessions.clear()
