"""Queue and history, ported from ComfyUI v0.8.0's PromptQueue (in memory only).

Items are (number, prompt_id, prompt, extra_data, outputs_to_execute) in a heap,
so /queue shows pending items in heap order exactly like the real server.
`on_change` is called wherever ComfyUI calls server.queue_updated(), which
broadcasts a "status" WebSocket message.
"""
import copy
import heapq
import threading

MAXIMUM_HISTORY_SIZE = 10000
SENSITIVE_EXTRA_DATA_KEYS = ("auth_token_comfy_org", "api_key_comfy_org")


class PromptQueue:
    def __init__(self, on_change):
        self.on_change = on_change
        self.mutex = threading.RLock()
        self.not_empty = threading.Condition(self.mutex)
        self.task_counter = 0
        self.queue = []
        self.currently_running = {}
        self.history = {}

    def put(self, item):
        with self.mutex:
            heapq.heappush(self.queue, item)
            self.on_change()
            self.not_empty.notify()

    def get(self):
        with self.not_empty:
            while not self.queue:
                self.not_empty.wait()
            item = heapq.heappop(self.queue)
            task_id = self.task_counter
            self.currently_running[task_id] = copy.deepcopy(item)
            self.task_counter += 1
            self.on_change()
            return item, task_id

    def task_done(self, task_id, history_result, status):
        with self.mutex:
            prompt = self.currently_running.pop(task_id)
            if len(self.history) > MAXIMUM_HISTORY_SIZE:
                self.history.pop(next(iter(self.history)))
            for key in SENSITIVE_EXTRA_DATA_KEYS:
                prompt[3].pop(key, None)
            entry = {"prompt": prompt, "outputs": {}, "status": copy.deepcopy(status)}
            entry.update(history_result)
            self.history[prompt[1]] = entry
            self.on_change()

    def running_and_pending(self):
        with self.mutex:
            return list(self.currently_running.values()), list(self.queue)

    def tasks_remaining(self):
        with self.mutex:
            return len(self.queue) + len(self.currently_running)

    def wipe_queue(self):
        with self.mutex:
            self.queue = []
            self.on_change()

    def delete_queue_item(self, prompt_id):
        with self.mutex:
            for i, item in enumerate(self.queue):
                if item[1] == prompt_id:
                    if len(self.queue) == 1:
                        self.wipe_queue()
                    else:
                        self.queue.pop(i)
                        heapq.heapify(self.queue)
                    self.on_change()
                    return True
        return False

    def get_history(self, prompt_id=None, max_items=None, offset=-1):
        with self.mutex:
            if prompt_id is None:
                out = {}
                if offset < 0 and max_items is not None:
                    offset = len(self.history) - max_items
                for i, key in enumerate(self.history):
                    if i >= offset:
                        out[key] = copy.deepcopy(self.history[key])
                        if max_items is not None and len(out) >= max_items:
                            break
                return out
            if prompt_id in self.history:
                return {prompt_id: copy.deepcopy(self.history[prompt_id])}
            return {}

    def wipe_history(self):
        with self.mutex:
            self.history = {}

    def delete_history_item(self, prompt_id):
        with self.mutex:
            self.history.pop(prompt_id, None)
