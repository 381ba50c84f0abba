"""The failure triggers and the end-to-end success path, checked against a running stand-in."""
import json
import struct
import time
import zlib

from checks.clients import WsClient, prompt_done_index, types_of, wait_until
from checks.compare import Comparer
from checks.replay import load

OOM_MESSAGE = ("Allocation on device \nThis error means you ran out of memory on your GPU.\n\n"
               "TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.")


def make_png(width, height, rgb):
    def chunk(tag, data):
        return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))
    raw = (b"\x00" + bytes(rgb) * width) * height
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def png_size(data):
    """(width, height) after checking the signature, the chunk CRCs and that IDAT inflates to the right size."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "no PNG signature"
    pos, idat, size = 8, b"", None
    while pos < len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        assert struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])[0] == zlib.crc32(tag + body), "bad CRC"
        if tag == b"IHDR":
            size = struct.unpack(">II", body[:8])
        elif tag == b"IDAT":
            idat += body
        pos += 12 + length
    width, height = size
    assert len(zlib.decompress(idat)) == height * (1 + 3 * width), "IDAT has the wrong size"
    return width, height


def ksampler_prompt(seed, ckpt="sd15-demo.safetensors", width=64, height=64, batch=1, steps=4, prefix="selfcheck"):
    return {
        "1": {"class_type": "CheckpointLoaderSimple", "inputs": {"ckpt_name": ckpt}},
        "2": {"class_type": "CLIPTextEncode", "inputs": {"text": "a lighthouse at dusk", "clip": ["1", 1]}},
        "3": {"class_type": "CLIPTextEncode", "inputs": {"text": "blurry", "clip": ["1", 1]}},
        "4": {"class_type": "EmptyLatentImage", "inputs": {"width": width, "height": height, "batch_size": batch}},
        "5": {"class_type": "KSampler", "inputs": {"model": ["1", 0], "positive": ["2", 0], "negative": ["3", 0],
                                                   "latent_image": ["4", 0], "seed": seed, "steps": steps, "cfg": 7.0,
                                                   "sampler_name": "euler", "scheduler": "normal", "denoise": 1.0}},
        "6": {"class_type": "VAEDecode", "inputs": {"samples": ["5", 0], "vae": ["1", 2]}},
        "7": {"class_type": "SaveImage", "inputs": {"images": ["6", 0], "filename_prefix": prefix}},
    }


def expected_types(steps):
    """The recorded per-node pattern (capture-success b1) applied to the KSampler workflow."""
    types = ["status", "status", "execution_start", "execution_cached"]
    for node in ("1", "2", "3", "4", "5", "6", "7"):
        types += ["progress_state", "executing"]
        if node == "5":
            types += ["progress_state", "progress"] * steps
        if node == "7":
            types += ["executed"]
        types += ["progress_state"]
    return types + ["execution_success", "status", "executing"]


def recorded_event(filename, label_prefix, path_prefix="/history/"):
    for step in load(filename)["steps"]:
        for ev in step["events"]:
            if (ev.get("label") or "").startswith(label_prefix) and ev.get("path", "").startswith(path_prefix):
                return ev
    raise KeyError(label_prefix)


class Triggers:
    def __init__(self, inst, report, step_delay_ms):
        self.inst = inst
        self.report = report
        self.step_delay_ms = step_delay_ms
        self.seed = 0
        self.ws = WsClient(inst.port, "/ws?clientId=selfcheck-triggers", inst.auth_headers())
        self.ws.wait_for(lambda ms: ms, 5)

    def submit(self, prompt, **extra):
        self.seed += 1
        start = len(self.ws.messages)
        status, body = self.inst.json("POST", "/prompt", {"prompt": prompt, "client_id": "selfcheck-triggers", **extra})
        return status, body, start

    def run_to_end(self, prompt):
        status, body, start = self.submit(prompt)
        assert status == 200, f"submit answered {status}: {body}"
        pid = body["prompt_id"]
        self.ws.wait_for(lambda ms: prompt_done_index(ms, pid, start) is not None, 15)
        end = prompt_done_index(self.ws.messages, pid, start)
        assert end is not None, "prompt did not finish"
        return pid, [m for _, m in self.ws.messages[start:end + 1]], self.ws.messages[start:end + 1]

    def check(self, name, fn):
        try:
            fn()
            self.report.result("trigger: " + name, [])
        except AssertionError as ex:
            self.report.result("trigger: " + name, [str(ex)])

    # --- checks ------------------------------------------------------------------------------

    def success_end_to_end(self):
        steps = 6
        # sdxl-demo: the replayed slow prompts left sd15-demo's loader in the cache, which would skip node 1
        pid, msgs, raw = self.run_to_end(ksampler_prompt(self.seed + 100, ckpt="sdxl-demo.safetensors", steps=steps,
                                                         width=96, height=64))
        got = types_of(raw)
        assert got == expected_types(steps), f"message types {got}\n      expected {expected_types(steps)}"
        progress = [(m["data"]["value"], m["data"]["max"], m["data"]["node"]) for m in msgs if m["type"] == "progress"]
        assert progress == [(i, steps, "5") for i in range(1, steps + 1)], f"progress {progress}"
        image = [m for m in msgs if m["type"] == "executed"][0]["data"]["output"]["images"][0]
        assert image["type"] == "output" and image["filename"].endswith("_00001_.png"), image
        status, headers, data = self.inst.http(
            "GET", f"/view?filename={image['filename']}&subfolder={image['subfolder']}&type=output")
        assert status == 200 and headers.get("Content-Type") == "image/png", status
        assert png_size(data) == (96, 64), png_size(data)
        recorded = recorded_event("capture-success.json", "b1 EmptyImage->SaveImage history")
        rec_id, rec_entry = next(iter(recorded["response_body"]["json"].items()))
        diffs = Comparer({rec_id: pid}, {rec_id}).compare(rec_entry, self.inst.json("GET", f"/history/{pid}")[1][pid])
        assert not diffs, diffs

    def runtime_error(self, prompt, exception_type, message, node_type):
        pid, msgs, _ = self.run_to_end(prompt)
        errors = [m["data"] for m in msgs if m["type"] == "execution_error"]
        assert len(errors) == 1, f"no execution_error in {[m['type'] for m in msgs]}"
        recorded = recorded_event("capture-errors.json", "g2 CheckpointLoaderSimple corrupt file history")
        rec_error = next(iter(recorded["response_body"]["json"].values()))["status"]["messages"][-1][1]
        error = errors[0]
        assert set(error) == set(rec_error), f"keys {sorted(error)} != {sorted(rec_error)}"
        assert (error["exception_type"], error["exception_message"], error["node_type"]) == \
            (exception_type, message, node_type), (error["exception_type"], error["exception_message"])
        assert error["traceback"] and all(isinstance(t, str) and t.startswith("  File ") for t in error["traceback"])
        entry = self.inst.json("GET", f"/history/{pid}")[1][pid]
        assert entry["status"]["status_str"] == "error" and entry["status"]["completed"] is False
        assert [m[0] for m in entry["status"]["messages"]] == ["execution_start", "execution_cached", "execution_error"]

    def validation_error(self, prompt, recorded_label, error_type, node_error_type, details):
        status, body, _ = self.submit(prompt)
        assert status == 400, f"status {status}"
        rec = recorded_event("capture-errors.json", recorded_label, "/prompt")["response_body"]["json"]
        assert set(body) == set(rec) and set(body["error"]) == set(rec["error"]), body
        assert body["error"]["type"] == error_type, body["error"]
        if node_error_type:
            node_error = body["node_errors"]["1"]["errors"][0]
            assert node_error["type"] == node_error_type and node_error["details"] == details, node_error
            assert set(node_error["extra_info"]) == set(rec["node_errors"]["1"]["errors"][0]["extra_info"])
        else:
            assert (body["error"]["message"], body["error"]["details"]) == details, body["error"]

    def slowness(self):
        steps, delay_ms = 25, self.step_delay_ms
        pid, msgs, _ = self.run_to_end(ksampler_prompt(self.seed + 200, steps=steps))
        stamps = {m["type"]: m["data"]["timestamp"] for m in msgs if "timestamp" in m.get("data", {})}
        took = stamps["execution_success"] - stamps["execution_start"]
        assert took >= steps * delay_ms * 0.9, f"took {took} ms for {steps} x {delay_ms} ms"
        assert sum(m["type"] == "progress" for m in msgs) == steps

    def server_error(self):
        prompt = {"1": {"class_type": "StandInServerError", "inputs": {}}}
        status, headers, body = self.inst.http("POST", "/prompt", {"prompt": prompt})
        assert (status, body) == (500, b"500 Internal Server Error\n\nServer got itself in trouble"), (status, body)
        status, headers, body = self.inst.http("POST", "/prompt", {"prompt": prompt}, {"Accept": "text/html"})
        assert status == 500 and body.startswith(b"<html>") and "text/html" in headers["Content-Type"]
        assert self.inst.json("GET", "/queue")[1]["queue_pending"] == []

    def garbage(self):
        def node(mode):
            return {"1": {"class_type": "StandInGarbage", "inputs": {"mode": mode}}}
        for mode in ("html", "garbage", "truncated"):
            status, headers, body = self.inst.http("POST", "/prompt", {"prompt": node(mode), "client_id": "x"})
            assert status == 200, (mode, status)
            try:
                json.loads(body)
                raise AssertionError(f"{mode}: body is valid JSON")
            except ValueError:
                pass
            if mode == "html":
                assert "text/html" in headers["Content-Type"] and b"<html" in body
            if mode == "truncated":
                assert body.startswith(b'{"prompt_id": "'), body
        # truncated: the prompt was queued anyway and runs
        assert wait_until(lambda: any(e["prompt"][2].get("1", {}).get("inputs", {}).get("mode") == "truncated"
                                      for e in self.inst.json("GET", "/history")[1].values()), 5)
        status, body = self.inst.json("POST", "/prompt", {"prompt": node("history_garbage")})
        assert status == 200 and "prompt_id" in body
        pid = body["prompt_id"]
        wait_until(lambda: self.inst.json("GET", "/queue")[1]["queue_running"] == [], 5)
        status, _, data = self.inst.http("GET", f"/history/{pid}")
        assert status == 200 and data.startswith(b'{"') and len(data) > 20
        try:
            json.loads(data)
            raise AssertionError("history_garbage: /history/{id} is valid JSON")
        except ValueError:
            pass
        status, body = self.inst.json("POST", "/prompt", {"prompt": node("history_html")})
        assert status == 200 and "prompt_id" in body
        status, headers, data = self.inst.http("GET", f"/history/{body['prompt_id']}")
        assert status == 200 and "text/html" in headers["Content-Type"] and b"<html" in data, (status, headers)

    def interrupt(self):
        status, body, start = self.submit(ksampler_prompt(self.seed + 300, steps=1000))
        pid = body["prompt_id"]
        assert self.ws.wait_for(lambda ms: any(m["type"] == "progress" for _, m in ms[start:]), 5)
        assert self.inst.http("POST", "/interrupt", {"prompt_id": "00000000-0000-0000-0000-000000000000"})[0] == 200
        count = len(self.ws.messages)
        assert self.ws.wait_for(lambda ms: any(m["type"] == "progress" for _, m in ms[count:]), 5), \
            "an interrupt for another prompt stopped the running one"
        assert self.inst.http("POST", "/interrupt", {"prompt_id": pid})[0] == 200
        self.ws.wait_for(lambda ms: prompt_done_index(ms, pid, start) is not None, 5)
        ends = [m["data"] for _, m in self.ws.messages[start:] if m["type"] == "execution_interrupted"]
        assert ends and ends[0]["node_id"] == "5" and ends[0]["node_type"] == "KSampler", ends
        assert set(ends[0]) == {"prompt_id", "node_id", "node_type", "executed", "timestamp"}
        assert self.inst.json("GET", f"/history/{pid}")[1][pid]["status"]["status_str"] == "error"

    def token_and_origin(self):
        inst = self.inst
        assert inst.http("GET", "/queue", auth=False)[0] == 401
        assert inst.http("GET", f"/queue?token={inst.token}", auth=False)[0] == 200
        assert inst.http("GET", "/api/queue", headers={"Authorization": "Bearer wrong"}, auth=False)[0] == 401
        assert WsClient(inst.port, "/ws?clientId=no-token").status == 401
        ws = WsClient(inst.port, f"/ws?clientId=query-token&token={inst.token}")
        assert ws.status == 101
        ws.close()
        assert inst.http("GET", "/queue", headers={"Origin": "http://evil.example"})[0] == 403
        assert inst.http("GET", "/queue", headers={"Origin": f"http://127.0.0.1:{inst.port}"})[0] == 200

    def websocket_ping_and_feature_flags(self):
        ws = WsClient(self.inst.port, "/ws?clientId=selfcheck-flags", self.inst.auth_headers())
        ws.send_json({"type": "feature_flags", "data": {"supports_preview_metadata": True}})
        ws.ping()
        assert ws.wait_for(lambda ms: len(ms) >= 2, 3)
        assert types_of(ws.messages) == ["status", "feature_flags"], types_of(ws.messages)
        ws.close()

    def crash_and_respawn(self):
        status, body, _ = self.submit({"1": {"class_type": "StandInCrash", "inputs": {"after_ms": 300}}})
        assert status == 200, status
        went_down = wait_until(lambda: not self.inst.answers(), 5)
        assert went_down, "the server did not go down"
        t0 = time.monotonic()
        assert wait_until(self.inst.answers, 8), "the server did not come back"
        back_after = time.monotonic() - t0
        assert self.inst.json("GET", f"/history/{body['prompt_id']}")[1] == {}, "history survived the crash"
        assert "exited with code 137; restarting" in self.inst.stderr_text(), "no supervisor log line"
        self.report.note(f"crash node: server back on port {self.inst.port} {back_after:.1f} s after going down")

    def run_all(self):
        self.check("success end to end over WebSocket, PNG via /view", self.success_end_to_end)
        self.check("missing checkpoint -> 400 value_not_in_list", lambda: self.validation_error(
            ksampler_prompt(1, ckpt="nope.safetensors"), "c missing checkpoint", "prompt_outputs_failed_validation",
            "value_not_in_list", "ckpt_name: 'nope.safetensors' not in ['broken-demo.safetensors', "
            "'corrupt-demo.safetensors', 'sd15-demo.safetensors', 'sdxl-demo.safetensors']"))
        self.check("unknown node class -> 400 invalid_prompt", lambda: self.validation_error(
            {"1": {"class_type": "NoSuchNodeXYZ", "inputs": {}}}, "d unknown class", "invalid_prompt", None,
            ("Cannot execute because node NoSuchNodeXYZ does not exist.", "Node ID '#1'")))
        self.check("prompt_id not a lowercase UUID -> 400 invalid_prompt_id", self.bad_prompt_id)
        self.check("out of GPU memory -> torch.OutOfMemoryError", lambda: self.runtime_error(
            ksampler_prompt(self.seed + 400, width=4096, height=4096), "torch.OutOfMemoryError", OOM_MESSAGE,
            "KSampler"))
        self.check("model missing at run time -> FileNotFoundError", lambda: self.runtime_error(
            ksampler_prompt(self.seed + 500, ckpt="broken-demo.safetensors"), "FileNotFoundError",
            "Model in folder 'checkpoints' with filename 'broken-demo.safetensors' not found.\n",
            "CheckpointLoaderSimple"))
        self.check("corrupt checkpoint -> SafetensorError", lambda: self.runtime_error(
            ksampler_prompt(self.seed + 600, ckpt="corrupt-demo.safetensors"),
            "safetensors._safetensors_rust.SafetensorError", "Error while deserializing header: header too large\n",
            "CheckpointLoaderSimple"))
        self.check("slowness: KSampler steps x --step-delay-ms", self.slowness)
        self.check("StandInServerError -> 500 aiohttp page", self.server_error)
        self.check("StandInGarbage html / garbage / truncated / history_garbage / history_html", self.garbage)
        self.check("targeted interrupt of a running KSampler", self.interrupt)
        self.check("--token (401, Bearer, ?token=) and Origin 403", self.token_and_origin)
        self.check("WebSocket feature_flags and ping", self.websocket_ping_and_feature_flags)
        self.check("StandInCrash kills the server, supervisor respawns it", self.crash_and_respawn)
        self.ws.close()

    def bad_prompt_id(self):
        for bad in ("not-a-uuid", "0BCB597C-74A3-4862-9592-AC4D9937BA6A", 1234567):
            status, body, _ = self.submit(ksampler_prompt(1), prompt_id=bad)
            assert status == 400 and body["error"]["type"] == "invalid_prompt_id", (bad, status, body)
            assert set(body) == {"error", "node_errors"} and set(body["error"]) == {
                "type", "message", "details", "extra_info"}
        good = "abf256d2-2967-481c-8845-c3c8b2afc644"
        status, body, _ = self.submit(ksampler_prompt(self.seed + 700), prompt_id=good)
        assert status == 200 and body["prompt_id"] == good, body
