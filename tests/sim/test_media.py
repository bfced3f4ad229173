"""The simulator's media host: deterministic stdlib PNGs on its own origin, placeholders, hostile media."""

from __future__ import annotations

import struct
import zlib

import httpx
import pytest

from gentui.sim import media
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread
from gentui.sim.testing import media_take

from .conftest import Sim


def parse_png(data: bytes) -> tuple[int, int, bytes]:
    """(width, height, raw scanlines) of an 8-bit RGB PNG; every chunk's CRC and the sizes checked."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, chunks = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kind, body = data[pos + 4:pos + 8], data[pos + 8:pos + 8 + length]
        (crc,) = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        assert len(body) == length and zlib.crc32(kind + body) & 0xFFFFFFFF == crc, kind
        chunks.append((kind, body))
        pos += 12 + length
    assert pos == len(data)
    assert chunks[0][0] == b"IHDR" and chunks[-1] == (b"IEND", b"")
    width, height, depth, colour, _, _, _ = struct.unpack(">IIBBBBB", chunks[0][1])
    assert (depth, colour) == (8, 2)
    raw = zlib.decompress(b"".join(body for kind, body in chunks if kind == b"IDAT"))
    assert len(raw) == height * (1 + 3 * width)
    return width, height, raw


def pixel(width: int, raw: bytes, x: int, y: int) -> tuple[int, int, int]:
    start = y * (1 + 3 * width) + 1 + 3 * x
    r, g, b = raw[start:start + 3]
    return r, g, b


async def _output(world: Sim, title: str) -> dict:
    cell = world.cell(0, title)
    gid = (await world.generate(cell)).json()["generation_id"]
    world.force(gid)
    await world.finish()
    [out] = (await world.generation(gid))["output_resources"]
    return out


async def test_an_image_output_and_its_thumbnail_are_valid_pngs_on_the_sims_origin(quiet: Sim) -> None:
    out = await _output(quiet, "B-ROLL")
    assert out["url"].startswith("http://sim/_sim/media/image-r1-")
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app), base_url="http://sim")  # no key
    async with bare:
        full = await bare.get(out["url"])
        thumb = await bare.get(out["thumbnail_url"])
    assert (full.status_code, full.headers["content-type"]) == (200, "image/png")
    assert parse_png(full.content)[:2] == media.FULL_SIZE
    assert parse_png(thumb.content)[:2] == media.THUMB_SIZE
    assert len(full.content) < 4096 and thumb.content != full.content


def test_the_picture_shows_its_kind_by_colour_and_its_row_by_bars() -> None:
    def bars(data: bytes) -> int:
        width, height, raw = parse_png(data)
        y = height - 5  # inside the bars, above the bottom line
        row = [pixel(width, raw, x, y) for x in range(width)]
        return sum(1 for a, b in zip(row, row[1:], strict=False) if a != (250, 250, 250) and b == (250, 250, 250))

    image = media.draw(0, "image", 3, 5, media.FULL_SIZE)
    video = media.draw(0, "video", 3, 5, media.FULL_SIZE)
    w, _, raw_i = parse_png(image)
    _, _, raw_v = parse_png(video)
    ri, gi, bi = pixel(w, raw_i, 1, 40)
    rv, gv, bv = pixel(w, raw_v, 1, 40)
    assert bi > ri and rv > gv  # image blue, video purple
    assert bars(image) == 3 and bars(media.draw(0, "image", 7, 5, media.FULL_SIZE)) == 7
    assert media.draw(0, "image", 3, 5, media.FULL_SIZE) != media.draw(0, "image", 4, 5, media.FULL_SIZE)


def test_media_bytes_are_deterministic_per_seed() -> None:
    name = "image-r2-900123.png"
    first = media.generated(0, name)
    media.generated.cache_clear()
    assert media.generated(0, name) == first
    assert first is not None and media.generated(1, name) != first  # the seed tints the picture


async def test_media_need_no_key_are_never_faulted_and_not_counted(quiet: Sim) -> None:
    await quiet.admin("faults", {"error_rate": 1.0, "error_statuses": [503]})
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app), base_url="http://sim")
    async with bare:
        for name in ("image-r1-900010.png", "video-r1-900010-8s.mp4", "audio-r1-900010-3s.mp3"):
            assert (await bare.get(f"/_sim/media/{name}")).status_code == 200
        assert (await bare.get("/_sim/media/hostile/truncated.png")).status_code == 200
    assert (await quiet.client.get("/v1/me")).status_code == 503  # the faults are on for /v1
    stats = await quiet.admin("stats")
    assert not any("_sim/media" in route for route in stats["requests"])
    assert list(quiet.sim.world.media_log)[0] == ("image-r1-900010.png", False)


async def test_placeholder_video_and_audio_say_what_they_are(quiet: Sim) -> None:
    video = await quiet.client.get("/_sim/media/video-r4-900010-8s.mp4")
    audio = await quiet.client.get("/_sim/media/audio-r4-900010-3s.mp3")
    assert video.headers["content-type"] == "video/mp4" and video.content[4:8] == b"ftyp"
    assert b"mvhd" in video.content and b"placeholder video" in video.content
    mvhd = video.content.index(b"mvhd")
    timescale, duration = struct.unpack(">II", video.content[mvhd + 16:mvhd + 24])
    assert duration / timescale == 8
    assert audio.headers["content-type"] == "audio/mpeg" and audio.content[:3] == b"ID3"
    assert b"placeholder audio" in audio.content and b"\xff\xfb\x90\x64" in audio.content


@pytest.mark.parametrize("name", ["image-r1-1.mp4", "audio-r1-1.png", "nope.png", "video-r1-1.mp3", "../secret"])
async def test_names_that_are_not_media_are_404(quiet: Sim, name: str) -> None:
    assert (await quiet.client.get(f"/_sim/media/{name}")).status_code == 404


async def test_hostile_media(quiet: Sim) -> None:
    get = quiet.client.get
    truncated = await get("/_sim/media/hostile/truncated.png")
    assert truncated.content.startswith(media.PNG_SIGNATURE) and b"IEND" not in truncated.content
    wrong = await get("/_sim/media/hostile/wrong-type.png")
    assert wrong.headers["content-type"].startswith("text/html") and parse_png(wrong.content)
    assert (await get("/_sim/media/hostile/not-a-png.png")).headers["content-type"] == "image/png"
    svg = await get("/_sim/media/hostile/image.svg")
    assert svg.headers["content-type"] == "image/svg+xml" and b"<script>" in svg.content
    dims = (await get("/_sim/media/hostile/huge-dimensions.png")).content
    assert struct.unpack(">II", dims[16:24]) == (30000, 30000) and len(dims) < 1024
    assert (await get("/_sim/media/hostile/unknown.png")).status_code == 404


def test_the_huge_png_is_streamed_lazily_over_http() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server, httpx.Client() as client, \
            client.stream("GET", server.root_url + "/_sim/media/hostile/huge.png") as response:
        assert response.headers["content-length"] == str(100 * 1024 * 1024)
        got = 0
        for chunk in response.iter_bytes():
            got += len(chunk)
            if got > 2 * 1024 * 1024:
                break  # a careful client stops here; the server never made the 100 MB
        assert got > 2 * 1024 * 1024


async def test_urls_follow_the_origin_the_client_reached(quiet: Sim) -> None:
    out = await _output(quiet, "B-ROLL")
    other = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app), base_url="http://demo.sim",
                              headers={"X-API-Key": quiet.sim.api_key})
    async with other:
        again = (await other.get(f"/v1/generations/{out['id'] // 10}")).json()["output_resources"][0]
        cell = (await other.get(quiet.path(f"cells/{quiet.cell(0, 'B-ROLL').id}"))).json()
    assert again["url"] == out["url"].replace("http://sim/", "http://demo.sim/")
    assert cell["value"] == again["url"]
    with serve_in_thread(app=quiet.app) as server:
        real = httpx.get(f"{server.base_url}/generations/{out['id'] // 10}", headers={"X-API-Key": "sim-key"}).json()
        url = real["output_resources"][0]["url"]
        assert url.startswith(f"http://127.0.0.1:{server.port}/_sim/media/image-r1-")
        assert httpx.get(url).headers["content-type"] == "image/png"


async def test_a_take_can_show_hostile_media_on_the_sims_origin(quiet: Sim) -> None:
    cell = quiet.cell(2, "B-ROLL")
    gen = media_take(quiet.app, cell, "/_sim/media/hostile/huge.png", "/_sim/media/hostile/image.svg")
    shown = (await quiet.client.get(quiet.path(f"cells/{cell.id}"))).json()["default_user_job"]
    assert shown["id"] == gen.id and shown["status"] == "completed"
    [out] = shown["output_resources"]
    assert (out["url"], out["thumbnail_url"]) == ("http://sim/_sim/media/hostile/huge.png",
                                                 "http://sim/_sim/media/hostile/image.svg")
