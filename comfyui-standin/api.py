"""The ComfyUI routes (server.py of v0.8.0), wired to the queue, the executor and the
WebSocket hub. Unexpected Python errors become aiohttp's 500 page in http_server,
exactly where the real handlers would raise (e.g. malformed JSON bodies)."""
import functools
import json
import re
import sys
import threading
import time
import uuid

import config
import faults
import files
import jobs
import object_info
import validation
import websocket
from http_server import Reply, compile_routes, empty, json_reply
from nodes import CUSTOM_VALIDATION

_CANONICAL_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")

MODEL_FOLDERS = ["checkpoints", "configs", "loras", "vae", "text_encoders", "diffusion_models", "clip_vision",
                 "style_models", "embeddings", "diffusers", "vae_approx", "controlnet", "gligen", "upscale_models",
                 "latent_upscale_models", "custom_nodes", "hypernetworks", "photomaker", "classifiers",
                 "model_patches", "audio_encoders"]

_ROOT_PAGE = (b"<!doctype html>\n<html><head><title>ComfyUI stand-in</title></head><body>"
              b"ComfyUI stand-in: API only (see /object_info)</body></html>\n")


def _error_body(kind, message, details):
    return {"error": {"type": kind, "message": message, "details": details, "extra_info": {}}, "node_errors": {}}


def _memory():
    """(total, available) RAM in bytes, for /system_stats."""
    try:
        with open("/proc/meminfo") as f:
            info = {line.split(":")[0]: int(line.split()[1]) * 1024 for line in f}
        return info["MemTotal"], info.get("MemAvailable", info.get("MemFree", 0))
    except (OSError, KeyError, ValueError, IndexError):
        return 0, 0


class Api:
    def __init__(self, cfg, queue, hub, executor):
        self.cfg = cfg
        self.queue = queue
        self.hub = hub
        self.executor = executor
        self.number = 0
        self.number_lock = threading.Lock()
        self.garbage_history = {}  # prompt id -> history_garbage | history_html
        self.custom_validation = {name: (inputs, functools.partial(check, cfg))
                                  for name, (inputs, check) in CUSTOM_VALIDATION.items()}
        self.route = compile_routes([
            ("GET", "/", self.root),
            ("GET", "/ws", self.ws),
            ("GET", "/embeddings", lambda r: json_reply([])),
            ("GET", "/extensions", lambda r: json_reply([])),
            ("GET", "/models", lambda r: json_reply(MODEL_FOLDERS)),
            ("GET", "/models/{folder}", self.models),
            ("POST", "/upload/image", lambda r: files.upload_image(r, cfg)),
            ("GET", "/view", lambda r: files.view(r, cfg)),
            ("GET", "/system_stats", self.system_stats),
            ("GET", "/features", lambda r: json_reply(websocket.SERVER_FEATURES)),
            ("GET", "/prompt", lambda r: json_reply(self.queue_info())),
            ("POST", "/prompt", self.post_prompt),
            ("GET", "/object_info", lambda r: json_reply(object_info.build(cfg))),
            ("GET", "/object_info/{node_class}", self.object_info_node),
            ("GET", "/history", self.history),
            ("GET", "/history/{prompt_id}", self.history_item),
            ("POST", "/history", self.post_history),
            ("GET", "/queue", self.get_queue),
            ("POST", "/queue", self.post_queue),
            ("POST", "/interrupt", self.interrupt),
            ("GET", "/jobs", lambda r: json_reply(jobs.list_jobs(self.queue, r.query))),
            ("GET", "/jobs/{prompt_id}", self.job),
        ])

    def queue_info(self):
        return {"exec_info": {"queue_remaining": self.queue.tasks_remaining()}}

    def root(self, request):
        return Reply(200, _ROOT_PAGE, "text/html", [("Cache-Control", "no-cache")])

    def ws(self, request):
        if not self.cfg.websocket:
            return empty(404)
        handler = request.handler
        key = request.headers.get("Sec-WebSocket-Key")
        if request.headers.get("Upgrade", "").lower() != "websocket" or not key:
            return Reply(400, b"400: Bad Request (WebSocket upgrade expected)", "text/plain; charset=utf-8")
        sid = request.query.get("clientId") or uuid.uuid4().hex

        def handshake():
            handler.send_response(101, "Switching Protocols")
            handler.send_header("Upgrade", "websocket")
            handler.send_header("Connection", "upgrade")
            handler.send_header("Sec-WebSocket-Accept", websocket.accept_key(key))
            handler.end_headers()
            handler.wfile.flush()
            handler._log(101)
            time.sleep(self.cfg.ws_accept_delay_ms / 1000.0)

        def greeting():
            self.hub.send("status", {"status": self.queue_info(), "sid": sid}, sid)
            # A client reconnecting while its prompt runs learns the current node, as in ComfyUI.
            if self.executor.client_id == sid and self.executor.last_node_id is not None:
                self.hub.send("executing", {"node": self.executor.last_node_id}, sid)
        websocket.serve(websocket.Connection(handler.connection, handler.rfile), sid, self.hub, handshake, greeting)
        return None

    def models(self, request):
        folder = request.params["folder"]
        if folder not in MODEL_FOLDERS:
            return empty(404)
        listed = {"checkpoints": config.checkpoint_names(self.cfg), "loras": sorted(self.cfg.loras)}
        return json_reply(listed.get(folder, []))

    def system_stats(self, request):
        ram_total, ram_free = _memory()
        vram_total = self.cfg.vram_pixels * 4096  # the default budget (2048x2048) reads as a 16 GiB card
        return json_reply({
            "system": {
                "os": sys.platform, "ram_total": ram_total, "ram_free": ram_free,
                "comfyui_version": "0.8.0-standin", "required_frontend_version": "1.35.9",
                "installed_templates_version": None, "required_templates_version": "0.7.67",
                "python_version": sys.version, "pytorch_version": "none (comfyui-standin)",
                "embedded_python": False, "argv": config.redacted_argv(sys.argv)},
            "devices": [{"name": "cuda:0 ComfyUI stand-in (no real GPU) : cudaMallocAsync", "type": "cuda",
                         "index": 0, "vram_total": vram_total, "vram_free": vram_total - 512 * 1024 * 1024,
                         "torch_vram_total": 0, "torch_vram_free": 0}],
        })

    def object_info_node(self, request):
        info = object_info.build(self.cfg)
        name = request.params["node_class"]
        return json_reply({name: info[name]} if name in info else {})

    def _next_number(self, body):
        with self.number_lock:
            if "number" in body:
                return float(body["number"])
            number = -self.number if body.get("front") else self.number
            self.number += 1
            return number

    def post_prompt(self, request):
        body = json.loads(request.body())
        if not isinstance(body, (dict, list, str)):
            raise TypeError(f"argument of type '{type(body).__name__}' is not iterable")
        number = self._next_number(body if isinstance(body, dict) else {})
        if "prompt" not in body:
            return json_reply(_error_body("no_prompt", "No prompt provided", "No prompt provided"), 400)
        prompt = body["prompt"]  # a list or str body fails here with TypeError -> 500, as in ComfyUI
        if "prompt_id" in body:
            # Newer ComfyUI accepts a client-chosen id only as a canonical lowercase UUID.
            prompt_id = body["prompt_id"]
            if not isinstance(prompt_id, str) or not _CANONICAL_UUID.match(prompt_id):
                return json_reply(_error_body("invalid_prompt_id", "Invalid prompt_id",
                                              "prompt_id must be a lowercase UUID like "
                                              "'0bcb597c-74a3-4862-9592-ac4d9937ba6a'"), 400)
        else:
            prompt_id = str(uuid.uuid4())
        classes = [n.get("class_type") for n in prompt.values() if isinstance(n, dict)] \
            if isinstance(prompt, dict) else []
        if "StandInServerError" in classes:
            raise RuntimeError("StandInServerError node: simulated crash in the request handler")

        validator = validation.Validator(object_info.build(self.cfg), self.custom_validation)
        ok, error, outputs, node_errors = validator.validate_prompt(prompt)
        if not ok:
            print(f"standin: invalid prompt: {error['type']}: {error['message']}", file=sys.stderr)
            return json_reply({"error": error, "node_errors": node_errors}, 400)

        extra_data = body.get("extra_data", {})
        if "client_id" in body:
            extra_data["client_id"] = body["client_id"]
        extra_data["create_time"] = int(time.time() * 1000)
        garbage = self._garbage_mode(prompt)
        if garbage == "html":
            return Reply(200, *faults.html_page())
        if garbage == "garbage":
            return Reply(200, *faults.random_bytes())
        if garbage in ("history_garbage", "history_html"):
            self.garbage_history[prompt_id] = garbage
        self.queue.put((number, prompt_id, prompt, extra_data, outputs))
        reply = json_reply({"prompt_id": prompt_id, "number": number, "node_errors": node_errors})
        if garbage == "truncated":
            reply.body = faults.cut_in_half(reply.body)
        return reply

    @staticmethod
    def _garbage_mode(prompt):
        for node in prompt.values():
            if node["class_type"] == "StandInGarbage":
                return node.get("inputs", {}).get("mode")
        return None

    def history(self, request):
        max_items = request.query.get("max_items")
        offset = request.query.get("offset")
        return json_reply(self.queue.get_history(max_items=int(max_items) if max_items is not None else None,
                                                 offset=int(offset) if offset is not None else -1))

    def history_item(self, request):
        prompt_id = request.params["prompt_id"]
        mode = self.garbage_history.get(prompt_id)
        if mode == "history_html":
            return Reply(200, *faults.html_page())
        reply = json_reply(self.queue.get_history(prompt_id))
        if mode == "history_garbage":
            reply.body = faults.cut_in_half(reply.body)
        return reply

    def post_history(self, request):
        body = json.loads(request.body())
        if body.get("clear"):
            self.queue.wipe_history()
        for prompt_id in body.get("delete", []):
            self.queue.delete_history_item(prompt_id)
        return empty(200)

    def get_queue(self, request):
        running, pending = self.queue.running_and_pending()
        return json_reply({"queue_running": running, "queue_pending": pending})

    def post_queue(self, request):
        body = json.loads(request.body())
        if body.get("clear"):
            self.queue.wipe_queue()
        for prompt_id in body.get("delete", []):
            self.queue.delete_queue_item(prompt_id)
        return empty(200)

    def interrupt(self, request):
        try:
            body = json.loads(request.body())
        except ValueError:
            body = {}
        prompt_id = body.get("prompt_id")
        if not prompt_id:
            print("standin: global interrupt (no prompt_id specified)", file=sys.stderr)
            self.executor.interrupt.set()
        elif any(item[1] == prompt_id for item in self.queue.running_and_pending()[0]):
            print(f"standin: interrupting prompt {prompt_id}", file=sys.stderr)
            self.executor.interrupt.set()
        else:
            print(f"standin: prompt {prompt_id} is not currently running, skipping interrupt", file=sys.stderr)
        return empty(200)

    def job(self, request):
        found = jobs.get_job(self.queue, request.params["prompt_id"])
        return json_reply(found) if found is not None else json_reply({"error": "Job not found"}, 404)
