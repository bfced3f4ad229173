"""Offline start: the last engine seen is shown from the cache, marked stale, and the app recovers by itself."""

from __future__ import annotations

import asyncio
import gzip

import httpx

from gentui.api.client import GenClient
from gentui.core.engine_cache import EngineCache
from gentui.core.poller import PollPolicy
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.header import CreditsHeader

from .pilot import SIZE, World, loaded, no_sleep, wait_for

FAST = PollPolicy(interval=0.05, max_backoff=0.2, engine_idle=0.5, discovery_floor=0.5)


class Switch(httpx.AsyncBaseTransport):
    """The simulator behind a switch: `up = False` is a server that refuses connections."""

    def __init__(self, world: World) -> None:
        self.inner = httpx.ASGITransport(app=world.app)
        self.up = True
        self.refused = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if not self.up:
            self.refused += 1
            raise httpx.ConnectError("connection refused", request=request)
        return await self.inner.handle_async_request(request)


def app_for(world: World, transport: httpx.AsyncBaseTransport, cache: EngineCache) -> GentuiApp:
    client = GenClient("http://sim/v1", world.info["api_key"], transport=transport, sleep=no_sleep)
    return GentuiApp(Launch(client=client, agent_id=str(world.info["agent_id"]),
                            engine_id=str(world.info["engine_ids"][0]), clock=world.clock.now,
                            engine_cache=cache, policy=FAST))


def header_text(app) -> str:
    return str(app.screen.query_one(CreditsHeader).render())


async def test_an_offline_start_shows_the_cached_engine_marked_stale_and_recovers(demo_world, tmp_path):
    cache = EngineCache(tmp_path / "cache")
    switch = Switch(demo_world)
    first = app_for(demo_world, switch, cache)
    async with first.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(first), what="first load")
        rows, title = len(first.session.state.rows), first.session.state.title
    [path] = (tmp_path / "cache" / "engines").iterdir()
    assert path.stat().st_mode & 0o777 == 0o600
    assert demo_world.info["api_key"].encode() not in gzip.decompress(path.read_bytes())

    switch.up = False
    second = app_for(demo_world, switch, EngineCache(tmp_path / "cache"))
    async with second.run_test(size=SIZE) as pilot:
        grid = second.screen.query_one(EngineGrid)
        await wait_for(pilot, lambda: grid.row_count == rows, what="cached rows on screen")
        session = second.session
        assert session.showing_cache is not None and session.state.title == title
        await wait_for(pilot, lambda: "offline" in header_text(second), what="offline in the header")
        text = header_text(second)
        assert "stale data cached" in text and "retrying" in text, text
        tries = switch.refused
        await wait_for(pilot, lambda: switch.refused > tries, what="still retrying")

        switch.up = True  # the server is back: no key press needed
        await wait_for(pilot, lambda: session.connection == "ok" and session.showing_cache is None, what="recovered")
        await wait_for(pilot, lambda: "stale" not in header_text(second) and "offline" not in header_text(second),
                       what="header live again")
        assert grid.row_count == rows


async def test_without_a_cache_an_offline_start_says_offline_and_keeps_retrying(demo_world, tmp_path):
    switch = Switch(demo_world)
    switch.up = False
    app = app_for(demo_world, switch, EngineCache(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "offline" in header_text(app), what="offline header")
        tries = switch.refused
        await wait_for(pilot, lambda: switch.refused > tries, what="retrying")
        switch.up = True
        await wait_for(pilot, lambda: loaded(app), what="loaded after recovery")


def test_the_cache_is_per_engine_and_ignores_a_damaged_file(tmp_path):
    cache = EngineCache(tmp_path, every=300.0, clock=lambda: 1000.0)
    assert cache.save("http://sim/v1/", "1", "7", '{"id": 7}')
    assert not cache.save("http://sim/v1", "1", "7", '{"id": 7, "x": 1}')  # not due yet
    got = cache.load("http://sim/v1", "1", "7")
    assert got is not None and got.text == '{"id": 7}' and got.saved_at == 1000.0
    assert cache.load("http://sim/v1", "1", "8") is None
    assert cache.load("http://other/v1", "1", "7") is None
    cache.path("http://sim/v1", "1", "7").write_bytes(b"not gzip")
    assert cache.load("http://sim/v1", "1", "7") is None


class Gate(Switch):
    """The simulator, answering only once `open` is set: a slow first answer."""

    def __init__(self, world: World) -> None:
        super().__init__(world)
        self.open = asyncio.Event()

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        await self.open.wait()
        return await super().handle_async_request(request)


async def test_a_slow_first_answer_shows_the_cached_engine_at_once(demo_world, tmp_path):
    agent, engine = str(demo_world.info["agent_id"]), str(demo_world.info["engine_ids"][0])
    async with demo_world.client() as client:
        text = await client.get_engine_text(agent, engine)
    cache = EngineCache(tmp_path)
    assert cache.save("http://sim/v1", agent, engine, text)
    gate = Gate(demo_world)
    app = app_for(demo_world, gate, EngineCache(tmp_path))
    async with app.run_test(size=SIZE) as pilot:
        grid = app.screen.query_one(EngineGrid)
        await wait_for(pilot, lambda: grid.row_count > 0, what="cached rows before any answer")
        assert "connecting" in header_text(app) and "stale data cached" in header_text(app)
        gate.open.set()
        await wait_for(pilot, lambda: loaded(app) and app.session.showing_cache is None, what="the real engine")
        await wait_for(pilot, lambda: "stale" not in header_text(app), what="header live")
