"""Media for previews (gentui.core.media): no API key, no cookies, bounded, cached on disk (LRU by size)."""

from __future__ import annotations

import os

import httpx
import pytest

from gentui.core.media import MediaCache, MediaFetcher, check_image, media_problem

from ..pngs import hostile, png


def fetcher_with(handler, cache: MediaCache | None = None, **kwargs) -> tuple[MediaFetcher, list[httpx.Request]]:
    seen: list[httpx.Request] = []

    async def record(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    return MediaFetcher(cache, transport=httpx.MockTransport(record), **kwargs), seen


async def test_an_image_is_fetched_without_key_cookie_or_auth_and_cached(tmp_path) -> None:
    image = png()
    fetcher, seen = fetcher_with(lambda r: httpx.Response(200, headers={"Content-Type": "image/png",
                                                                        "Set-Cookie": "track=1; Path=/"}, content=image),
                                 MediaCache(tmp_path, 1 << 20))
    media = await fetcher.fetch("https://cdn.test/a.png")
    assert media.ok and media.data == image and media.content_type == "image/png"
    await fetcher.fetch("https://cdn.test/b.png")  # the cookie from the first answer is not sent back
    headers = {k.lower() for r in seen for k in r.headers}
    assert not headers & {"x-api-key", "authorization", "cookie"}, headers
    again = MediaFetcher(MediaCache(tmp_path, 1 << 20), transport=httpx.MockTransport(lambda r: httpx.Response(500)))
    cached = await again.fetch("https://cdn.test/a.png")
    assert cached.ok and cached.cached and cached.data == image
    await fetcher.aclose()


@pytest.mark.parametrize(("kind", "reason"), [
    ("huge", "larger than 8 MB: not fetched"),
    ("wrong_type", "not an image gentui draws (content type text/html)"),
    ("svg", "an SVG image is not drawn (it can load other URLs)"),
])
async def test_a_hostile_answer_is_a_one_line_reason(kind: str, reason: str) -> None:
    fetcher, _ = fetcher_with(lambda r: hostile(kind))
    media = await fetcher.fetch(f"https://cdn.test/{kind}")
    assert not media.ok and media.problem == reason and media.data == b""


async def test_errors_timeouts_and_urls_that_are_not_fetched() -> None:
    fetcher, seen = fetcher_with(lambda r: httpx.Response(404))
    assert (await fetcher.fetch("https://cdn.test/gone.png")).problem == "the media host answered 404"
    assert (await fetcher.fetch("file:///etc/passwd")).problem == "not an http(s) URL"
    assert (await fetcher.fetch("https://u:p@cdn.test/x.png")).problem.startswith("a URL with a user name")
    assert len(seen) == 1

    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    broken, _ = fetcher_with(refuse)
    assert (await broken.fetch("https://cdn.test/x.png")).problem == "could not fetch: ConnectError"


def test_the_bytes_must_match_the_type() -> None:
    assert check_image("image/png", png()) == ""
    assert check_image("image/png; charset=x", b"GIF89a....") == "the bytes are not a PNG image"
    assert check_image("image/jpeg", b"<svg ...") .startswith("an SVG")
    assert media_problem("https://cdn.test/x") == ""


def test_the_cache_evicts_the_least_recently_used_past_its_size(tmp_path) -> None:
    cache = MediaCache(tmp_path, 250)
    for name in ("a", "b"):
        cache.put(name, name.encode() * 100)
    old = os.stat(cache._path("a")).st_mtime - 100
    os.utime(cache._path("a"), (old, old))
    os.utime(cache._path("b"), (old + 50, old + 50))
    assert cache.get("a") == b"a" * 100  # used: now the most recent
    cache.put("c", b"c" * 100)  # 300 bytes > 250: the least recently used (b) goes
    assert cache.get("b") is None and cache.get("a") and cache.get("c")
    assert oct(os.stat(cache._path("a")).st_mode & 0o777) == "0o600"
    off = MediaCache(tmp_path / "off", 0)
    off.put("x", b"x")
    assert off.get("x") is None and not (tmp_path / "off").exists()


async def test_the_simulators_hostile_media_never_get_past_the_fetcher() -> None:
    """The simulator's own hostile media host (`/_sim/media/hostile/`), in-process."""
    from gentui.sim.app import create_app
    from gentui.sim.options import SimOptions

    fetcher = MediaFetcher(transport=httpx.ASGITransport(app=create_app(SimOptions(quiet=True))), deadline=0.5)
    base = "http://sim/_sim/media/hostile"
    got = {name: await fetcher.fetch(f"{base}/{name}") for name in (
        "huge.png", "wrong-type.png", "not-a-png.png", "image.svg", "slow.png", "truncated.png", "huge-dimensions.png")}
    assert got["huge.png"].problem == "larger than 8 MB: not fetched"
    assert got["wrong-type.png"].problem == "not an image gentui draws (content type text/html)"
    assert got["not-a-png.png"].problem == "the bytes are not a PNG image"
    assert got["image.svg"].problem == "an SVG image is not drawn (it can load other URLs)"
    assert got["slow.png"].problem.startswith("no whole answer within")
    # these two are PNGs as far as bytes go: the preview's decoder refuses them (tests/ui/test_preview_decode.py)
    assert got["truncated.png"].ok and got["huge-dimensions.png"].ok
    await fetcher.aclose()
