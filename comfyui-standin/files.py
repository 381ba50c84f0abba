"""GET /view and POST /upload/image, with ComfyUI's path checks and status codes."""
import email.utils
import hashlib
import mimetypes
import os
import re

from http_server import Reply, empty, json_reply

_FORCED_DOWNLOAD = {"text/html", "text/html-sandboxed", "application/xhtml+xml", "text/javascript", "text/css"}


def _folders(cfg):
    return {"output": cfg.output_dir, "input": cfg.input_dir, "temp": cfg.temp_dir}


def _annotated(cfg, name):
    """folder_paths.annotated_filepath: 'x.png [input]' -> ('x.png', input folder)."""
    for kind, folder in _folders(cfg).items():
        suffix = f" [{kind}]"
        if name.endswith(suffix):
            return name[:-len(suffix)], folder
    return name, None


def _byte_range(header, size):
    """(start, end) for a single 'bytes=' range, None without one, 'bad' if unsatisfiable."""
    match = re.fullmatch(r"bytes=(\d*)-(\d*)", (header or "").strip())
    if not match or match.groups() == ("", ""):
        return None
    first, last = match.groups()
    if first == "":
        start, end = max(0, size - int(last)), size - 1
    else:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
    return (start, end) if start <= end < size else "bad"


def view(request, cfg):
    if "filename" not in request.query:
        return empty(404)
    filename, folder = _annotated(cfg, request.query["filename"])
    if not filename:
        return empty(400)
    if filename[0] == "/" or ".." in filename:
        return empty(400)
    if folder is None:
        folder = _folders(cfg).get(request.query.get("type", "output"))
        if folder is None:
            return empty(400)
    if "subfolder" in request.query:
        full = os.path.join(folder, request.query["subfolder"])
        if os.path.commonpath((os.path.abspath(full), folder)) != folder:
            return empty(403)
        folder = full
    filename = os.path.basename(filename)
    path = os.path.join(folder, filename)
    if not os.path.isfile(path):
        return empty(404)
    # preview=/channel= re-encodings are not emulated: the stored file is served as is.
    content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    if content_type in _FORCED_DOWNLOAD:
        content_type = "application/octet-stream"
    with open(path, "rb") as f:
        data = f.read()
    stat = os.stat(path)
    headers = [("Content-Disposition", f'filename="{filename}"'),
               ("Etag", f'"{stat.st_mtime_ns:x}-{stat.st_size:x}"'),
               ("Last-Modified", email.utils.formatdate(stat.st_mtime, usegmt=True)),
               ("Accept-Ranges", "bytes")]
    span = _byte_range(request.headers.get("Range"), len(data))
    if span == "bad":
        return Reply(416, b"", None, [("Content-Range", f"bytes */{len(data)}")])
    if span is None:
        return Reply(200, data, content_type, headers)
    start, end = span
    return Reply(206, data[start:end + 1], content_type,
                 headers + [("Content-Range", f"bytes {start}-{end}/{len(data)}")])


def _multipart(content_type, body):
    """{field name: (filename or None, bytes)} from a multipart/form-data body."""
    match = re.search(r'boundary="?([^";]+)"?', content_type or "")
    if not content_type.startswith("multipart/form-data") or not match:
        return {}
    fields = {}
    for part in body.split(b"--" + match.group(1).encode())[1:]:
        if part.startswith(b"--"):
            break
        head, _, content = part.partition(b"\r\n\r\n")
        disposition = head.decode("utf-8", "replace")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        if name:
            fields[name.group(1)] = (filename.group(1) if filename else None,
                                     content[:-2] if content.endswith(b"\r\n") else content)
    return fields


def upload_image(request, cfg):
    """server.image_upload: same folder choice, duplicate detection and renaming."""
    fields = _multipart(request.headers.get("Content-Type", ""), request.body())
    image = fields.get("image")
    if image is None or image[0] is None:
        return empty(400)
    filename, data = image
    if not filename:
        return empty(400)
    upload_type = fields.get("type", (None, b"input"))[1].decode()
    upload_dir = _folders(cfg).get(upload_type)
    if upload_dir is None:
        raise ValueError(f"unknown upload type {upload_type!r}")  # ComfyUI fails here too (500)
    subfolder = fields.get("subfolder", (None, b""))[1].decode()
    folder = os.path.join(upload_dir, os.path.normpath(subfolder))
    path = os.path.abspath(os.path.join(folder, filename))
    if os.path.commonpath((upload_dir, path)) != upload_dir:
        return empty(400)
    os.makedirs(folder, exist_ok=True)
    overwrite = fields.get("overwrite", (None, b""))[1].decode()
    duplicate = False
    if overwrite not in ("true", "1"):
        stem, ext = os.path.splitext(filename)
        i = 1
        while os.path.exists(path):
            with open(path, "rb") as f:
                if hashlib.sha256(f.read()).digest() == hashlib.sha256(data).digest():
                    duplicate = True
                    break
            filename = f"{stem} ({i}){ext}"
            path = os.path.join(folder, filename)
            i += 1
    if not duplicate:
        with open(path, "wb") as f:
            f.write(data)
    return json_reply({"name": filename, "subfolder": subfolder, "type": upload_type})
