"""Content resources and the direct upload (gen-api.md part 0 "Assets").

The library is `GET /v1/content_resources?agent_id=&type=&page=` (20 a page, page from 0); one
resource is `GET /v1/content_resources/{id}`. A local file goes up in three steps: `POST
/v1/direct_upload` (filename, size, base64 MD5, content type) -> PUT the bytes to
`direct_upload.url` with the headers it names -> `POST /v1/content_resources` with
`content_resource[file]=<signed_id>`. The PUT goes to the upload host, which is not the API host:
it carries no API key (sent with `auth=None`, so the client's key hook never runs) and no header of
the API client's own. A file is refused before anything is sent when it is over 1 GB or not an
image, a video or an audio file (by its extension and its first bytes). Every step has a deadline;
the PUT's grows with the file's size.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import mimetypes
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, model_validator

from gentui.api import errors
from gentui.api.answers import items, unwrap
from gentui.api.client import GenClient
from gentui.api.fields import Id, OptStr
from gentui.api.limits import MB, Limit, TooLarge, read_body, size_text
from gentui.api.transport import http_error, seg, transport_error
from gentui.api.urls import without_userinfo

KINDS: tuple[str, ...] = ("image", "video", "audio")
PAGE_SIZE = 20  # what the server sends a page (the docs); a shorter page is the last
MAX_UPLOAD = 1 << 30  # 1 GB: the server's own limit (422 file_size_exceeded)
CHUNK = 256 * 1024  # bytes read and sent at a time; progress is told once per chunk
UPLOAD_ANSWER_CAP = 64 * 1024  # the upload host's answer to a PUT is read up to this
Progress = Callable[[int, int], None]  # (bytes sent, bytes in all)

#: first bytes -> (kind, content type) for the formats a file picker sees most
_MAGIC: tuple[tuple[int, bytes, str, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image", "image/png"),
    (0, b"\xff\xd8\xff", "image", "image/jpeg"),
    (0, b"GIF87a", "image", "image/gif"),
    (0, b"GIF89a", "image", "image/gif"),
    (8, b"WEBP", "image", "image/webp"),
    (4, b"ftyp", "video", "video/mp4"),
    (0, b"\x1a\x45\xdf\xa3", "video", "video/webm"),
    (0, b"ID3", "audio", "audio/mpeg"),
    (0, b"\xff\xfb", "audio", "audio/mpeg"),
    (0, b"\xff\xf3", "audio", "audio/mpeg"),
    (0, b"OggS", "audio", "audio/ogg"),
    (0, b"fLaC", "audio", "audio/flac"),
    (8, b"WAVE", "audio", "audio/wav"),
)


def kind_of(content_type: str | None, name: str | None = None) -> str:
    """"image", "video", "audio" from a content type (or a file name's extension); "" when neither says."""
    text = (content_type or "").strip().lower()
    if not text and name:
        text = mimetypes.guess_type(name)[0] or ""
    major = text.split("/", 1)[0]
    return major if major in KINDS else ""


class ContentResource(BaseModel):
    """One file of the agent's library (`[{id, url, thumbnail_url, file_name, content_type}]`)."""

    model_config = ConfigDict(extra="ignore")

    id: Id
    url: OptStr = None
    thumbnail_url: OptStr = None
    file_name: OptStr = None
    content_type: OptStr = None
    object_type: OptStr = None
    generation_id: OptStr = None  # the generation that made it (an output), when the server says

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        if isinstance(data, dict) and not data.get("file_name"):
            name = data.get("filename") or data.get("name") or data.get("title")
            if name:
                data = {**data, "file_name": name}
        return data

    @property
    def kind(self) -> str:
        return kind_of(self.content_type, self.file_name or self.url) or kind_of(
            f"{self.object_type}/" if self.object_type else None)

    @property
    def name(self) -> str:
        if self.file_name:
            return self.file_name
        tail = (self.url or "").split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        return tail or f"resource {self.id}"


def _resource(data: Any) -> ContentResource:
    inner = unwrap(data, "content_resource", "resource", "data")
    generator = data.get("generator") if isinstance(data, dict) else None
    if isinstance(inner, dict) and isinstance(generator, dict) and generator.get("id") is not None:
        inner = {"generation_id": generator["id"], **inner}  # `{content_resource, generator: {id, ...}}`
    return ContentResource.model_validate(inner)


def _library(data: Any) -> list[ContentResource]:
    out = []
    for item in items(data, "content_resources", "resources", "data", "items"):
        if isinstance(item, dict):
            try:
                out.append(ContentResource.model_validate(item))
            except ValueError:  # pydantic's ValidationError is one: a bad entry is skipped
                continue
    return out


class UploadRefused(ValueError):
    """A local file that is not sent: one line saying why (nothing went out)."""


@dataclass(frozen=True)
class UploadFile:
    """A local file checked for sending: its size, kind, content type and base64 MD5."""

    path: Path
    size: int
    kind: str
    content_type: str
    md5: str  # base64 of the MD5 digest, as Content-MD5 and the blob's checksum want it

    @property
    def name(self) -> str:
        return self.path.name


def sniff(head: bytes) -> tuple[str, str] | None:
    """(kind, content type) the first bytes of a file say, or None for a format not listed."""
    for offset, magic, kind, content_type in _MAGIC:
        if head[offset:offset + len(magic)] == magic:
            if magic == b"ftyp" and head[8:12] in (b"M4A ", b"M4B "):
                return "audio", "audio/mp4"
            return kind, content_type
    return None


def _a(word: str) -> str:
    return f"an {word}" if word[:1] in "aeiou" else f"a {word}"


def check_upload(path: str | os.PathLike[str], *, max_size: int = MAX_UPLOAD, wanted: str | None = None) -> UploadFile:
    """The file, checked (size, kind by extension and first bytes) and hashed; UploadRefused otherwise.

    Reads the whole file once for its MD5: call it from a thread for big files."""
    p = Path(path).expanduser()
    if not p.exists():
        raise UploadRefused(f"{p}: no such file")
    if not p.is_file():
        raise UploadRefused(f"{p}: not a file")
    size = p.stat().st_size
    if size == 0:
        raise UploadRefused(f"{p.name}: the file is empty")
    if size > max_size:
        raise UploadRefused(f"{p.name}: {size_text(size)} is over the {size_text(max_size)} upload limit")
    try:
        with p.open("rb") as handle:
            head = handle.read(64)
            digest = hashlib.md5(head, usedforsecurity=False)
            while block := handle.read(MB):
                digest.update(block)
    except OSError as exc:
        raise UploadRefused(f"{p.name}: cannot be read ({exc.strerror or exc})") from None
    sniffed = sniff(head)
    by_name = kind_of(None, p.name)
    if sniffed is None:
        what = f"{_a(by_name)} by its name but not by its content" if by_name else "not an image, video or audio file"
        raise UploadRefused(f"{p.name}: {what}")
    kind, content_type = sniffed
    if by_name and by_name != kind:
        raise UploadRefused(f"{p.name}: named like {_a(by_name)} file but its content is {_a(kind)}")
    if wanted and kind != wanted:
        raise UploadRefused(f"{p.name}: {_a(kind)} file, and this field takes {_a(wanted)}")
    return UploadFile(p, size, kind, content_type, base64.b64encode(digest.digest()).decode("ascii"))


@dataclass(frozen=True)
class DirectUpload:
    """The server's answer to `POST /v1/direct_upload`: where to PUT, with which headers, and the blob's id."""

    signed_id: str
    url: str
    headers: dict[str, str]


def _direct_upload(data: Any) -> DirectUpload:
    data = unwrap(data, "blob", "direct_upload_blob")
    if not isinstance(data, dict):
        raise ValueError("expected an object")
    target = data.get("direct_upload")
    signed = data.get("signed_id")
    if not isinstance(target, dict) or not isinstance(target.get("url"), str) or not signed:
        raise ValueError("no direct_upload.url or signed_id")
    headers = target.get("headers") or {}
    if not isinstance(headers, dict):
        raise ValueError("direct_upload.headers is not an object")
    return DirectUpload(str(signed), target["url"], {str(k): str(v) for k, v in headers.items()})


def upload_deadline(size: int) -> float:
    """Seconds for the PUT: a minute, plus a second per MB (slower than 1 MB/s gives up)."""
    return 60.0 + size / MB


class AssetsApi:
    """The library and the direct upload, through a `GenClient`'s own request machinery."""

    def __init__(self, client: GenClient, *, chunk_size: int = CHUNK) -> None:
        self.client = client
        self.chunk_size = chunk_size
        # the client's sender (retries, deadlines, size caps, typed errors); see the report for a public accessor
        self._wire = client.wire
        self._http = client.http

    async def library(self, agent_id: str, kind: str | None = None, page: int = 0) -> list[ContentResource]:
        """One page (from 0) of the agent's content resources, of one kind when given."""
        params = {"agent_id": str(agent_id), "page": str(max(0, int(page)))}
        if kind:
            params["type"] = kind
        return await self._wire.call("GET", "/content_resources", _library, params=params)

    async def resource(self, agent_id: str, resource_id: str) -> ContentResource:
        """One content resource; `errors.NotFoundError` when the server has none with this id."""
        return await self._wire.call(
            "GET", f"/content_resources/{seg(resource_id)}", _resource, params={"agent_id": str(agent_id)}
        )

    async def upload(self, agent_id: str, file: UploadFile, progress: Progress | None = None) -> ContentResource:
        """Send a checked file: blob, PUT, content resource. Returns the new resource."""
        blob = {"filename": file.name, "byte_size": file.size, "checksum": file.md5,
                "content_type": file.content_type}
        target = await self._wire.call(
            "POST", "/direct_upload", _direct_upload, body={"blob": blob, "agent_id": str(agent_id)}
        )
        await self.put(target, file, progress)
        return await self._wire.call(
            "POST", "/content_resources", _resource,
            params={"agent_id": str(agent_id)},
            body={"content_resource": {"file": target.signed_id}, "agent_id": str(agent_id)},
        )

    async def put(self, target: DirectUpload, file: UploadFile, progress: Progress | None = None) -> None:
        """PUT the bytes to the upload host: no API key, the server's headers plus Content-Length."""
        url = httpx.URL(target.url)
        shown = without_userinfo(target.url).split("?", 1)[0]
        if url.scheme not in ("http", "https") or not url.host or url.userinfo:
            raise errors.MalformedResponseError(
                f"the upload URL {shown[:120]!r} is not a plain http(s) URL", error_code="malformed_response",
                method="PUT", path=shown[:200])
        headers = {k: v for k, v in target.headers.items() if k.lower() not in ("host", "content-length", "x-api-key")}
        headers.setdefault("Content-Type", file.content_type)
        headers.setdefault("Content-MD5", file.md5)
        headers["Content-Length"] = str(file.size)
        request = httpx.Request("PUT", url, headers=headers, content=self._chunks(file, progress))
        limit = Limit(upload_deadline(file.size), UPLOAD_ANSWER_CAP, "limit for upload answers")
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(limit.deadline):
                response = await self._http.send(request, auth=None, stream=True)
                try:
                    content = await read_body(response, limit)
                finally:
                    await response.aclose()
        except TimeoutError:
            raise errors.DeadlineError(f"the upload did not finish within {limit.deadline:g} s",
                                       error_code="deadline_exceeded", method="PUT", path=shown) from None
        except TooLarge:
            content = b""
        except httpx.HTTPError as exc:
            raise transport_error(exc, "PUT", shown, self._wire.scrub) from None
        if response is not None and not 200 <= response.status_code < 300:
            raise http_error(response, content, "PUT", shown, self._wire.scrub, 0.0)

    async def _chunks(self, file: UploadFile, progress: Progress | None) -> AsyncIterator[bytes]:
        """The file's bytes a chunk at a time (read in a thread), telling `progress` after each."""
        sent = 0
        handle = await asyncio.to_thread(file.path.open, "rb")
        try:
            while sent < file.size:
                chunk = await asyncio.to_thread(handle.read, min(self.chunk_size, file.size - sent))
                if not chunk:
                    break  # the file shrank since it was checked: the server refuses the short body (MD5)
                sent += len(chunk)
                yield chunk
                if progress is not None:
                    progress(sent, file.size)
        finally:
            handle.close()
