"""Recursive comparison of a recorded JSON answer with the stand-in's.

Key sets and types must match everywhere; values must match for the keys that
carry meaning (error types, messages, details, statuses, node ids, file names).
Prompt ids are translated through `idmap` (recorded id -> stand-in id). Dicts
keyed by ids (prompts, node_errors, outputs, history) are compared per common key.
Entries of prompts the checker had to substitute (see replay.py) are compared
by shape only.
"""
import re

VALUE_KEYS = {
    "type", "message", "details", "status_str", "completed", "exception_type", "exception_message", "node_type",
    "class_type", "input_name", "received_value", "received_type", "linked_node", "input_config",
    "dependent_outputs", "filename", "subfolder", "name", "node", "display_node", "node_id", "executed", "nodes",
    "status", "mediaType", "nodeId", "outputs_count", "total", "has_more", "error",
}
FREE_LENGTH = {"traceback", "argv"}  # our frames and command line differ in length, by nature
MACHINE = ("$.system", "$.devices")     # /system_stats describes a different machine
_UUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_TEMP_NAME = re.compile(r"ComfyUI_temp_[a-z]{5}_")


class Comparer:
    def __init__(self, idmap, substituted, normalize=lambda s: s):
        self.idmap = idmap              # recorded prompt id -> stand-in prompt id
        self.substituted = substituted  # recorded ids whose prompts were replaced
        self.normalize = normalize      # maps stand-in paths to the recorded ones
        self.filenames = {}             # recorded temp file name -> ours, for later /view requests

    def _dynamic(self, key):
        return key.isdigit() or bool(_UUID.match(key)) or key in self.idmap or key in self.substituted

    def _substituted(self, exp):
        if isinstance(exp, list) and len(exp) == 5 and isinstance(exp[1], str):
            return exp[1] in self.substituted  # a queue / history prompt tuple
        if isinstance(exp, dict):
            return exp.get("prompt_id") in self.substituted or exp.get("id") in self.substituted
        return False

    def compare(self, exp, act, path="$", key=None, lenient=False):
        diffs = []
        self._walk(exp, act, path, key, lenient or self._substituted(exp), diffs)
        return diffs

    def _walk(self, exp, act, path, key, lenient, diffs):
        lenient = lenient or self._substituted(exp)
        if isinstance(exp, dict):
            if not isinstance(act, dict):
                diffs.append(f"{path}: expected object, got {type(act).__name__}")
                return
            keys = list(exp) or list(act)
            if keys and all(self._dynamic(k) for k in keys):
                if bool(exp) != bool(act):
                    diffs.append(f"{path}: expected {'a non-empty' if exp else 'an empty'} object, got {len(act)} keys")
                if lenient:
                    return
                for k, v in exp.items():
                    mapped = self.idmap.get(k, k)
                    if mapped in act:
                        self._walk(v, act[mapped], f"{path}.{k}", k, lenient or k in self.substituted, diffs)
                return
            missing, extra = set(exp) - set(act), set(act) - set(exp)
            if missing or extra:
                diffs.append(f"{path}: keys differ (missing {sorted(missing)}, extra {sorted(extra)})")
            for k in exp:
                if k in act:
                    self._walk(exp[k], act[k], f"{path}.{k}", k, lenient, diffs)
        elif isinstance(exp, list):
            if not isinstance(act, list):
                diffs.append(f"{path}: expected list, got {type(act).__name__}")
                return
            if len(exp) != len(act) and key not in FREE_LENGTH and not lenient:
                diffs.append(f"{path}: expected {len(exp)} items, got {len(act)}")
            for i, (e, a) in enumerate(zip(exp, act)):
                self._walk(e, a, f"{path}[{i}]", key, lenient, diffs)
        else:
            self._scalar(exp, act, path, key, lenient, diffs)

    def _scalar(self, exp, act, path, key, lenient, diffs):
        def kind(v):
            return "number" if isinstance(v, (int, float)) and not isinstance(v, bool) else type(v).__name__
        if kind(exp) != kind(act):
            diffs.append(f"{path}: expected {kind(exp)} {exp!r}, got {kind(act)} {act!r}")
        elif isinstance(exp, str) and exp in self.idmap and not lenient:
            if act != self.idmap[exp]:
                diffs.append(f"{path}: expected id of recorded {exp}, got {act!r}")
        elif key in VALUE_KEYS and not lenient and not path.startswith(MACHINE):
            if key == "filename" and _TEMP_NAME.match(exp):
                self.filenames[exp] = act
            if isinstance(act, str):
                act = _TEMP_NAME.sub("ComfyUI_temp_xxxxx_", self.normalize(act))
                exp = _TEMP_NAME.sub("ComfyUI_temp_xxxxx_", exp)
            if exp != act:
                diffs.append(f"{path}: expected {exp!r}, got {act!r}")
