"""The simulator's media host: `GET /_sim/media/{name}` on the simulator's own origin.

No key needed, never faulted, not counted in `requests`; the bytes are a pure function of the seed
and the name, so the same seed gives the same files on every run (cached in memory).

Generated names (`{kind}` is `image`, `video`, `audio` or `upload`; `r{row}` the 1-based row the
resource belongs to, 0 for library items; `{id}` the content resource id):

- `image-r3-900123.png`        a 90 x 160 PNG: a colour per kind (image blue, video purple, audio
  orange, upload green, tinted per id from the seed), the kind in a pixel font at the top
  ("IMG", "VID", "AUD", "UPL"), the row number large in the middle ("#3") and one bar per row
  (up to 20) at the bottom, so kind and row are visible even as half-blocks;
- `image-r3-900123.thumb.png`  the same drawing at 45 x 80 (also `video-...thumb.png`);
- `video-r3-900123-8s.mp4`     a placeholder MP4 (not playable): `ftyp`, `moov/mvhd` declaring the
  duration (8 s here; `-{n}s` is optional, default 5 s), a `free` box saying what it is, empty `mdat`;
- `audio-r3-900123-3s.mp3`     a placeholder MP3: an ID3v2.3 tag (title says what it is) and silent
  MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz) for the duration (default 3 s; no thumbnail);
- `upload-16001.png` (any extension) the bytes of an upload, as PUT, with its content type (an
  uploaded video's thumbnail is the drawn `upload-r0-16001.thumb.png`).

Hostile media, for tests of clients that fetch media (`/_sim/media/hostile/{name}`):

- `truncated.png`        a real PNG cut in the middle of its IDAT (no IEND), `image/png`;
- `huge.png`             declares `Content-Length: 104857600` (100 MB) and streams a PNG signature
  then zeros lazily, 1 MB at a time, only as fast as the client reads;
- `huge-dimensions.png`  a small file whose IHDR declares 30000 x 30000 pixels (a decompression bomb
  to any decoder that trusts it); its IDAT is tiny and does not hold that many pixels;
- `wrong-type.png`       a valid PNG served as `text/html; charset=utf-8`;
- `not-a-png.png`        HTML text served as `image/png`;
- `image.svg`            an SVG (`image/svg+xml`) with a `<script>` and an external reference;
- `slow.png`             a valid PNG dripped one byte every 0.5 s (about two minutes in all).
"""

from __future__ import annotations

import asyncio
import random
import re
import struct
import zlib
from collections.abc import AsyncIterator
from functools import lru_cache

MEDIA_PATH = "/_sim/media"

FULL_SIZE = (90, 160)
THUMB_SIZE = (45, 80)
DEFAULT_SECONDS = {"video": 5, "audio": 3}
MAX_SECONDS = 60

#: colour per kind (RGB), and its label drawn on the image
KIND_COLOURS = {"image": (38, 120, 200), "video": (128, 72, 190), "audio": (220, 120, 30), "upload": (40, 160, 90)}
KIND_LABELS = {"image": "IMG", "video": "VID", "audio": "AUD", "upload": "UPL"}

_GENERATED = re.compile(r"^(image|video|audio|upload)-r(\d{1,5})-(\d{1,12})(?:-(\d{1,2})s)?(\.thumb)?\.(png|mp4|mp3)$")
_UPLOAD = re.compile(r"^upload-(\d{1,12})(\.[A-Za-z0-9]{1,8})?$")

# --- PNG ---------------------------------------------------------------------------------------

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

_FONT = {  # 3 x 5 pixel glyphs, rows top to bottom
    "0": "111101101101111", "1": "010110010010111", "2": "111001111100111", "3": "111001111001111",
    "4": "101101111001001", "5": "111100111001111", "6": "111100111101111", "7": "111001001001001",
    "8": "111101111101111", "9": "111101111001111", "I": "111010010010111", "M": "101111111101101",
    "G": "111100101101111", "V": "101101101101010", "D": "110101101101110", "A": "010101111101101",
    "U": "101101101101111", "P": "111101111100100", "L": "100100100100111", "#": "101111101111101",
}


def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def encode_png(width: int, height: int, pixels: list[bytearray]) -> bytes:
    """An 8-bit RGB PNG from `height` rows of `3 * width` bytes (standard library only)."""
    raw = b"".join(b"\x00" + bytes(row) for row in pixels)
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(raw, 9)) + png_chunk(b"IEND", b"")


class _Canvas:
    def __init__(self, width: int, height: int, colour: tuple[int, int, int]) -> None:
        self.width, self.height = width, height
        self.rows = [bytearray(bytes(colour) * width) for _ in range(height)]

    def rect(self, x: int, y: int, w: int, h: int, colour: tuple[int, int, int]) -> None:
        for yy in range(max(0, y), min(self.height, y + h)):
            row = self.rows[yy]
            for xx in range(max(0, x), min(self.width, x + w)):
                row[3 * xx:3 * xx + 3] = bytes(colour)

    def text(self, text: str, top: int, scale: int, colour: tuple[int, int, int]) -> None:
        """`text` centred horizontally, glyphs 3 x 5 at `scale` pixels per dot, one dot apart."""
        width = len(text) * 4 * scale - scale
        left = (self.width - width) // 2
        for i, char in enumerate(text):
            glyph = _FONT.get(char, "")
            for dot, bit in enumerate(glyph):
                if bit == "1":
                    self.rect(left + i * 4 * scale + (dot % 3) * scale, top + (dot // 3) * scale, scale, scale, colour)


def _shade(colour: tuple[int, int, int], factor: float) -> tuple[int, int, int]:
    r, g, b = colour
    return (min(255, int(r * factor)), min(255, int(g * factor)), min(255, int(b * factor)))


def _fit_scale(text: str, width: int, largest: int) -> int:
    scale = largest
    while scale > 1 and len(text) * 4 * scale - scale > width - 4:
        scale -= 1
    return scale


def draw(seed: int, kind: str, row: int, rid: int, size: tuple[int, int]) -> bytes:
    """The deterministic picture of one resource: colour per kind, kind label, row number, row bars."""
    width, height = size
    rng = random.Random(f"{seed}:media:{kind}:{rid}")
    base = _shade(KIND_COLOURS.get(kind, (120, 120, 120)), rng.uniform(0.8, 1.15))
    canvas = _Canvas(width, height, base)
    white, dark = (250, 250, 250), _shade(base, 0.45)
    unit = max(1, width // 45)
    canvas.rect(0, 0, width, 8 * unit, dark)  # top band with the kind
    canvas.text(KIND_LABELS.get(kind, "?"), unit + unit // 2, unit, white)
    number = f"#{row}"
    scale = _fit_scale(number, width, 4 * unit)
    canvas.text(number, height // 2 - 5 * scale // 2, scale, white)
    bars = min(row, 20)
    for i in range(bars):  # one bar per row, bottom left to right
        canvas.rect(2 * unit + i * 2 * unit, height - 8 * unit, unit, 6 * unit, white)
    canvas.rect(0, height - unit, width, unit, dark)
    return encode_png(width, height, canvas.rows)


# --- placeholders -------------------------------------------------------------------------------


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def placeholder_mp4(name: str, seconds: int) -> bytes:
    """Not playable: an MP4 whose boxes look right (ftyp, moov/mvhd with the duration, free, mdat)."""
    ftyp = _box(b"ftyp", b"isom" + struct.pack(">I", 512) + b"isomiso2mp41")
    matrix = struct.pack(">9I", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    mvhd = _box(b"mvhd", struct.pack(">B3xIIII", 0, 0, 0, 1000, seconds * 1000)
                + struct.pack(">IH", 0x10000, 0x100) + b"\x00" * 10 + matrix + b"\x00" * 24 + struct.pack(">I", 2))
    note = f"gentui simulator placeholder video {name}: {seconds} s, no media data".encode()
    return ftyp + _box(b"moov", mvhd) + _box(b"free", note) + _box(b"mdat", b"")


_MP3_HEADER = b"\xff\xfb\x90\x64"  # MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, joint stereo
_MP3_FRAME = _MP3_HEADER + b"\x00" * (417 - 4)


def _id3_frame(frame: bytes, text: str) -> bytes:
    payload = b"\x03" + text.encode()  # UTF-8
    return frame + struct.pack(">I", len(payload)) + b"\x00\x00" + payload


def _syncsafe(n: int) -> bytes:
    return bytes([(n >> 21) & 0x7F, (n >> 14) & 0x7F, (n >> 7) & 0x7F, n & 0x7F])


def placeholder_mp3(name: str, seconds: int) -> bytes:
    """An ID3v2.3 tag saying what it is, then silent MPEG audio frames for `seconds`."""
    frames = _id3_frame(b"TIT2", f"gentui simulator placeholder audio {name}") + _id3_frame(b"TLEN", str(seconds * 1000))
    tag = b"ID3\x03\x00\x00" + _syncsafe(len(frames)) + frames
    count = round(seconds * 44100 / 1152)
    return tag + _MP3_FRAME * count


# --- names --------------------------------------------------------------------------------------


def image_name(kind: str, row: int, rid: int, *, thumb: bool = False) -> str:
    return f"{kind}-r{row}-{rid}{'.thumb' if thumb else ''}.png"


def media_name(kind: str, row: int, rid: int, seconds: int | None = None) -> str:
    """The full file of a generated resource of `kind` (image, video, audio)."""
    if kind == "video":
        return f"video-r{row}-{rid}-{seconds or DEFAULT_SECONDS['video']}s.mp4"
    if kind == "audio":
        return f"audio-r{row}-{rid}-{seconds or DEFAULT_SECONDS['audio']}s.mp3"
    return image_name(kind, row, rid)


def thumbnail_name(kind: str, row: int, rid: int) -> str | None:
    return None if kind == "audio" else image_name(kind, row, rid, thumb=True)


def path(name: str) -> str:
    return f"{MEDIA_PATH}/{name}"


@lru_cache(maxsize=512)
def generated(seed: int, name: str) -> tuple[bytes, str] | None:
    """(bytes, content type) of a generated name, or None when the name is not one."""
    match = _GENERATED.match(name)
    if match is None:
        return None
    kind, row, rid, seconds, thumb, ext = match.groups()
    secs = min(MAX_SECONDS, max(1, int(seconds))) if seconds else DEFAULT_SECONDS.get(kind, 5)
    if ext == "png":
        if kind == "audio" and not thumb:
            return None
        return draw(seed, kind, int(row), int(rid), THUMB_SIZE if thumb else FULL_SIZE), "image/png"
    if thumb or (ext == "mp4") != (kind == "video") or (ext == "mp3") != (kind == "audio"):
        return None
    if ext == "mp4":
        return placeholder_mp4(name, secs), "video/mp4"
    return placeholder_mp3(name, secs), "audio/mpeg"


def upload_id(name: str) -> int | None:
    """The content resource id of an upload's name (`upload-16001.png`), or None."""
    match = _UPLOAD.match(name)
    return int(match.group(1)) if match is not None else None


# --- hostile ------------------------------------------------------------------------------------

HUGE_BYTES = 100 * 1024 * 1024
_CHUNK = b"\x00" * (1024 * 1024)  # one object, yielded again and again: in-process clients buffer references


def sample_png() -> bytes:
    return draw(0, "image", 7, 7, FULL_SIZE)


def truncated_png() -> bytes:
    whole = sample_png()
    return whole[: len(whole) // 2]


def huge_dimensions_png() -> bytes:
    ihdr = struct.pack(">IIBBBBB", 30000, 30000, 8, 2, 0, 0, 0)
    return PNG_SIGNATURE + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", zlib.compress(b"\x00" * 4096)) + png_chunk(b"IEND", b"")


HOSTILE_SVG = (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
               b' width="100000" height="100000"><script>alert(1)</script>'
               b'<image xlink:href="http://127.0.0.1:1/steal.png" width="10" height="10"/>'
               b'<text x="0" y="15">\x1b[31m[bold]svg[/bold]</text></svg>\n')
NOT_A_PNG = b"<!doctype html><html><body><h1>502 Bad Gateway</h1><script>alert(1)</script></body></html>\n"

#: name -> (content type, bytes, or None for the streamed ones)
HOSTILE: dict[str, tuple[str, bytes | None]] = {
    "truncated.png": ("image/png", truncated_png()),
    "huge.png": ("image/png", None),
    "huge-dimensions.png": ("image/png", huge_dimensions_png()),
    "wrong-type.png": ("text/html; charset=utf-8", sample_png()),
    "not-a-png.png": ("image/png", NOT_A_PNG),
    "image.svg": ("image/svg+xml", HOSTILE_SVG),
    "slow.png": ("image/png", None),
}


async def huge_stream() -> AsyncIterator[bytes]:
    yield PNG_SIGNATURE
    sent = len(PNG_SIGNATURE)
    while sent < HUGE_BYTES:
        piece = _CHUNK if HUGE_BYTES - sent >= len(_CHUNK) else _CHUNK[: HUGE_BYTES - sent]
        sent += len(piece)
        yield piece


async def slow_stream(interval: float = 0.5) -> AsyncIterator[bytes]:
    for byte in sample_png():
        yield bytes([byte])
        await asyncio.sleep(interval)
