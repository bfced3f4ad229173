"""A hostile GEN server on loopback, for tests: real sockets, real HTTP/1.1, scripted misbehaviour.

Each answer closes its connection, so every request is seen on its own. Answers are chosen per
route (method and a fragment of the raw path, the longest fragment wins); anything unscripted is a
404. The misbehaviours of issue 14 are ready-made: deeply nested JSON, a gzip bomb made lazily (the
server compresses only as much as the client reads), a slow drip (headers, then one byte every
`every` seconds, forever) and cookies. `seen` records each request's method, raw path and headers.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

Writer = Callable[[asyncio.StreamWriter], Awaitable[None]]


@dataclass(frozen=True)
class Seen:
    method: str
    raw_path: str
    headers: dict[str, str]


@dataclass
class Stats:
    body_bytes_sent: int = 0  # bytes of answer bodies written (compressed bytes for a bomb)
    disconnects: int = 0  # answers the client hung up on before their end


def _head(status: int, headers: dict[str, str]) -> bytes:
    lines = [f"HTTP/1.1 {status} X"] + [f"{k}: {v}" for k, v in headers.items()] + ["Connection: close", "", ""]
    return "\r\n".join(lines).encode("latin-1")


def reply(status: int = 200, body: Any = None, *, raw: bytes | None = None,
          headers: dict[str, str] | None = None) -> Writer:
    """A whole answer: JSON `body` or `raw` bytes."""
    content = raw if raw is not None else json.dumps(body).encode()

    async def write(writer: asyncio.StreamWriter) -> None:
        head = {"Content-Type": "application/json", "Content-Length": str(len(content)), **(headers or {})}
        writer.write(_head(status, head) + content)
        await writer.drain()

    return write


def deep_json(depth: int = 100_000, *, inside: bytes = b"") -> bytes:
    """`[[[...]]]` `depth` deep (the items of issue 14, case 1)."""
    return b"[" * depth + inside + b"]" * depth


def engine_with(value: bytes, *, in_rows: bool = True) -> bytes:
    """An engine object whose first row (or one field) is `value`."""
    if in_rows:
        return b'{"id": 101, "title": "e", "spreadsheet_columns": [], "spreadsheet_rows": [' + value + b"]}"
    return b'{"id": 101, "title": "e", "extra": ' + value + b', "spreadsheet_rows": []}'


async def _bomb_chunks(total: int, chunk: int = 1 << 20) -> AsyncIterator[bytes]:
    squeeze = zlib.compressobj(1, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = b" " * chunk  # JSON whitespace: a body that is valid until it ends
    yield squeeze.compress(b"{")
    made = 0
    while made < total:
        out = squeeze.compress(zeros)
        made += chunk
        if out:
            yield out
        await asyncio.sleep(0)
    yield squeeze.compress(b"}") + squeeze.flush()


class HostileServer:
    """``async with HostileServer() as srv: srv.on("GET", "/agents/1", reply(...)); srv.base_url``."""

    def __init__(self) -> None:
        self.routes: list[tuple[str, str, Writer]] = []
        self.seen: list[Seen] = []
        self.stats = Stats()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def on(self, method: str, fragment: str, writer: Writer) -> HostileServer:
        self.routes.append((method, fragment, writer))
        return self

    # --- ready-made misbehaviour ------------------------------------------------------------------
    def gzip_bomb(self, total: int) -> Writer:
        """A 200 whose gzip body inflates to `total` bytes (plus two); no Content-Length, ends at close."""

        async def write(writer: asyncio.StreamWriter) -> None:
            writer.write(_head(200, {"Content-Type": "application/json", "Content-Encoding": "gzip"}))
            async for piece in _bomb_chunks(total):
                writer.write(piece)
                self.stats.body_bytes_sent += len(piece)
                await writer.drain()

        return write

    def drip(self, every: float, *, status: int = 200) -> Writer:
        """Headers at once, then one byte of a never-ending body every `every` seconds."""

        async def write(writer: asyncio.StreamWriter) -> None:
            writer.write(_head(status, {"Content-Type": "application/json", "Content-Length": "4096"}))
            await writer.drain()
            writer.write(b"{")
            while True:
                await asyncio.sleep(every)
                writer.write(b" ")
                self.stats.body_bytes_sent += 1
                await writer.drain()

        return write

    # --- the server ----------------------------------------------------------------------------------
    async def __aenter__(self) -> HostileServer:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._server is not None
        self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task
        await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, raw_path, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                if ":" in line:
                    name, value = line.split(":", 1)
                    headers[name.strip().lower()] = value.strip()
            length = int(headers.get("content-length", "0") or 0)
            if length:
                await reader.readexactly(length)
            self.seen.append(Seen(method, raw_path, headers))
            await self._pick(method, raw_path)(writer)
        except (ConnectionError, asyncio.IncompleteReadError):
            self.stats.disconnects += 1
        except asyncio.CancelledError:  # the server is closing: end quietly (asyncio logs a cancelled handler)
            pass
        finally:
            self._tasks.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    def _pick(self, method: str, raw_path: str) -> Writer:
        path = raw_path.split("?", 1)[0]
        matching = [r for r in self.routes if r[0] == method and r[1] in path]
        if not matching:
            return reply(404, {"error": "Not found", "error_code": "not_found"})
        return max(matching, key=lambda r: len(r[1]))[2]

