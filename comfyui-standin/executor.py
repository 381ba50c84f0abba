"""Runs queued prompts one at a time, emitting ComfyUI v0.8.0's WebSocket messages.

Follows execution.PromptExecutor and main.prompt_worker: the same message
order (execution_start, execution_cached, progress_state/executing/executed per
node, execution_success|execution_error|execution_interrupted, then the queue
"status" and "executing" with node null), the same routing (execution events
only to the prompt's client_id; progress messages and interrupts are broadcast
when there is none) and ComfyUI's classic output cache (a node whose inputs did
not change since the last prompt is not run again).
"""
import hashlib
import json
import threading
import time
import traceback

import failures
import nodes
import websocket


def _now_ms():
    return int(time.time() * 1000)


def _is_link(value):
    return isinstance(value, list) and len(value) == 2


def _format_value(x):
    """execution.format_value: plain values stay, everything else is shown as str()."""
    return x if x is None or isinstance(x, (int, float, bool, str)) else str(x)


class ProgressRegistry:
    """comfy_execution.progress: per-node state, published as a whole in progress_state."""

    def __init__(self, prompt_id, send):
        self.prompt_id = prompt_id
        self.send = send
        self.nodes = {}

    def _publish(self):
        active = {node_id: {"value": s["value"], "max": s["max"], "state": s["state"], "node_id": node_id,
                            "prompt_id": self.prompt_id, "display_node_id": node_id, "parent_node_id": None,
                            "real_node_id": node_id}
                  for node_id, s in self.nodes.items() if s["state"] != "pending"}
        self.send("progress_state", {"prompt_id": self.prompt_id, "nodes": active})

    def _entry(self, node_id):
        return self.nodes.setdefault(node_id, {"state": "pending", "value": 0, "max": 1})

    def start(self, node_id):
        self._entry(node_id).update(state="running", value=0.0, max=1.0)
        self._publish()

    def update(self, node_id, value, max_value):
        self._entry(node_id).update(state="running", value=value, max=max_value)
        self._publish()

    def finish(self, node_id):
        entry = self._entry(node_id)
        entry.update(state="finished", value=entry["max"])
        self._publish()


class NodeContext:
    """What a running node may use: config, interruptible waits and the progress hook."""

    def __init__(self, run, node_id):
        self.cfg = run.executor.cfg
        self.node_id = node_id
        self._run = run

    def wait(self, seconds):
        if self._run.executor.interrupt.wait(seconds):
            raise failures.Interrupted()

    def progress(self, value, max_value, preview=None):
        """main.hijack_progress's hook: interrupt check, progress_state, previews, progress."""
        run, hub = self._run, self._run.executor.hub
        run.executor.check_interrupt()
        run.progress.update(self.node_id, value, max_value)
        supports_metadata = preview is not None and hub.supports(run.client_id, "supports_preview_metadata")
        if supports_metadata:
            metadata = json.dumps({"node_id": self.node_id, "prompt_id": run.prompt_id,
                                   "display_node_id": self.node_id, "parent_node_id": None,
                                   "real_node_id": self.node_id, "image_type": "image/png"}).encode()
            hub.send_bytes(websocket.PREVIEW_IMAGE_WITH_METADATA,
                           len(metadata).to_bytes(4, "big") + metadata + preview, run.client_id)
        hub.send("progress", {"value": value, "max": max_value, "prompt_id": run.prompt_id, "node": self.node_id},
                 run.client_id)
        if preview is not None and not supports_metadata:
            hub.send_bytes(websocket.PREVIEW_IMAGE, (2).to_bytes(4, "big") + preview, run.client_id)  # 2 = PNG


class Run:
    """One execution of one prompt."""

    def __init__(self, executor, prompt, prompt_id, extra_data):
        self.executor = executor
        self.prompt = prompt
        self.prompt_id = prompt_id
        self.extra_data = extra_data
        self.client_id = extra_data.get("client_id")
        self.messages = []
        self.executed = []
        self.progress = ProgressRegistry(prompt_id, lambda event, data: executor.hub.send(event, data, self.client_id))

    def add_message(self, event, data, broadcast=False):
        data = {**data, "timestamp": _now_ms()}
        self.messages.append((event, data))
        if self.client_id is not None or broadcast:
            self.executor.hub.send(event, data, self.client_id)

    def send_to_client(self, event, data):
        if self.client_id is not None:
            self.executor.hub.send(event, data, self.client_id)


class ExecutionList:
    """comfy_execution.graph.ExecutionList (without lazy inputs and subgraphs): the same
    traversal and the same "UX friendly" pick, so nodes run in ComfyUI's order. Cached
    inputs are not staged; a cached output is (it re-sends its "executed")."""

    def __init__(self, prompt, cached, is_output):
        self.prompt = prompt
        self.cached = cached
        self.is_output = is_output
        self.pending = {}       # insertion-ordered set
        self.block_count = {}   # node -> number of nodes it waits for
        self.blocking = {}      # node -> nodes waiting for it

    def add_node(self, node_id):
        stack, links = [node_id], []
        while stack:
            unique_id = stack.pop()
            if unique_id in self.pending:
                continue
            self.pending[unique_id] = True
            self.block_count[unique_id] = 0
            self.blocking[unique_id] = {}
            for value in self.prompt[unique_id]["inputs"].values():
                if _is_link(value) and value[0] not in self.cached:
                    stack.append(value[0])
                    links.append((value[0], unique_id))
        for from_id, to_id in links:
            if to_id not in self.blocking[from_id]:
                self.blocking[from_id][to_id] = True
                self.block_count[to_id] += 1

    def is_empty(self):
        return not self.pending

    def pick(self):
        ready = [n for n in self.pending if self.block_count[n] == 0]
        for node_id in ready:
            if self.is_output(node_id):
                return node_id
        for node_id in ready:  # e.g. VAEDecode -> SaveImage
            if any(self.is_output(b) for b in self.blocking[node_id]):
                return node_id
        for node_id in ready:  # e.g. VAELoader -> VAEDecode -> SaveImage
            if any(self.is_output(b2) for b in self.blocking[node_id] for b2 in self.blocking[b]):
                return node_id
        return ready[0]

    def complete(self, node_id):
        del self.pending[node_id]
        for blocked in self.blocking.pop(node_id):
            self.block_count[blocked] -= 1


class Executor:
    def __init__(self, cfg, specs, queue, hub):
        self.cfg = cfg
        self.specs = specs
        self.queue = queue
        self.hub = hub
        self.interrupt = threading.Event()
        self.client_id = None      # of the prompt being executed, for WebSocket reconnects
        self.last_node_id = None
        self.outputs_cache = {}    # signature -> outputs tuple
        self.ui_cache = {}         # signature -> {"meta": ..., "output": ...}

    def start(self):
        threading.Thread(target=self._worker, name="prompt-worker", daemon=True).start()

    def check_interrupt(self):
        if self.interrupt.is_set():
            raise failures.Interrupted()

    def _worker(self):
        while True:
            item, task_id = self.queue.get()
            prompt_id = item[1]
            try:
                history_result, success, messages = self.execute(item[2], prompt_id, item[3], item[4])
            except Exception:  # a stand-in bug must not stop the queue; record the prompt as failed
                traceback.print_exc()
                history_result, success, messages = {"outputs": {}, "meta": {}}, False, []
            self.queue.task_done(task_id, history_result,
                                 {"status_str": "success" if success else "error", "completed": success,
                                  "messages": messages})
            if self.client_id is not None:
                self.hub.send("executing", {"node": None, "prompt_id": prompt_id}, self.client_id)

    def _signatures(self, prompt):
        """Cache keys like ComfyUI's CacheKeySetInputSignature: class, inputs, and the upstream keys."""
        sigs = {}

        def sig(node_id):
            if node_id not in sigs:
                node = prompt[node_id]
                inputs = node["inputs"]
                changed = nodes.IS_CHANGED.get(node["class_type"])
                parts = [node["class_type"], changed(self.cfg, inputs) if changed else None]
                if node["class_type"] in nodes.NEVER_CACHED:
                    parts.append(("run", time.monotonic_ns()))
                for name in sorted(inputs):
                    value = inputs[name]
                    parts.append((name, ["link", sig(value[0]), value[1]] if _is_link(value) else value))
                # A digest, not the JSON itself: nesting JSON strings would double the escaping per level.
                sigs[node_id] = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()
            return sigs[node_id]
        return sig

    @staticmethod
    def _reachable(prompt, outputs):
        """The validated part of the prompt: outputs and what they link to. Other nodes may be
        invalid (ComfyUI runs the valid outputs of a partly invalid prompt) and are left alone."""
        seen, stack = [], list(outputs)
        while stack:
            node_id = stack.pop()
            if node_id not in seen:
                seen.append(node_id)
                stack += [v[0] for v in prompt[node_id]["inputs"].values() if _is_link(v)]
        return [node_id for node_id in prompt if node_id in seen]

    def execute(self, prompt, prompt_id, extra_data, outputs):
        self.interrupt.clear()
        self.client_id = extra_data.get("client_id")
        run = Run(self, prompt, prompt_id, extra_data)
        run.add_message("execution_start", {"prompt_id": prompt_id})
        sig = self._signatures(prompt)
        used = self._reachable(prompt, outputs)
        current = {sig(node_id) for node_id in used}
        # The classic cache keeps only what the current prompt can use.
        for cache in (self.outputs_cache, self.ui_cache):
            for key in [k for k in cache if k not in current]:
                del cache[key]
        cached = [node_id for node_id in used if sig(node_id) in self.outputs_cache]
        run.add_message("execution_cached", {"nodes": cached, "prompt_id": prompt_id})

        success = True
        pending = ExecutionList(prompt, set(cached), lambda n: self.specs[prompt[n]["class_type"]]["output_node"])
        for output in outputs:
            pending.add_node(output)
        while not pending.is_empty():
            node_id = pending.pick()
            failure = self._run_node(run, node_id, sig)
            if failure is not None:
                success = False
                self._report(run, node_id, *failure)
                break
            pending.complete(node_id)
        else:
            run.add_message("execution_success", {"prompt_id": prompt_id})

        ui = {node_id: self.ui_cache[sig(node_id)] for node_id in used if sig(node_id) in self.ui_cache}
        self.last_node_id = None
        return ({"outputs": {k: v["output"] for k, v in ui.items()}, "meta": {k: v["meta"] for k, v in ui.items()}},
                success, run.messages)

    def _inputs(self, run, node_id, sig):
        node = run.prompt[node_id]
        values = {}
        for name, value in node["inputs"].items():
            values[name] = self.outputs_cache[sig(value[0])][value[1]] if _is_link(value) else value
        hidden = {"PROMPT": run.prompt, "EXTRA_PNGINFO": run.extra_data.get("extra_pnginfo"), "UNIQUE_ID": node_id}
        spec_hidden = self.specs[node["class_type"]]["input"].get("hidden", {})
        values.update({name: hidden.get(kind) for name, kind in spec_hidden.items()})
        return values

    def _run_node(self, run, node_id, sig):
        """execution.execute for one node; returns (exception, inputs) on failure."""
        class_type = run.prompt[node_id]["class_type"]
        key = sig(node_id)
        if key in self.outputs_cache:
            run.send_to_client("executed", {"node": node_id, "display_node": node_id,
                                            "output": self.ui_cache.get(key, {}).get("output"),
                                            "prompt_id": run.prompt_id})
            run.progress.finish(node_id)
            return None
        run.progress.start(node_id)
        inputs = self._inputs(run, node_id, sig)
        if run.client_id is not None:
            self.last_node_id = node_id
            run.send_to_client("executing", {"node": node_id, "display_node": node_id, "prompt_id": run.prompt_id})
        try:
            self.check_interrupt()
            outputs, ui = nodes.RUN[class_type](NodeContext(run, node_id), **inputs)
        except Exception as ex:
            return ex, inputs
        if ui:
            self.ui_cache[key] = {"meta": {"node_id": node_id, "display_node": node_id, "parent_node": None,
                                           "real_node_id": node_id}, "output": ui}
            run.send_to_client("executed", {"node": node_id, "display_node": node_id, "output": ui,
                                            "prompt_id": run.prompt_id})
        self.outputs_cache[key] = outputs
        run.progress.finish(node_id)
        run.executed.append(node_id)
        return None

    def _report(self, run, node_id, error, inputs):
        """PromptExecutor.handle_execution_error."""
        base = {"prompt_id": run.prompt_id, "node_id": node_id, "node_type": run.prompt[node_id]["class_type"],
                "executed": list(run.executed)}
        if isinstance(error, failures.Interrupted):
            run.add_message("execution_interrupted", base, broadcast=True)
            return
        if isinstance(error, failures.NodeFailure):
            kind, message, tb = error.exception_type, error.exception_message, error.traceback
        else:  # a bug in a stand-in node: report it the way ComfyUI reports any Python exception
            klass = type(error)
            kind = klass.__qualname__ if klass.__module__ == "builtins" else f"{klass.__module__}.{klass.__qualname__}"
            message, tb = f"{error}\n", traceback.format_tb(error.__traceback__)
        current_inputs = {name: [_format_value(v)] for name, v in inputs.items()}
        run.add_message("execution_error", {**base, "exception_message": message, "exception_type": kind,
                                            "traceback": tb, "current_inputs": current_inputs,
                                            "current_outputs": list(run.prompt)})
