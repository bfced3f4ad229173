"""Tiny deterministic PNGs written with the standard library, and hostile media answers, for preview tests."""

from __future__ import annotations

import struct
import zlib
from collections.abc import AsyncIterator

import httpx


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(width: int = 8, height: int = 8, pixel=None) -> bytes:
    """An RGB PNG; `pixel(x, y) -> (r, g, b)` (default: a fixed four-colour quadrant pattern)."""
    def quadrants(x: int, y: int) -> tuple[int, int, int]:
        return ((230, 40, 40), (40, 200, 60), (40, 80, 230), (240, 220, 40))[(x * 2 // width) + 2 * (y * 2 // height)]

    colour = pixel or quadrants
    rows = b"".join(b"\x00" + b"".join(bytes(colour(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def bomb_png(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG header claiming 900 million pixels, with almost no data."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + \
        _chunk(b"IEND", b"")


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><image href="http://evil.test/x.png"/></svg>'


async def endless(chunk: int = 1 << 20, total: int = 100 << 20) -> AsyncIterator[bytes]:
    """100 MB, a megabyte at a time (never held whole)."""
    block = b"\x89PNG\r\n\x1a\n" + b"\x00" * (chunk - 8)
    sent = 0
    while sent < total:
        yield block
        sent += chunk


def hostile(kind: str) -> httpx.Response:
    """One of the hostile answers by name: truncated, huge, wrong_type, svg, bomb."""
    if kind == "truncated":
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=png(64, 64)[:120])
    if kind == "huge":
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=endless())
    if kind == "wrong_type":
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=png())
    if kind == "svg":
        return httpx.Response(200, headers={"Content-Type": "image/svg+xml"}, content=SVG)
    if kind == "bomb":
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=bomb_png())
    raise ValueError(kind)
