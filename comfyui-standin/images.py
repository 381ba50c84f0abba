"""Images as nodes pass them around, plus PNG encoding and decoding (stdlib only).

A batch is a list of frames; a frame is a list of rows; a row is `bytes` of
width*3 RGB values. Identical rows share one bytes object, so a solid or
gradient image of any size costs one row of memory until it is encoded, and
row-wise operations (invert, scale) run once per distinct row.
"""
import struct
import zlib

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_INVERT = bytes(255 - i for i in range(256))


class ImageBatch:
    def __init__(self, width, height, frames):
        self.width = width
        self.height = height
        self.frames = frames

    def __repr__(self):
        # ComfyUI prints the tensor in execution_error.current_inputs; a short
        # torch-like summary keeps those reports readable.
        return (f"tensor(shape=[{len(self.frames)}, {self.height}, {self.width}, 3], "
                f"dtype=torch.float32)")


class Mask:
    """LoadImage's second output; nothing in the stand-in consumes it."""

    def __init__(self, width, height):
        self.width = width
        self.height = height

    def __repr__(self):
        return f"tensor(shape=[1, {self.height}, {self.width}], dtype=torch.float32)"


def solid(width, height, batch_size, rgb):
    row = bytes(rgb) * width
    return ImageBatch(width, height, [[row] * height for _ in range(batch_size)])


def gradient(width, height, colors):
    """One frame per (left_rgb, right_rgb) pair: a horizontal gradient, cheap at
    any size but clearly not a blank image."""
    span = max(width - 1, 1)
    frames = []
    for left, right in colors:
        row = bytearray(width * 3)
        for x in range(width):
            for c in range(3):
                row[x * 3 + c] = left[c] + (right[c] - left[c]) * x // span
        frames.append([bytes(row)] * height)
    return ImageBatch(width, height, frames)


def _map_rows(batch, width, height, make_frame):
    return ImageBatch(width, height, [make_frame(frame) for frame in batch.frames])


def invert(batch):
    def frame_fn(frame):
        done = {}
        return [done.setdefault(id(r), r.translate(_INVERT)) for r in frame]
    return _map_rows(batch, batch.width, batch.height, frame_fn)


def scale(batch, width, height, crop_center=False):
    """Nearest-neighbour resize (all of ComfyUI's methods map to this).

    width or height 0 keeps the aspect ratio, both 0 keep the size, as in ComfyUI.
    """
    if width == 0 and height == 0:
        return batch
    if width == 0:
        width = max(1, round(batch.width * height / batch.height))
    if height == 0:
        height = max(1, round(batch.height * width / batch.width))
    x0, y0, src_w, src_h = 0, 0, batch.width, batch.height
    if crop_center:
        # Crop the source to the target aspect ratio first, like comfy.utils.common_upscale.
        if src_w * height > src_h * width:
            src_w = max(1, src_h * width // height)
            x0 = (batch.width - src_w) // 2
        else:
            src_h = max(1, src_w * height // width)
            y0 = (batch.height - src_h) // 2
    columns = [(x0 + x * src_w // width) * 3 for x in range(width)]
    source_rows = [y0 + y * src_h // height for y in range(height)]

    def frame_fn(frame):
        done = {}

        def scaled(row):
            key = id(row)
            if key not in done:
                done[key] = b"".join(row[c:c + 3] for c in columns)
            return done[key]
        return [scaled(frame[y]) for y in source_rows]
    return _map_rows(batch, width, height, frame_fn)


def _chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def encode_png(width, height, rows, text=None, level=4):
    """8-bit RGB PNG; `text` adds tEXt chunks (SaveImage stores the prompt there)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    raw = b"".join(b"\x00" + row for row in rows)
    chunks = [_chunk(b"IHDR", ihdr)]
    for key, value in (text or {}).items():
        chunks.append(_chunk(b"tEXt", key.encode("latin-1") + b"\x00" + value.encode("latin-1", "replace")))
    chunks.append(_chunk(b"IDAT", zlib.compress(raw, level)))
    chunks.append(_chunk(b"IEND", b""))
    return PNG_SIGNATURE + b"".join(chunks)


_CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def decode_png(data):
    """Decode an 8-bit, non-interlaced PNG to (width, height, RGB rows).

    Raises ValueError for anything else; LoadImage reports that the way
    PIL reports a file it cannot identify.
    """
    if not data.startswith(PNG_SIGNATURE):
        raise ValueError("not a PNG file")
    pos, idat, palette, header = 8, [], None, None
    while pos + 8 <= len(data):
        length, tag = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        pos += 12 + length
        if tag == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif tag == b"PLTE":
            palette = [body[i:i + 3] for i in range(0, len(body), 3)]
        elif tag == b"IDAT":
            idat.append(body)
        elif tag == b"IEND":
            break
    if header is None:
        raise ValueError("missing IHDR")
    width, height, depth, color, _, _, interlace = header
    if depth != 8 or interlace != 0 or color not in _CHANNELS or (color == 3 and not palette):
        raise ValueError("unsupported PNG variant")
    bpp = _CHANNELS[color]
    stride = width * bpp
    raw = zlib.decompress(b"".join(idat))
    if len(raw) < height * (stride + 1):
        raise ValueError("truncated image data")
    rows, prev = [], bytearray(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = _unfilter(raw[start], bytearray(raw[start + 1:start + 1 + stride]), prev, bpp)
        rows.append(_to_rgb(line, color, width, palette))
        prev = line
    return width, height, rows


def _unfilter(kind, line, prev, bpp):
    n = len(line)
    if kind == 1:
        for i in range(bpp, n):
            line[i] = (line[i] + line[i - bpp]) & 255
    elif kind == 2:
        for i in range(n):
            line[i] = (line[i] + prev[i]) & 255
    elif kind == 3:
        for i in range(n):
            left = line[i - bpp] if i >= bpp else 0
            line[i] = (line[i] + ((left + prev[i]) >> 1)) & 255
    elif kind == 4:
        for i in range(n):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    elif kind != 0:
        raise ValueError("bad filter type")
    return line


def _to_rgb(line, color, width, palette):
    if color == 2:
        return bytes(line)
    if color == 3:
        return b"".join(palette[i] for i in line)
    out = bytearray(width * 3)
    step = _CHANNELS[color]
    for c in range(3):
        # Gray (+alpha) repeats channel 0; RGBA drops the alpha.
        out[c::3] = line[(c if color == 6 else 0)::step]
    return bytes(out)
