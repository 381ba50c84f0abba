"""Command-line flags; each also reads COMFY_STANDIN_<FLAG> from the environment."""
import argparse
import os
import tempfile

DEFAULT_BASE = os.path.join(tempfile.gettempdir(), "comfyui-standin")
TEMP_DIR_ENV = "COMFY_STANDIN_TEMP_DIR"


def _env(name, default):
    return os.environ.get("COMFY_STANDIN_" + name.upper().replace("-", "_"), default)


def _names(text):
    return [n.strip() for n in text.split(",") if n.strip()]


def _on_off(text):
    if text not in ("on", "off"):
        raise argparse.ArgumentTypeError("expected on or off")
    return text == "on"


def parse(argv):
    p = argparse.ArgumentParser(
        prog="standin.py",
        description="Local stand-in for a ComfyUI v0.8.0 server (HTTP + WebSocket API, no GPU, no models).")
    p.add_argument("--host", default=_env("host", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(_env("port", os.environ.get("PORT", "8188"))))
    p.add_argument("--output-dir", default=_env("output-dir", os.path.join(DEFAULT_BASE, "output")),
                   help="where SaveImage writes (default: %(default)s)")
    p.add_argument("--input-dir", default=_env("input-dir", os.path.join(DEFAULT_BASE, "input")),
                   help="LoadImage / upload folder (default: %(default)s)")
    p.add_argument("--models", type=_names,
                   default=_names(_env("models", "sd15-demo.safetensors,sdxl-demo.safetensors")),
                   help="checkpoints that load fine (comma list)")
    p.add_argument("--broken-models", type=_names, default=_names(_env("broken-models", "broken-demo.safetensors")),
                   help="checkpoints that are listed but missing at run time (FileNotFoundError)")
    p.add_argument("--corrupt-models", type=_names, default=_names(_env("corrupt-models", "corrupt-demo.safetensors")),
                   help="checkpoints that are listed but fail to load (SafetensorError)")
    p.add_argument("--loras", type=_names, default=_names(_env("loras", "detail-demo.safetensors")))
    p.add_argument("--step-delay-ms", type=float, default=float(_env("step-delay-ms", "20")),
                   help="KSampler sleeps this long per step")
    p.add_argument("--vram-pixels", type=int, default=int(_env("vram-pixels", str(2048 * 2048))),
                   help="EmptyLatentImage width*height*batch_size above this runs out of GPU memory in KSampler")
    p.add_argument("--websocket", type=_on_off, default=_on_off(_env("websocket", "on")), metavar="on|off",
                   help="off: /ws answers 404, clients must poll /history")
    p.add_argument("--ws-accept-delay-ms", type=float, default=float(_env("ws-accept-delay-ms", "0")),
                   help="the thread that accepts a WebSocket pauses this long after its 101, as on a busy machine")
    p.add_argument("--token", default=_env("token", "") or None,
                   help="require Authorization: Bearer <token> or ?token=<token> on every route")
    p.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)  # internal: run the server itself
    cfg = p.parse_args(argv)
    cfg.output_dir = os.path.abspath(cfg.output_dir)
    cfg.input_dir = os.path.abspath(cfg.input_dir)
    # PreviewImage's folder; the supervisor creates one per run and hands it to each server process.
    cfg.temp_dir = os.environ.get(TEMP_DIR_ENV)
    return cfg


def checkpoint_names(cfg):
    """What CheckpointLoaderSimple lists: every configured name, sorted like ComfyUI's file lists."""
    return sorted(set(cfg.models) | set(cfg.broken_models) | set(cfg.corrupt_models))


def redacted_argv(argv):
    """argv for /system_stats with the token value hidden."""
    out, hide_next = [], False
    for arg in argv:
        if hide_next:
            out.append("***")
            hide_next = False
        elif arg == "--token":
            out.append(arg)
            hide_next = True
        elif arg.startswith("--token="):
            out.append("--token=***")
        else:
            out.append(arg)
    return out
