"""The last engine seen, kept on disk so that an offline start shows it (marked stale), never a blank screen.

One gzip file per (base URL, agent, engine) under `$XDG_CACHE_HOME/gentui/engines/`: a JSON header
line (which engine, when it was saved) and the engine's answer exactly as the server sent it. It
holds what the screen showed and nothing else: never the API key, never a request header. Writes
are atomic (temporary file, then `os.replace`), mode 0600, and at most one every `every` seconds
per engine, so a big engine polled every 30 s costs one compression every few minutes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import os
import stat
import tempfile
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from gentui.api.urls import without_userinfo

VERSION = 1
MAX_CHARS = 64_000_000  # an engine answer larger than this is not cached
CHUNK = 1 << 20  # characters encoded and compressed at a time

log = logging.getLogger("gentui.core.engine_cache")


@dataclass(frozen=True)
class CachedEngine:
    text: str
    saved_at: float  # wall clock seconds


class EngineCache:
    """`save()` after a good engine load, `load()` when the server does not answer."""

    def __init__(self, directory: Path | str, *, every: float = 300.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory) / "engines"
        self.every = every
        self.clock = clock
        self._saved: dict[str, float] = {}  # file name -> when this process last wrote it

    def path(self, base_url: str, agent_id: str, engine_id: str) -> Path:
        ident = "\n".join((without_userinfo(base_url).rstrip("/"), str(agent_id), str(engine_id)))
        return self.directory / (hashlib.sha256(ident.encode()).hexdigest()[:32] + ".json.gz")

    def due(self, base_url: str, agent_id: str, engine_id: str) -> bool:
        """Whether a save now would write (the first one always does)."""
        last = self._saved.get(self.path(base_url, agent_id, engine_id).name)
        return last is None or self.clock() - last >= self.every

    def save(self, base_url: str, agent_id: str, engine_id: str, text: str, *, force: bool = False) -> bool:
        """Write the engine's answer (if due); False when skipped or when the disk refused."""
        path = self.path(base_url, agent_id, engine_id)
        if len(text) > MAX_CHARS or not (force or self.due(base_url, agent_id, engine_id)):
            return False
        now = self.clock()
        header = json.dumps({"v": VERSION, "base_url": without_userinfo(base_url).rstrip("/"), "agent_id": str(agent_id),
                             "engine_id": str(engine_id), "saved_at": now})
        try:
            path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".engine-", suffix=".tmp")
            try:
                os.fchmod(fd, 0o600)
                with os.fdopen(fd, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=5) as out:
                    out.write(header.encode() + b"\n")
                    for start in range(0, len(text), CHUNK):  # never a second whole copy of a big engine
                        out.write(text[start:start + CHUNK].encode("utf-8", "surrogatepass"))
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return False
        self._saved[path.name] = now
        return True

    def load(self, base_url: str, agent_id: str, engine_id: str) -> CachedEngine | None:
        """The cached answer for this engine, or None (missing, unreadable, or another engine's)."""
        path = self.path(base_url, agent_id, engine_id)
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return None  # missing (the usual case) or unreadable: no cache
        try:
            with os.fdopen(fd, "rb") as raw:
                if not stat.S_ISREG(os.fstat(raw.fileno()).st_mode):
                    raise ValueError("not a regular file")
                with gzip.GzipFile(fileobj=raw, mode="rb") as src:
                    header_line = src.readline(4096)
                    body = src.read(MAX_CHARS * 4 + 1)
            header = json.loads(header_line)
        except (OSError, EOFError, ValueError, zlib.error) as exc:  # a damaged cache is no cache
            log.warning("engine cache %s ignored (damaged: %s)", path, exc)
            return None
        if not isinstance(header, dict) or header.get("v") != VERSION or \
                (header.get("base_url"), header.get("agent_id"), header.get("engine_id")) != \
                (without_userinfo(base_url).rstrip("/"), str(agent_id), str(engine_id)):
            return None
        try:
            saved_at = float(header["saved_at"])
            text = body.decode("utf-8", "surrogatepass")
        except (KeyError, TypeError, ValueError):
            return None
        return CachedEngine(text, saved_at)
