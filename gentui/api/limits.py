"""How long one request may take and how big its answer may grow, and the bounded body reader.

Every answer is streamed: its body is decompressed here (gzip or deflate, the only encodings the
client asks for) in slices of at most `SLICE` bytes, and reading stops as soon as the decompressed
size passes the cap, so a 500 KB gzip bomb costs at most the cap plus one slice. Whole-engine GETs
get a generous cap and deadline (a 500 x 8 engine with full histories is ~20 MB); everything else
a small one. The deadline covers one attempt from sending to the last byte of the body, so a server
that drips a byte every few seconds cannot keep a request alive forever.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import NamedTuple

import httpx

from gentui.api import errors

MB = 1 << 20
SLICE = 1 << 20  # decompressed bytes made from one piece of input at a time
ACCEPT_ENCODING = "gzip, deflate"  # what `Inflater` can undo; nothing else is asked for


class Limit(NamedTuple):
    """The bounds of one request."""

    deadline: float  # seconds, from sending to the last byte
    max_bytes: int  # of the decompressed body
    name: str  # which limit, in the user's words


@dataclass(frozen=True)
class AnswerLimits:
    """The client's bounds: ``GenClient(..., limits=AnswerLimits(deadline=10))``."""

    deadline: float = 30.0  #: seconds for one request (any answer but a whole engine)
    max_bytes: int = 8 * MB  #: decompressed size of any answer but a whole engine
    engine_deadline: float = 120.0  #: seconds for one whole-engine GET
    engine_max_bytes: int = 128 * MB  #: decompressed size of a whole engine

    def __post_init__(self) -> None:
        for name in ("deadline", "engine_deadline"):
            value = getattr(self, name)
            if not 0 < value < 86_400:
                raise ValueError(f"{name} must be between 0 and 86400 seconds")
        for name in ("max_bytes", "engine_max_bytes"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1 byte")

    def pick(self, engine: bool) -> Limit:
        if engine:
            return Limit(self.engine_deadline, self.engine_max_bytes, "engine limit")
        return Limit(self.deadline, self.max_bytes, "limit for answers other than engines")


def size_text(n: int) -> str:
    """8388608 -> '8 MB'; 1536 -> '1.5 KB'."""
    for unit, size in (("MB", MB), ("KB", 1024)):
        if n >= size:
            value = n / size
            return f"{value:.0f} {unit}" if value == int(value) else f"{value:.1f} {unit}"
    return f"{n} bytes"


class TooLarge(Exception):
    """The body passed its cap (turned into `errors.AnswerTooLargeError` with the request's place)."""

    def __init__(self, limit: Limit) -> None:
        super().__init__(f"answer larger than {size_text(limit.max_bytes)} ({limit.name})")


class Inflater:
    """Undoes one Content-Encoding a slice at a time; `zlib.error` and ValueError on what it cannot."""

    def __init__(self, encoding: str) -> None:
        codings = [c.strip().lower() for c in encoding.split(",") if c.strip() and c.strip().lower() != "identity"]
        if len(codings) > 1:
            raise ValueError(f"unsupported Content-Encoding {encoding.strip()[:40]!r}")
        coding = codings[0] if codings else ""
        self._raw_fallback = False
        if coding == "":
            self._z: zlib._Decompress | None = None
        elif coding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(zlib.MAX_WBITS | 16)
        elif coding == "deflate":  # zlib-wrapped as the RFC says, or raw deflate as some servers send
            self._z = zlib.decompressobj(zlib.MAX_WBITS)
            self._raw_fallback = True
        else:
            raise ValueError(f"unsupported Content-Encoding {coding[:40]!r}")

    def feed(self, data: bytes) -> Iterator[bytes]:
        """The decompressed pieces of `data`, none longer than `SLICE` (weigh each before the next)."""
        if self._z is None:
            if data:
                yield data
            return
        while not self._z.eof:
            try:
                piece = self._z.decompress(data, SLICE)
            except zlib.error:
                if not self._raw_fallback:
                    raise
                self._raw_fallback = False
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._raw_fallback = False
            data = self._z.unconsumed_tail
            if piece:
                yield piece
            if not data and len(piece) < SLICE:
                return  # all input used and the output not cut at SLICE: nothing is pending

    def flush(self) -> bytes:
        return self._z.flush() if self._z is not None and not self._z.eof else b""


class WireMeter:
    """What one answer cost on the wire: header bytes plus body bytes as received (compressed)."""

    def __init__(self) -> None:
        self.bytes = 0

    def headers(self, response: httpx.Response) -> None:
        self.bytes += 17 + sum(len(k) + len(v) + 4 for k, v in response.headers.raw) + 2


async def read_body(response: httpx.Response, limit: Limit, meter: WireMeter | None = None) -> bytes:
    """The whole decompressed body, or `TooLarge` as soon as it passes `limit.max_bytes`.

    `meter` (when given) counts the answer's wire bytes: its headers and each raw chunk as it arrives.
    """
    meter = meter or WireMeter()
    meter.headers(response)
    encoding = response.headers.get("Content-Encoding", "")
    length = response.headers.get("Content-Length", "")
    if not encoding and length.isdigit() and int(length) > limit.max_bytes:
        raise TooLarge(limit)
    try:  # an answer made in memory (httpx.MockTransport) arrives read and decoded
        whole: bytes | None = response.content
    except httpx.ResponseNotRead:
        whole = None
    if whole is not None:
        meter.bytes += len(whole)  # made in memory: no wire; its size stands for it
        if len(whole) > limit.max_bytes:
            raise TooLarge(limit)
        return whole
    inflater = Inflater(encoding)
    body = bytearray()
    async for chunk in response.aiter_raw():
        meter.bytes += len(chunk)
        for piece in inflater.feed(chunk):
            body += piece
            if len(body) > limit.max_bytes:
                raise TooLarge(limit)
    body += inflater.flush()
    if len(body) > limit.max_bytes:
        raise TooLarge(limit)
    return bytes(body)


def too_large_error(exc: TooLarge, method: str, path: str, status: int) -> errors.AnswerTooLargeError:
    return errors.AnswerTooLargeError(str(exc), status=status, error_code="answer_too_large", method=method, path=path)
