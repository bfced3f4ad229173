"""The library, one resource and the direct upload against a scripted server on httpx.MockTransport."""

from __future__ import annotations

import base64
import hashlib
import json

import httpx
import pytest

from gentui.api import errors
from gentui.api.assets import AssetsApi, UploadRefused, check_upload

from .conftest import KEY, answer, error

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 600


def md5_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


async def test_library_pages_from_zero_filtered_by_type(server, make_client) -> None:
    server.on("GET", "/content_resources", answer(200, [
        {"id": 7, "url": "https://cdn/x/a.png", "thumbnail_url": None, "file_name": "a.png", "content_type": "image/png"},
        {"id": "8", "url": "https://cdn/x/b.mp4", "content_type": "video/mp4"},
        {"no_id": True},
    ]))
    api = AssetsApi(make_client())
    page = await api.library("42", "image", page=0)
    assert [r.id for r in page] == ["7", "8"]
    assert (page[0].kind, page[0].name) == ("image", "a.png")
    assert (page[1].kind, page[1].name) == ("video", "b.mp4")
    request = server.requests[-1]
    assert dict(request.url.params) == {"agent_id": "42", "page": "0", "type": "image"}
    await api.library("42", None, page=3)
    assert dict(server.requests[-1].url.params) == {"agent_id": "42", "page": "3"}


async def test_resource_by_id_unwraps_and_a_missing_one_is_not_found(server, make_client) -> None:
    server.on("GET", "/content_resources/5", answer(200, {"content_resource": {"id": 5, "filename": "s.mp3",
                                                                                "content_type": "audio/mpeg"},
                                                           "generator": None}))
    server.on("GET", "/content_resources/6", error(404, "content_resource_not_found", "Not found"))
    api = AssetsApi(make_client())
    got = await api.resource("42", "5")
    assert (got.id, got.kind, got.name) == ("5", "audio", "s.mp3")
    with pytest.raises(errors.NotFoundError):
        await api.resource("42", "6")


async def test_upload_blob_put_without_the_key_then_resource(server, make_client, tmp_path) -> None:
    path = tmp_path / "ref.png"
    path.write_bytes(PNG)
    put: list[httpx.Request] = []

    def on_put(request: httpx.Request) -> httpx.Response:
        put.append(request)
        assert md5_b64(request.content) == request.headers["Content-MD5"]
        return httpx.Response(204)

    server.on("POST", "/direct_upload", answer(200, {
        "id": 1, "signed_id": "sig-abc", "direct_upload": {
            "url": "https://uploads.test/bucket/key1?sig=1",
            "headers": {"Content-Type": "image/png", "Content-MD5": md5_b64(PNG)}}}))
    server.on("PUT", "/bucket/key1", on_put)
    server.on("POST", "/content_resources", answer(201, {"content_resource": {"id": 901, "file_name": "ref.png",
                                                                               "content_type": "image/png"}}))
    api = AssetsApi(make_client(), chunk_size=128)
    file = check_upload(path)
    seen: list[tuple[int, int]] = []
    made = await api.upload("42", file, lambda sent, total: seen.append((sent, total)))
    assert made.id == "901"
    assert server.paths() == ["POST /v1/direct_upload", "PUT /bucket/key1", "POST /v1/content_resources"]
    blob = json.loads(server.requests[0].content)["blob"]
    assert blob == {"filename": "ref.png", "byte_size": len(PNG), "checksum": md5_b64(PNG),
                    "content_type": "image/png"}
    assert put[0].content == PNG
    assert "X-API-Key" not in put[0].headers and KEY not in str(put[0].headers)
    assert put[0].url.host == "uploads.test"
    assert json.loads(server.requests[2].content)["content_resource"] == {"file": "sig-abc"}
    assert seen[-1] == (len(PNG), len(PNG)) and len(seen) == 5  # 608 bytes in chunks of 128


async def test_an_upload_host_refusal_is_a_typed_error_and_no_resource_is_made(server, make_client, tmp_path) -> None:
    path = tmp_path / "ref.png"
    path.write_bytes(PNG)
    server.on("POST", "/direct_upload", answer(200, {"signed_id": "s", "direct_upload": {
        "url": "https://uploads.test/k", "headers": {}}}))
    server.on("PUT", "/k", httpx.Response(400, content=b"<Error>BadDigest</Error>"))
    api = AssetsApi(make_client())
    with pytest.raises(errors.GenApiError) as caught:
        await api.upload("42", check_upload(path))
    assert caught.value.status == 400
    assert "POST /v1/content_resources" not in server.paths()


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("notes.txt", b"hello there", "not an image, video or audio file"),
    ("fake.png", b"just text, not a PNG", "by its name but not by its content"),
    ("clip.mp3", PNG, "named like an audio file but its content is an image"),
    ("empty.png", b"", "empty"),
])
def test_files_refused_before_anything_is_sent(tmp_path, name, content, reason) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UploadRefused, match=reason):
        check_upload(path)


def test_size_and_wanted_kind_are_checked(tmp_path) -> None:
    path = tmp_path / "a.png"
    path.write_bytes(PNG)
    with pytest.raises(UploadRefused, match="over the 100 bytes upload limit"):
        check_upload(path, max_size=100)
    with pytest.raises(UploadRefused, match="this field takes a video"):
        check_upload(path, wanted="video")
    with pytest.raises(UploadRefused, match="no such file"):
        check_upload(tmp_path / "missing.png")
    assert check_upload(path, wanted="image").md5 == md5_b64(PNG)


@pytest.mark.parametrize("url", ["ftp://uploads.test/k", "https://user:pw@uploads.test/k", "/relative/only"])
async def test_an_upload_url_that_is_not_plain_http_is_refused_before_the_put(server, make_client, tmp_path,
                                                                              url) -> None:
    path = tmp_path / "ref.png"
    path.write_bytes(PNG)
    server.on("POST", "/direct_upload", answer(200, {"signed_id": "s", "direct_upload": {"url": url, "headers": {}}}))
    api = AssetsApi(make_client())
    with pytest.raises(errors.MalformedResponseError, match="not a plain http"):
        await api.upload("42", check_upload(path))
    assert server.paths() == ["POST /v1/direct_upload"]
    assert "pw" not in str(server.requests)
