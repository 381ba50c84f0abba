"""/object_info: the recorded v0.8.0 node specs of the implemented classes, plus the
stand-in's trigger nodes. Validation reads the same specs, so what a client sees
here is exactly what POST /prompt accepts."""
import copy
import gzip
import json
import os

import config

_RECORDED_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "data", "object_info.json.gz")

IMPLEMENTED = [
    "CheckpointLoaderSimple", "LoraLoader", "CLIPTextEncode", "EmptyLatentImage", "KSampler", "VAEDecode",
    "SaveImage", "PreviewImage", "SaveImageWebsocket", "LoadImage", "EmptyImage", "ImageInvert", "ImageScale",
]


def _trigger_node(name, display_name, description, required=None, optional=None):
    inputs = {"required": required or {}}
    if optional:
        inputs["optional"] = optional
    return {
        "input": inputs,
        "input_order": {k: list(v) for k, v in inputs.items()},
        "output": [], "output_is_list": [], "output_name": [],
        "name": name, "display_name": display_name, "description": description,
        "python_module": "custom_nodes.comfyui_standin", "category": "stand-in/failures", "output_node": True,
    }


TRIGGER_NODES = {
    "StandInCrash": _trigger_node(
        "StandInCrash", "Stand-in: crash the server",
        "While the prompt runs, the server process exits abruptly (exit code 137); the supervisor restarts it.",
        optional={"after_ms": ["INT", {"default": 0, "min": 0, "max": 600000,
                                       "tooltip": "How long the node runs before the crash."}]}),
    "StandInServerError": _trigger_node(
        "StandInServerError", "Stand-in: HTTP 500 on submit",
        "POST /prompt answers 500 with aiohttp's default error page; nothing is queued."),
    "StandInGarbage": _trigger_node(
        "StandInGarbage", "Stand-in: garbage answers",
        "html: POST /prompt answers 200 with an HTML page; garbage: 200 with random bytes; "
        "truncated: the prompt is queued but the 200 JSON is cut in half; "
        "history_garbage: accepted normally, then /history/{id} answers truncated JSON; "
        "history_html: accepted normally, then /history/{id} answers 200 with an HTML page.",
        required={"mode": [["html", "garbage", "truncated", "history_garbage", "history_html"], {"default": "html"}]}),
}


def _load_recorded():
    with gzip.open(_RECORDED_PATH, "rt", encoding="utf-8") as f:
        recorded = json.load(f)
    return {name: recorded[name] for name in IMPLEMENTED}


_RECORDED = _load_recorded()


def input_files(cfg):
    """LoadImage's list: files directly in the input folder, like ComfyUI."""
    try:
        return sorted(f for f in os.listdir(cfg.input_dir) if os.path.isfile(os.path.join(cfg.input_dir, f)))
    except FileNotFoundError:
        return []


def build(cfg):
    """The full /object_info answer for the current configuration and input folder."""
    info = copy.deepcopy(_RECORDED)
    info["CheckpointLoaderSimple"]["input"]["required"]["ckpt_name"][0] = config.checkpoint_names(cfg)
    info["LoraLoader"]["input"]["required"]["lora_name"][0] = sorted(cfg.loras)
    info["LoadImage"]["input"]["required"]["image"][0] = input_files(cfg)
    info.update(copy.deepcopy(TRIGGER_NODES))
    return info
