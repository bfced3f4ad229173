"""Output media (thumbnails, images) fetched for previews: no API key, bounded, cached on disk.

Output URLs are public CDN URLs (gen-api.md part 0, "Media"). They are fetched with a client of their
own: no API key, no cookies (a jar that accepts none), no auth, no `.netrc` or environment proxies
(`trust_env=False`: httpx would read credentials from `.netrc`), a size cap and a total deadline, and
only `http(s)` URLs answered with a raster image type (PNG, JPEG, GIF, WebP; never SVG, which can
reference other URLs). The bytes are checked against the type's magic number; decoding is the UI's
(`gentui.ui.widgets.preview`). A cache under `$XDG_CACHE_HOME/gentui/media/` keeps the bytes of each
URL, evicting the least recently used files past `media_cache_mb`.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import http.cookiejar
import os
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from gentui.api.assets import sniff
from gentui.api.limits import MB, Limit, TooLarge, read_body, size_text

MAX_BYTES = 8 * MB  # one image's bytes
DEADLINE = 20.0  # seconds for one fetch, from sending to the last byte
MAX_REDIRECTS = 3
#: image types drawn; their bytes must say the same (`api.assets.sniff`, the magic numbers of uploads too)
DRAWN_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
USER_AGENT = "gentui-media"


class _NoCookies(http.cookiejar.DefaultCookiePolicy):
    def set_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False

    def return_ok(self, cookie: http.cookiejar.Cookie, request: object) -> bool:
        return False


@dataclass(frozen=True)
class Media:
    """A fetched image's bytes, or the one-line reason there are none."""

    url: str
    data: bytes = b""
    content_type: str = ""
    problem: str = ""
    cached: bool = False

    @property
    def ok(self) -> bool:
        return not self.problem


def media_problem(url: str) -> str:
    """Why this URL is not fetched at all ('' when it may be)."""
    parts = urlsplit(url)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return "not an http(s) URL"
    if parts.username or parts.password:
        return "a URL with a user name or password is not fetched"
    return ""


def check_image(content_type: str, data: bytes) -> str:
    """Why these bytes are not drawn ('' when they may be)."""
    kind = content_type.split(";")[0].strip().lower()
    if kind == "image/svg+xml" or data.lstrip()[:5].lower() in (b"<?xml", b"<svg "):
        return "an SVG image is not drawn (it can load other URLs)"
    if kind not in DRAWN_TYPES:
        return f"not an image gentui draws (content type {kind[:40] or 'missing'})"
    if (sniffed := sniff(data)) is None or sniffed[1] != kind:
        return f"the bytes are not a {kind.split('/')[1].upper()} image"
    return ""


class MediaCache:
    """Bytes per URL on disk, least recently used evicted past `max_bytes` (0 keeps nothing)."""

    def __init__(self, directory: Path, max_bytes: int) -> None:
        self.directory, self.max_bytes = directory, max_bytes

    def _path(self, url: str) -> Path:
        return self.directory / hashlib.sha256(url.encode()).hexdigest()

    def get(self, url: str) -> bytes | None:
        if self.max_bytes <= 0:
            return None
        path = self._path(url)
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used
        except OSError:
            return None
        return data

    def put(self, url: str, data: bytes) -> None:
        if self.max_bytes <= 0 or len(data) > self.max_bytes:
            return
        with contextlib.suppress(OSError):  # a full or read-only disk: previews work, uncached
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            path = self._path(url)
            tmp = path.with_suffix(".part")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            tmp.replace(path)
            self.evict()

    def evict(self) -> None:
        try:
            files = [(p.stat(), p) for p in self.directory.iterdir() if p.is_file()]
        except OSError:
            return
        total = sum(st.st_size for st, _ in files)
        for st, path in sorted(files, key=lambda f: f[0].st_mtime):
            if total <= self.max_bytes:
                break
            with contextlib.suppress(OSError):
                path.unlink()
                total -= st.st_size


class MediaFetcher:
    """One media client for the run; `fetch` never raises: a bad answer is a `Media` with its problem."""

    def __init__(self, cache: MediaCache | None = None, *, transport: httpx.AsyncBaseTransport | None = None,
                 max_bytes: int = MAX_BYTES, deadline: float = DEADLINE) -> None:
        self.cache = cache
        self.limit = Limit(deadline, max_bytes, "media size limit")
        self.deadline = deadline
        self._transport = transport
        self._client: httpx.AsyncClient | None = None
        self._memory: dict[str, Media] = {}  # this run's answers (failures too: not fetched again)

    @property
    def client(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                transport=self._transport, trust_env=False, follow_redirects=True, max_redirects=MAX_REDIRECTS,
                cookies=http.cookiejar.CookieJar(policy=_NoCookies()), headers={"User-Agent": USER_AGENT},
                timeout=httpx.Timeout(self.deadline))
        return self._client

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()

    async def fetch(self, url: str) -> Media:
        if url in self._memory:
            return self._memory[url]
        media = await self._fetch(url)
        self._memory[url] = media
        if len(self._memory) > 256:
            del self._memory[next(iter(self._memory))]
        return media

    async def _fetch(self, url: str) -> Media:
        if problem := media_problem(url):
            return Media(url, problem=problem)
        if self.cache is not None:
            cached = await asyncio.to_thread(self.cache.get, url)
            if cached is not None:
                kind = sniffed[1] if (sniffed := sniff(cached)) is not None else ""
                if kind and not check_image(kind, cached):
                    return Media(url, cached, kind, cached=True)
        started = time.monotonic()
        try:
            async with asyncio.timeout(self.deadline):
                async with self.client.stream("GET", url) as response:
                    if response.status_code != 200:
                        return Media(url, problem=f"the media host answered {response.status_code}")
                    kind = response.headers.get("Content-Type", "")
                    if kind.split(";")[0].strip().lower() not in DRAWN_TYPES:
                        return Media(url, problem=check_image(kind, b""))
                    data = await read_body(response, self.limit)
        except TooLarge:
            return Media(url, problem=f"larger than {size_text(self.limit.max_bytes)}: not fetched")
        except TimeoutError:
            return Media(url, problem=f"no whole answer within {max(time.monotonic() - started, 1):.0f} s")
        except Exception as exc:  # noqa: BLE001 - a hostile answer (bad gzip, broken connection) never crashes
            return Media(url, problem=f"could not fetch: {type(exc).__name__}")
        if problem := check_image(kind, data):
            return Media(url, problem=problem)
        if self.cache is not None:
            await asyncio.to_thread(self.cache.put, url, data)
        return Media(url, data, kind.split(";")[0].strip().lower())
