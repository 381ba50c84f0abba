"""Runtime failures of nodes, shaped like the ones a real ComfyUI reports.

ComfyUI builds an execution_error from the Python exception: exception_type is
the fully qualified type, exception_message is "{exception}\\n{tips}", and the
traceback is traceback.format_tb(). The stand-in has no such exceptions, so each
failure carries the type, text and a traceback that mirror the real ones (the
execution frames are copied from the recorded v0.8.0 errors).
"""

COMFY_ROOT = "/srv/ComfyUI"

OOM_TIPS = ("This error means you ran out of memory on your GPU.\n\n"
            "TIPS: If the workflow worked before you might have accidentally set the batch_size to a large number.")


def _frame(path, line, func, code):
    return f'  File "{path}", line {line}, in {func}\n    {code}\n'


_EXECUTION_FRAMES = [
    _frame(f"{COMFY_ROOT}/execution.py", 518, "execute",
           "output_data, output_ui, has_subgraph, has_pending_tasks = await get_output_data(prompt_id, unique_id, obj, "
           "input_data_all, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)"),
    _frame(f"{COMFY_ROOT}/execution.py", 329, "get_output_data",
           "return_values = await _async_map_node_over_list(prompt_id, unique_id, obj, input_data_all, obj.FUNCTION, "
           "allow_interrupt=True, execution_block_cb=execution_block_cb, pre_execute_cb=pre_execute_cb, v3_data=v3_data)"),
    _frame(f"{COMFY_ROOT}/execution.py", 303, "_async_map_node_over_list", "await process_inputs(input_dict, i)"),
    _frame(f"{COMFY_ROOT}/execution.py", 291, "process_inputs", "result = f(**inputs)"),
]


class NodeFailure(Exception):
    def __init__(self, exception_type, message, node_frames, tips=""):
        super().__init__(message)
        self.exception_type = exception_type
        self.exception_message = f"{message}\n{tips}"
        self.traceback = _EXECUTION_FRAMES + node_frames


class Interrupted(Exception):
    """Raised where ComfyUI raises InterruptProcessingException."""


def out_of_memory():
    return NodeFailure("torch.OutOfMemoryError", "Allocation on device ", [
        _frame(f"{COMFY_ROOT}/nodes.py", 1525, "sample",
               "return common_ksampler(model, seed, steps, cfg, sampler_name, scheduler, positive, negative, "
               "latent_image, denoise=denoise)"),
        _frame(f"{COMFY_ROOT}/nodes.py", 1492, "common_ksampler",
               "samples = comfy.sample.sample(model, noise, steps, cfg, sampler_name, scheduler, positive, negative, "
               "latent_image,"),
        _frame(f"{COMFY_ROOT}/comfy/sample.py", 60, "sample",
               "samples = sampler.sample(noise, positive, negative, cfg=cfg, latent_image=latent_image, "
               "start_step=start_step, last_step=last_step, force_full_denoise=force_full_denoise, "
               "denoise_mask=noise_mask, sigmas=sigmas, callback=callback, disable_pbar=disable_pbar, seed=seed)"),
        _frame(f"{COMFY_ROOT}/comfy/samplers.py", 1163, "sample",
               "return sample(self.model, noise, positive, negative, cfg, self.device, sampler, sigmas, "
               "self.model_options, latent_image=latent_image, denoise_mask=denoise_mask, callback=callback, "
               "disable_pbar=disable_pbar, seed=seed)"),
        _frame(f"{COMFY_ROOT}/comfy/ldm/modules/attention.py", 530, "attention_pytorch",
               "out = comfy.ops.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0, is_causal=False)"),
    ], tips=OOM_TIPS)


def checkpoint_not_found(filename):
    message = f"Model in folder 'checkpoints' with filename '{filename}' not found."
    return NodeFailure("FileNotFoundError", message, [
        _frame(f"{COMFY_ROOT}/nodes.py", 584, "load_checkpoint",
               'ckpt_path = folder_paths.get_full_path_or_raise("checkpoints", ckpt_name)'),
        _frame(f"{COMFY_ROOT}/folder_paths.py", 308, "get_full_path_or_raise",
               "raise FileNotFoundError(f\"Model in folder '{folder_name}' with filename '{filename}' not found.\")"),
    ])


def corrupt_checkpoint():
    return NodeFailure("safetensors._safetensors_rust.SafetensorError", "Error while deserializing header: header too large", [
        _frame(f"{COMFY_ROOT}/nodes.py", 585, "load_checkpoint",
               "out = comfy.sd.load_checkpoint_guess_config(ckpt_path, output_vae=True, output_clip=True, "
               "embedding_directory=folder_paths.get_folder_paths(\"embeddings\"))"),
        _frame(f"{COMFY_ROOT}/comfy/sd.py", 1348, "load_checkpoint_guess_config",
               "sd, metadata = comfy.utils.load_torch_file(ckpt_path, return_metadata=True)"),
        _frame(f"{COMFY_ROOT}/comfy/utils.py", 80, "load_torch_file", "raise e"),
        _frame(f"{COMFY_ROOT}/comfy/utils.py", 64, "load_torch_file",
               "with safetensors.safe_open(ckpt, framework=\"pt\", device=device.type) as f:"),
    ])


def unidentified_image(path):
    return NodeFailure("PIL.UnidentifiedImageError", f"cannot identify image file '{path}'", [
        _frame(f"{COMFY_ROOT}/nodes.py", 1664, "load_image", "img = node_helpers.pillow(Image.open, image_path)"),
        _frame(f"{COMFY_ROOT}/node_helpers.py", 31, "pillow", "x = fn(arg)"),
        _frame("/srv/venv/lib/python3.12/site-packages/PIL/Image.py", 3715, "open", "raise UnidentifiedImageError(msg)"),
    ])


def save_outside_output(full_output_folder, output_dir, common):
    message = ("**** ERROR: Saving image outside the output folder is not allowed."
               f"\n full_output_folder: {full_output_folder}"
               f"\n         output_dir: {output_dir}"
               f"\n         commonpath: {common}")
    return NodeFailure("Exception", message, [
        _frame(f"{COMFY_ROOT}/nodes.py", 1607, "save_images",
               "full_output_folder, filename, counter, subfolder, filename_prefix = folder_paths.get_save_image_path("
               "filename_prefix, self.output_dir, images[0].shape[1], images[0].shape[0])"),
        _frame(f"{COMFY_ROOT}/folder_paths.py", 464, "get_save_image_path", "raise Exception(err)"),
    ])
