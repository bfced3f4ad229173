"""Content resources: the agent's library (outputs and uploads), direct upload, and the media host routes.

`/v1` (counted, faulted, key needed):
- `GET /v1/content_resources?agent_id=&type=&page=&ids[]=` -> a bare array, newest first, 20 a page,
  page from 0: `[{id, url, thumbnail_url, file_name, content_type, type, byte_size, source,
  generation_id, created_at, created_at_ts}]` (`type` image|video|audio|zip|safe_tensors; `source`
  "output" or "upload"; an output's `id` is the id in its generation's `output_resources`);
- `GET /v1/content_resources/{id}` -> `{content_resource, generator: {id, status, type} | null}`
  (404 `content_resource_not_found`); `DELETE` the same -> `{content_resource, deleted: true}`;
- `POST /v1/direct_upload` `{blob: {filename, byte_size, checksum, content_type}}` ->
  `{id, key, filename, content_type, byte_size, checksum, signed_id, created_at,
  direct_upload: {url, headers: {Content-Type, Content-MD5}}}`; refused types are 422
  `invalid_content_type`, over 1 GB 422 `file_size_exceeded`;
- `POST /v1/content_resources` with `content_resource[file]=<signed_id>` (JSON `{"content_resource":
  {"file": id}}` or `{"content_resource[file]": id}`, urlencoded or multipart; a multipart file part
  is taken as the file itself) -> 201 `{content_resource, generator: null}`.

Storage (no key, never faulted, not counted):
- `PUT /_sim/uploads/{key}`: the bytes of a direct upload. `Content-MD5` must be the declared
  checksum and `Content-Type` the declared type (else 403 `signature_mismatch`); the body's MD5 must
  match (else 400 `bad_digest`) and its size the declared `byte_size` (else 400 `size_mismatch`);
  over 50 MB is 413 `payload_too_large`; a request carrying `X-API-Key` or `Authorization` is 400
  `credentials_sent_to_storage` (a storage host must never see the key). 200 with an `ETag`.
- `GET /_sim/media/{name}`: see `gentui.sim.media`. `world.media_log` keeps (name, key sent?) of
  the last 1000 media requests, for tests that check no key reaches the media host.
"""

from __future__ import annotations

import base64
import binascii
import email.parser
import email.policy
import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from gentui.sim import errors, media
from gentui.sim.clock import epoch_ms, iso
from gentui.sim.context import authenticate, error_response, int_id, json_response, parse_json, require_agent
from gentui.sim.lifecycle import output_kind, output_seconds
from gentui.sim.model import COMPLETED, Blob, Generation, Upload
from gentui.sim.world import World

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator

PAGE_SIZE = 20
MAX_BYTES = 1024 ** 3  # the API's limit (gen-api.md)
STORE_CAP = 50 * 1024 * 1024  # what the simulator keeps in memory per upload
UPLOADS_PATH = "/_sim/uploads"
KINDS = ("image", "video", "audio", "zip", "safe_tensors")
#: content types an upload may have, and their kind
CONTENT_TYPES = {
    "image/png": "image", "image/jpeg": "image", "image/webp": "image", "image/gif": "image",
    "video/mp4": "video", "video/quicktime": "video", "video/webm": "video",
    "audio/mpeg": "audio", "audio/mp3": "audio", "audio/wav": "audio", "audio/x-wav": "audio",
    "audio/mp4": "audio", "audio/aac": "audio", "audio/ogg": "audio",
    "application/zip": "zip", "application/octet-stream": "safe_tensors",
}
_TYPES_BY_EXT = {"png": "image/png", "mp4": "video/mp4", "mp3": "audio/mpeg"}


def _ext(kind_type: str) -> str:
    return {"image/jpeg": "jpg", "audio/mpeg": "mp3", "video/quicktime": "mov", "application/octet-stream": "bin",
            "audio/x-wav": "wav"}.get(kind_type, kind_type.rpartition("/")[2])


@dataclass(frozen=True, slots=True)
class Resource:
    """One content resource, whatever made it: urls as media names on the simulator's origin."""

    id: int
    kind: str
    file_name: str
    content_type: str
    byte_size: int | None
    created_at: float
    media: str
    thumbnail: str | None
    source: str
    generation: Generation | None = None


# --- the library ---------------------------------------------------------------------------------


def _of_output(world: World, gen: Generation, index: int) -> Resource:
    kind = output_kind(gen.kind)
    rid = gen.id * 10 + index
    row = world.row_number(gen)
    name = media.media_name(kind, row, rid, output_seconds(gen.kind, gen.data))
    return Resource(rid, kind, name, _TYPES_BY_EXT[name.rpartition(".")[2]], None, gen.updated_at, name,
                    media.thumbnail_name(kind, row, rid), "output", gen)


def upload_media(item: Upload) -> tuple[str, str | None]:
    """(media name, thumbnail name) of a library item or an upload."""
    if item.data is None:  # seeded: drawn from the seed
        kind = item.kind if item.kind in ("image", "video", "audio") else "upload"
        return media.media_name(kind, item.row, item.id), media.thumbnail_name(kind, item.row, item.id)
    name = f"upload-{item.id}.{_ext(item.content_type)}"
    if item.kind == "image":
        return name, name  # an image is its own thumbnail
    if item.kind == "video":
        return name, media.image_name("upload", 0, item.id, thumb=True)
    return name, None


def _of_upload(item: Upload) -> Resource:
    name, thumb = upload_media(item)
    return Resource(item.id, item.kind, item.file_name, item.content_type, item.byte_size, item.created_at, name,
                    thumb, "upload")


def find(world: World, rid: int | None) -> Resource | None:
    """The content resource `rid` (an upload or a completed generation's output), unless deleted."""
    if rid is None or rid in world.deleted:
        return None
    item = world.uploads.get(rid)
    if item is not None:
        return _of_upload(item)
    gid, index = divmod(rid, 10)
    gen = world.generations.get(gid)
    if gen is None or gen.status != COMPLETED or gen.resources is not None or index >= gen.outputs:
        return None
    return _of_output(world, gen, index)


def known(world: World) -> Callable[[int], bool]:
    """Does a content resource id name something in this world (for card validation)?"""
    return lambda rid: find(world, rid) is not None


def library(world: World, kind: str | None = None) -> list[Resource]:
    """Every content resource, newest first (ties: higher id first); of one kind if given."""
    out = [_of_upload(u) for u in world.uploads.values() if u.id not in world.deleted]
    for gen in world.generations.values():
        if gen.status == COMPLETED and gen.outputs and gen.resources is None:
            out.extend(_of_output(world, gen, i) for i in range(gen.outputs) if gen.id * 10 + i not in world.deleted)
    if kind is not None:
        out = [r for r in out if r.kind == kind]
    out.sort(key=lambda r: (r.created_at, r.id), reverse=True)
    return out


# --- JSON ---------------------------------------------------------------------------------------


def _json(sim: Simulator, resource: Resource) -> dict[str, Any]:
    s = sim.serializer
    return {
        "id": s.id(resource.id),
        "url": s.url(media.path(resource.media)),
        "thumbnail_url": s.url(media.path(resource.thumbnail)) if resource.thumbnail else None,
        "file_name": resource.file_name,
        "content_type": resource.content_type,
        "type": resource.kind,
        "byte_size": resource.byte_size,
        "source": resource.source,
        "generation_id": s.id(resource.generation.id) if resource.generation else None,
        "created_at": iso(resource.created_at),
        "created_at_ts": epoch_ms(resource.created_at),
    }


def _generator(sim: Simulator, resource: Resource) -> dict[str, Any] | None:
    gen = resource.generation
    if gen is None:
        return None
    return {"id": sim.serializer.id(gen.id), "status": gen.status, "type": sim.serializer.user_job_type(gen)}


def _not_found() -> errors.ApiError:
    return errors.ApiError(404, "content_resource_not_found", "Content resource not found")


def _agent_if_given(sim: Simulator, request: Request, body: Any = None) -> None:
    given = request.query_params.get("agent_id") not in (None, "") or (
        isinstance(body, dict) and body.get("agent_id") not in (None, ""))
    if given:
        require_agent(sim, request, body)


# --- /v1 routes -----------------------------------------------------------------------------------


async def list_resources(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    require_agent(sim, request)
    q = request.query_params
    kind = q.get("type") or None
    if kind is not None and kind not in KINDS:
        raise errors.validation(f"type must be one of {', '.join(KINDS)}")
    raw_page = q.get("page", "0") or "0"
    page = int_id(raw_page)
    if page is None:
        raise errors.validation("page must be an integer from 0")
    items = library(sim.world, kind)
    ids = [int_id(v) for v in (*q.getlist("ids[]"), *q.getlist("ids"))]
    if ids:
        wanted = {i for i in ids if i is not None}
        items = [r for r in items if r.id in wanted]
    chunk = items[page * PAGE_SIZE:(page + 1) * PAGE_SIZE]
    return json_response([_json(sim, r) for r in chunk])


def _resource(sim: Simulator, request: Request) -> Resource:
    authenticate(sim, request)
    _agent_if_given(sim, request)
    found = find(sim.world, int_id(request.path_params.get("resource_id")))
    if found is None:
        raise _not_found()
    return found


async def get_resource(sim: Simulator, request: Request) -> Response:
    found = _resource(sim, request)
    return json_response({"content_resource": _json(sim, found), "generator": _generator(sim, found)})


async def delete_resource(sim: Simulator, request: Request) -> Response:
    found = _resource(sim, request)
    sim.world.deleted.add(found.id)
    return json_response({"content_resource": _json(sim, found), "deleted": True})


def _checksum(value: Any) -> str:
    if not isinstance(value, str):
        raise errors.validation("checksum must be the base64 MD5 of the file")
    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != 16:
        raise errors.validation("checksum must be the base64 MD5 of the file")
    return value


async def direct_upload(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    body, ok = parse_json(await request.body())
    if not ok or not isinstance(body, dict):
        raise errors.validation("the body must be a JSON object")
    _agent_if_given(sim, request, body)
    blob = body.get("blob", body)
    if not isinstance(blob, dict):
        raise errors.validation("blob must be an object")
    filename = blob.get("filename")
    if not isinstance(filename, str) or not filename.strip() or len(filename) > 255:
        raise errors.validation("blob.filename must be a file name (1-255 characters)")
    size = blob.get("byte_size")
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise errors.validation("blob.byte_size must be a whole number of bytes")
    if size > MAX_BYTES:
        raise errors.ApiError(422, "file_size_exceeded", "The file is larger than 1 GB")
    checksum = _checksum(blob.get("checksum"))
    content_type = blob.get("content_type")
    if not isinstance(content_type, str) or content_type.strip().lower() not in CONTENT_TYPES:
        raise errors.ApiError(422, "invalid_content_type", f"Content type {content_type!r} is not allowed")
    world = sim.world
    number = world.next_id("blob")
    secret = hashlib.sha256(f"{world.seed}:blob:{number}".encode()).hexdigest()
    key = f"{number}x{secret[:20]}"
    signed = base64.urlsafe_b64encode(json.dumps({"blob_id": number}).encode()).decode().rstrip("=") + "--" + secret[20:40]
    item = Blob(number, key, signed, filename.strip(), content_type.strip().lower(), size, checksum, sim.clock.now())
    world.blobs[key] = item
    return json_response({
        "id": sim.serializer.id(item.id), "key": item.key, "filename": item.filename,
        "content_type": item.content_type, "byte_size": item.byte_size, "checksum": item.checksum,
        "signed_id": item.signed_id, "created_at": iso(item.created_at),
        "direct_upload": {"url": f"{sim.serializer.origin}{UPLOADS_PATH}/{item.key}",
                          "headers": {"Content-Type": item.content_type, "Content-MD5": item.checksum}},
    })


def _multipart(content_type: str, raw: bytes) -> dict[str, Any]:
    """Fields of a multipart/form-data body: text values as str, file parts as (filename, type, bytes)."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\nMIME-Version: 1.0\r\n\r\n" + raw)
    fields: dict[str, Any] = {}
    if not message.is_multipart():
        return fields
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        data = payload if isinstance(payload, bytes) else b""
        filename = part.get_filename()
        if filename is not None:
            fields[name] = (filename, part.get_content_type(), data)
        else:
            fields[name] = data.decode("utf-8", "replace")
    return fields


def _file_field(request: Request, raw: bytes) -> Any:
    kind = request.headers.get("content-type", "")
    lower = kind.lower()
    if lower.startswith("multipart/form-data"):
        fields = _multipart(kind, raw)
    elif lower.startswith("application/x-www-form-urlencoded"):
        fields = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    else:
        body, ok = parse_json(raw)
        if not ok or not isinstance(body, dict):
            raise errors.validation("the body must be a JSON object or a form")
        fields = dict(body)
        wrapped = body.get("content_resource")
        if isinstance(wrapped, dict) and "file" in wrapped:
            fields["content_resource[file]"] = wrapped["file"]
    return fields.get("content_resource[file]")


def _add_upload(sim: Simulator, filename: str, content_type: str, data: bytes) -> Upload:
    world = sim.world
    item = Upload(world.next_id("upload"), CONTENT_TYPES[content_type], filename, content_type, len(data),
                  sim.clock.now(), data)
    world.uploads[item.id] = item
    return item


async def create_resource(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    raw = await request.body()
    _agent_if_given(sim, request)
    if len(raw) > STORE_CAP + 64 * 1024:
        raise errors.ApiError(413, "payload_too_large", "The simulator keeps uploads up to 50 MB")
    field = _file_field(request, raw)
    if isinstance(field, tuple):  # a multipart file: the file itself
        filename, content_type, data = field
        if content_type not in CONTENT_TYPES:
            raise errors.ApiError(422, "invalid_content_type", f"Content type {content_type!r} is not allowed")
        item = _add_upload(sim, os.path.basename(filename) or "upload", content_type, data)
    else:
        if not isinstance(field, str) or not field.strip():
            raise errors.validation("content_resource[file] is required (a direct upload's signed_id)")
        blob = next((b for b in sim.world.blobs.values() if b.signed_id == field.strip()), None)
        if blob is None:
            raise errors.ApiError(422, "content_resource_creation_failed", "Unknown signed_id")
        if blob.data is None:
            raise errors.ApiError(422, "content_resource_creation_failed",
                                  "The file was not uploaded to direct_upload.url")
        item = _add_upload(sim, blob.filename, blob.content_type, blob.data)
        blob.resource_id = item.id
    return json_response({"content_resource": _json(sim, _of_upload(item)), "generator": None}, 201)


# --- storage routes (no key, not counted, never faulted) ----------------------------------------


def _storage_error(status: int, code: str, message: str) -> Response:
    return error_response(errors.ApiError(status, code, message))


async def put_upload(sim: Simulator, request: Request) -> Response:
    blob = sim.world.blobs.get(request.path_params["key"])
    if blob is None:
        return _storage_error(404, "not_found", "No such upload key")
    if request.headers.get("x-api-key") or request.headers.get("authorization"):
        return _storage_error(400, "credentials_sent_to_storage", "The storage host must never receive the API key")
    if request.headers.get("content-md5", "").strip() != blob.checksum:
        return _storage_error(403, "signature_mismatch", "Content-MD5 is not the checksum given to direct_upload")
    if request.headers.get("content-type", "").split(";")[0].strip().lower() != blob.content_type:
        return _storage_error(403, "signature_mismatch", "Content-Type is not the one given to direct_upload")
    declared = int_id(request.headers.get("content-length"))
    if declared is not None and declared > STORE_CAP:
        return _storage_error(413, "payload_too_large", "The simulator keeps uploads up to 50 MB")
    parts, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > STORE_CAP:
            return _storage_error(413, "payload_too_large", "The simulator keeps uploads up to 50 MB")
        parts.append(chunk)
    data = b"".join(parts)
    digest = hashlib.md5(data).digest()
    if base64.b64encode(digest).decode() != blob.checksum:
        return _storage_error(400, "bad_digest", "The body's MD5 does not match Content-MD5")
    if len(data) != blob.byte_size:
        return _storage_error(400, "size_mismatch", f"Got {len(data)} bytes, direct_upload declared {blob.byte_size}")
    blob.data = data
    return Response(b"", status_code=200, headers={"ETag": f'"{digest.hex()}"'})


_CACHE = {"Cache-Control": "public, max-age=86400"}


async def get_media(sim: Simulator, request: Request) -> Response:
    name: str = request.path_params["name"]
    world = sim.world
    world.media_log.append((name, bool(request.headers.get("x-api-key") or request.headers.get("authorization"))))
    if name.startswith("hostile/"):
        entry = media.HOSTILE.get(name.removeprefix("hostile/"))
        if entry is None:
            return _storage_error(404, "not_found", "No such media")
        content_type, data = entry
        if data is not None:
            return Response(data, media_type=None, headers={"Content-Type": content_type})
        if name == "hostile/huge.png":
            return StreamingResponse(media.huge_stream(), headers={
                "Content-Type": content_type, "Content-Length": str(media.HUGE_BYTES)})
        return StreamingResponse(media.slow_stream(), headers={"Content-Type": content_type})
    rid = media.upload_id(name)
    if rid is not None:
        item = world.uploads.get(rid)
        if item is None or item.data is None or rid in world.deleted:
            return _storage_error(404, "not_found", "No such media")
        return Response(item.data, headers={"Content-Type": item.content_type, **_CACHE})
    made = media.generated(sim.options.seed, name)
    if made is None:
        return _storage_error(404, "not_found", "No such media")
    data, content_type = made
    return Response(data, headers={"Content-Type": content_type, **_CACHE})


def storage_routes(sim: Simulator) -> list[Route]:
    """The media host and the upload target, on the simulator's own origin."""

    async def media_endpoint(request: Request) -> Response:
        return await get_media(sim, request)

    async def upload_endpoint(request: Request) -> Response:
        return await put_upload(sim, request)

    return [Route(media.MEDIA_PATH + "/{name:path}", media_endpoint, methods=["GET", "HEAD"]),
            Route(UPLOADS_PATH + "/{key}", upload_endpoint, methods=["PUT"])]


def v1_table() -> list[tuple[str, str, Any]]:
    """The `/v1` content-resource routes, for the app's route table."""
    return [
        ("GET", "/v1/content_resources", list_resources),
        ("POST", "/v1/content_resources", create_resource),
        ("GET", "/v1/content_resources/{resource_id}", get_resource),
        ("DELETE", "/v1/content_resources/{resource_id}", delete_resource),
        ("POST", "/v1/direct_upload", direct_upload),
    ]


__all__ = ["PAGE_SIZE", "Resource", "find", "known", "library", "storage_routes", "v1_table"]
