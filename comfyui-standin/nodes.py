"""The node classes the stand-in executes.

Each node is a function (ctx, **inputs) -> (outputs tuple, ui dict or None), like a
ComfyUI node's FUNCTION returning its RETURN_TYPES and "ui". Input specs, return
types and which nodes are outputs come from object_info.py. Models are fake
handles: nothing is loaded, but checkpoint names drive the failure triggers.
"""
import datetime
import hashlib
import json
import os
import random
import string
import sys
import zlib

import failures
import images as imaging  # `images` is also a ComfyUI input name


class Handle:
    """Opaque stand-in for a model object; prints like the Python object ComfyUI would show."""

    def __init__(self, kind, name):
        self.kind = kind
        self.name = name

    def __repr__(self):
        return f"<{self.kind} object at {hex(id(self))}>"


class Conditioning:
    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return "[[tensor(shape=[1, 77, 768]), {'pooled_output': tensor(shape=[1, 768])}]]"


class Latent:
    """Latent batch; `content` is what the sampler "painted", so decoded images differ by seed and prompt."""

    def __init__(self, width, height, batch_size, content=""):
        self.width, self.height, self.batch_size, self.content = width, height, batch_size, content

    def __repr__(self):
        return f"tensor(shape=[{self.batch_size}, 4, {self.height // 8}, {self.width // 8}], dtype=torch.float32)"


def checkpoint_loader(ctx, ckpt_name):
    if ckpt_name in ctx.cfg.broken_models:
        raise failures.checkpoint_not_found(ckpt_name)
    if ckpt_name in ctx.cfg.corrupt_models:
        raise failures.corrupt_checkpoint()
    return (Handle("comfy.model_patcher.ModelPatcher", ckpt_name), Handle("comfy.sd.CLIP", ckpt_name),
            Handle("comfy.sd.VAE", ckpt_name)), None


def lora_loader(ctx, model, clip, lora_name, strength_model, strength_clip):
    patched = Handle(model.kind, f"{model.name}+{lora_name}@{strength_model}")
    return (patched, Handle(clip.kind, f"{clip.name}+{lora_name}@{strength_clip}")), None


def clip_text_encode(ctx, text, clip):
    return (Conditioning(text),), None


def empty_latent_image(ctx, width, height, batch_size):
    return ({"samples": Latent(width, height, batch_size)},), None


def ksampler(ctx, model, seed, steps, cfg, sampler_name, scheduler, positive, negative, latent_image, denoise):
    source = latent_image["samples"]
    if source.width * source.height * source.batch_size > ctx.cfg.vram_pixels:
        raise failures.out_of_memory()
    delay = ctx.cfg.step_delay_ms / 1000.0
    for step in range(1, steps + 1):
        ctx.wait(delay)
        ctx.progress(step, steps)
    content = f"{model.name}|{seed}|{positive.text}|{negative.text}|{sampler_name}|{scheduler}|{cfg}|{denoise}"
    return ({"samples": Latent(source.width, source.height, source.batch_size, content)},), None


def vae_decode(ctx, samples, vae):
    latent = samples["samples"]
    colors = []
    for i in range(latent.batch_size):
        digest = hashlib.sha256(f"{latent.content}|{i}".encode()).digest()
        colors.append((digest[0:3], digest[3:6]))
    return (imaging.gradient(latent.width, latent.height, colors),), None


def empty_image(ctx, width, height, batch_size, color):
    rgb = ((color >> 16) & 0xFF, (color >> 8) & 0xFF, color & 0xFF)
    return (imaging.solid(width, height, batch_size, rgb),), None


def image_invert(ctx, image):
    return (imaging.invert(image),), None


def image_scale(ctx, image, upscale_method, width, height, crop):
    return (imaging.scale(image, width, height, crop_center=(crop == "center")),), None


def _compute_vars(text, width, height):
    now = datetime.datetime.now()
    for key, value in (("%width%", width), ("%height%", height), ("%year%", now.year),
                       ("%month%", f"{now.month:02}"), ("%day%", f"{now.day:02}"),
                       ("%hour%", f"{now.hour:02}"), ("%minute%", f"{now.minute:02}"),
                       ("%second%", f"{now.second:02}")):
        text = text.replace(key, str(value))
    return text


def _save_path(prefix, output_dir, width, height):
    """folder_paths.get_save_image_path: subfolder from the prefix, next free counter."""
    if "%" in prefix:
        prefix = _compute_vars(prefix, width, height)
    subfolder = os.path.dirname(os.path.normpath(prefix))
    filename = os.path.basename(os.path.normpath(prefix))
    folder = os.path.join(output_dir, subfolder)
    common = os.path.commonpath((output_dir, os.path.abspath(folder)))
    if common != output_dir:
        raise failures.save_outside_output(os.path.abspath(folder), output_dir, common)
    os.makedirs(folder, exist_ok=True)
    counters = [0]
    for name in os.listdir(folder):
        stem = name[:len(filename) + 1]
        if stem[:-1] == filename and stem[-1:] == "_":
            digits = name[len(filename) + 1:].split("_")[0]
            counters.append(int(digits) if digits.isdigit() else 0)
    return folder, filename, max(counters) + 1, subfolder


def _save(ctx, batch, prefix, output_dir, kind, level, prompt=None, extra_pnginfo=None):
    folder, filename, counter, subfolder = _save_path(prefix, output_dir, batch.width, batch.height)
    text = {}
    if prompt is not None:
        text["prompt"] = json.dumps(prompt)
    for key, value in (extra_pnginfo or {}).items():
        text[key] = json.dumps(value)
    results = []
    for batch_number, rows in enumerate(batch.frames):
        name = f"{filename.replace('%batch_num%', str(batch_number))}_{counter:05}_.png"
        with open(os.path.join(folder, name), "wb") as f:
            f.write(imaging.encode_png(batch.width, batch.height, rows, text, level))
        results.append({"filename": name, "subfolder": subfolder, "type": kind})
        counter += 1
    return (), {"images": results}


def save_image(ctx, images, filename_prefix, prompt=None, extra_pnginfo=None):
    return _save(ctx, images, filename_prefix, ctx.cfg.output_dir, "output", 4, prompt, extra_pnginfo)


def preview_image(ctx, images, prompt=None, extra_pnginfo=None):
    suffix = "".join(random.choice(string.ascii_lowercase) for _ in range(5))
    return _save(ctx, images, "ComfyUI_temp_" + suffix, ctx.cfg.temp_dir, "temp", 1, prompt, extra_pnginfo)


def save_image_websocket(ctx, images):
    """Sends each image as a binary preview through the progress hook, like the ComfyUI example node."""
    for step, rows in enumerate(images.frames):
        png = imaging.encode_png(images.width, images.height, rows, level=1)
        ctx.progress(step, len(images.frames), preview=png)
    return (), None


def annotated_path(cfg, name):
    """folder_paths.get_annotated_filepath: 'x.png [output]' picks the folder, default input."""
    for suffix, folder in ((" [output]", cfg.output_dir), (" [input]", cfg.input_dir), (" [temp]", cfg.temp_dir)):
        if name.endswith(suffix):
            return os.path.join(folder, name[:-len(suffix)])
    return os.path.join(cfg.input_dir, name)


def load_image(ctx, image):
    path = annotated_path(ctx.cfg, image)
    with open(path, "rb") as f:
        data = f.read()
    try:
        width, height, rows = imaging.decode_png(data)
    except (ValueError, zlib.error, IndexError):
        raise failures.unidentified_image(path) from None
    return (imaging.ImageBatch(width, height, [rows]), imaging.Mask(width, height)), None


def load_image_check(cfg, inputs):
    """LoadImage.VALIDATE_INPUTS."""
    image = inputs["image"]
    return True if os.path.isfile(annotated_path(cfg, image)) else f"Invalid image file: {image}"


def load_image_changed(cfg, inputs):
    """LoadImage.IS_CHANGED: the file's hash, so a replaced upload is not served from the cache."""
    try:
        with open(annotated_path(cfg, inputs.get("image", "")), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return "missing"


def standin_crash(ctx, after_ms=0):
    ctx.wait(after_ms / 1000.0)
    print(f"standin: StandInCrash node {ctx.node_id} is killing the server process (exit 137)",
          file=sys.stderr, flush=True)
    os._exit(137)


def nothing_to_do(ctx, **inputs):
    """StandInServerError / StandInGarbage act when the prompt is submitted; running them does nothing."""
    return (), None


RUN = {
    "CheckpointLoaderSimple": checkpoint_loader,
    "LoraLoader": lora_loader,
    "CLIPTextEncode": clip_text_encode,
    "EmptyLatentImage": empty_latent_image,
    "KSampler": ksampler,
    "VAEDecode": vae_decode,
    "SaveImage": save_image,
    "PreviewImage": preview_image,
    "SaveImageWebsocket": save_image_websocket,
    "LoadImage": load_image,
    "EmptyImage": empty_image,
    "ImageInvert": image_invert,
    "ImageScale": image_scale,
    "StandInCrash": standin_crash,
    "StandInServerError": nothing_to_do,
    "StandInGarbage": nothing_to_do,
}

# class_type -> (input names, check(cfg, inputs)) : the nodes' VALIDATE_INPUTS
CUSTOM_VALIDATION = {"LoadImage": (("image",), load_image_check)}

# class_type -> fn(cfg, inputs): extra cache-key material, like IS_CHANGED
IS_CHANGED = {"LoadImage": load_image_changed}

# Trigger nodes must act every time, so they are never served from the cache.
NEVER_CACHED = {"StandInCrash", "StandInServerError", "StandInGarbage"}
