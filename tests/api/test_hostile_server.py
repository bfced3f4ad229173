"""The client against a hostile server on loopback (issue 14, "The server"): every case is bounded.

Deep JSON, a gzip bomb, a slow drip, ids with path characters and cookies each end in one clear
line (or are refused before anything is sent), in bounded time and memory.
"""

from __future__ import annotations

import asyncio
import gzip
import json
import time
import tracemalloc
import zlib

import pytest

from gentui.api import errors
from gentui.api.client import AnswerLimits, GenClient
from gentui.api.limits import MB
from gentui.core.engine_json import apply_engine_text
from gentui.core.engine_state import EngineState
from gentui.core.session import Session
from tests.hostile_server import HostileServer, deep_json, engine_with, reply

KEY = "gen_pat_hostile_123"
GUARD = 10.0  # seconds: what the old code would hang for is cut here, so a failing test still ends


async def _no_sleep(_: float) -> None:
    return None


@pytest.fixture
async def srv():
    async with HostileServer() as server:
        yield server


def client_for(srv: HostileServer, **kw) -> GenClient:
    return GenClient(srv.base_url, KEY, sleep=_no_sleep, engine_prefix="vidsheet", **kw)


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text and len(text) < 300, text
    assert KEY not in text
    return text


# --- 1. deeply nested JSON ------------------------------------------------------------------------------


async def test_deeply_nested_json_is_a_malformed_answer_not_a_recursion_error(srv: HostileServer) -> None:
    srv.on("GET", "/agents/1", reply(raw=deep_json(100_000)))
    srv.on("GET", "/organizations", reply(raw=deep_json(100_000, inside=b"{}")))
    async with client_for(srv) as client:
        with pytest.raises(errors.MalformedResponseError) as caught:
            await asyncio.wait_for(client.agent("1"), GUARD)
        assert "nested too deeply" in one_line(caught.value)
        assert isinstance(caught.value.__context__, RecursionError) is False
        with pytest.raises(errors.MalformedResponseError):
            await asyncio.wait_for(client.organizations(), GUARD)


async def test_a_deeply_nested_error_body_still_gives_the_typed_error(srv: HostileServer) -> None:
    srv.on("GET", "/generations/5", reply(503, raw=deep_json(100_000)))
    async with client_for(srv, max_attempts=1) as client:
        with pytest.raises(errors.ServerError) as caught:
            await asyncio.wait_for(client.get_generation("5"), GUARD)
    assert one_line(caught.value).startswith("HTTP 503")


@pytest.mark.parametrize("in_rows", [True, False], ids=["in-a-row", "in-a-field"])
async def test_a_deeply_nested_engine_is_malformed_in_the_streaming_reader(srv: HostileServer, in_rows: bool) -> None:
    body = engine_with(deep_json(100_000), in_rows=in_rows)
    srv.on("GET", "/vidsheet/101", reply(raw=body))
    async with client_for(srv) as client:
        session = Session(client, "1", "101")
        with pytest.raises(errors.MalformedResponseError) as caught:
            await asyncio.wait_for(session.load_engine(), GUARD)
        assert "nested too deeply" in one_line(caught.value)
        assert not session.state.loaded
    with pytest.raises(ValueError, match="nested too deeply"):
        await apply_engine_text(EngineState("101"), body.decode())


# --- 2. gzip bomb ----------------------------------------------------------------------------------------


async def test_a_gzip_bomb_stops_at_the_small_limit_in_bounded_memory(srv: HostileServer) -> None:
    srv.on("GET", "/organizations/9", srv.gzip_bomb(48 * MB))
    async with client_for(srv) as client:
        tracemalloc.start()
        try:
            with pytest.raises(errors.AnswerTooLargeError) as caught:
                await asyncio.wait_for(client.organization("9"), GUARD)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    text = one_line(caught.value)
    assert text.startswith("answer larger than 8 MB (limit for answers other than engines)")
    assert peak < 24 * MB, f"peak {peak / MB:.0f} MB"  # the cap and one slice, not 48 MB (the old code: ~250 MB)
    assert len(srv.seen) == 1  # the same flood is not asked for again


async def test_a_gzip_bomb_engine_stops_at_the_engine_limit_and_says_so(srv: HostileServer) -> None:
    srv.on("GET", "/vidsheet/101", srv.gzip_bomb(48 * MB))
    async with client_for(srv, limits=AnswerLimits(engine_max_bytes=4 * MB)) as client:
        with pytest.raises(errors.AnswerTooLargeError) as caught:
            await asyncio.wait_for(client.get_engine_text("1", "101"), GUARD)
    assert one_line(caught.value).startswith("answer larger than 4 MB (engine limit)")
    assert srv.stats.body_bytes_sent < 1 * MB  # the server made ~5 MB of its 48 before the client hung up


async def test_engines_get_the_generous_limit_and_other_answers_the_small_one(srv: HostileServer) -> None:
    engine = {"id": 101, "title": "e", "spreadsheet_columns": [], "spreadsheet_rows": [], "pad": " " * (3 * MB)}
    srv.on("GET", "/vidsheet/101", reply(raw=gzip.compress(json.dumps(engine).encode()),
                                         headers={"Content-Encoding": "gzip"}))
    srv.on("GET", "/agents/1", reply(200, {"id": 1, "name": "a", "pad": " " * (3 * MB)}))
    limits = AnswerLimits(max_bytes=2 * MB, engine_max_bytes=4 * MB)
    async with client_for(srv, limits=limits) as client:
        text = await asyncio.wait_for(client.get_engine_text("1", "101"), GUARD)
        assert json.loads(text)["id"] == 101
        with pytest.raises(errors.AnswerTooLargeError, match="larger than 2 MB"):
            await asyncio.wait_for(client.agent("1"), GUARD)  # refused on its Content-Length, unread


@pytest.mark.parametrize("coding", ["gzip", "deflate", "raw-deflate", "identity"])
async def test_compressed_answers_within_the_limit_are_read(srv: HostileServer, coding: str) -> None:
    body = json.dumps({"id": 7, "name": "agent"}).encode()
    if coding == "gzip":
        raw = gzip.compress(body)
    elif coding == "deflate":
        raw = zlib.compress(body)
    elif coding == "raw-deflate":
        squeeze = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
        raw = squeeze.compress(body) + squeeze.flush()
    else:
        raw = body
    header = "deflate" if coding == "raw-deflate" else coding
    srv.on("GET", "/agents/7", reply(raw=raw, headers={"Content-Encoding": header}))
    async with client_for(srv) as client:
        agent = await asyncio.wait_for(client.agent("7"), GUARD)
    assert agent.id == "7"
    assert srv.seen[0].headers["accept-encoding"] == "gzip, deflate"  # only what the client can undo


async def test_a_body_that_is_not_what_its_encoding_says_is_malformed(srv: HostileServer) -> None:
    srv.on("GET", "/agents/7", reply(raw=b"not gzip at all", headers={"Content-Encoding": "gzip"}))
    srv.on("GET", "/agents/8", reply(raw=b"{}", headers={"Content-Encoding": "br"}))
    async with client_for(srv, max_attempts=1) as client:
        for agent in ("7", "8"):
            with pytest.raises(errors.MalformedResponseError, match="could not be decoded"):
                await asyncio.wait_for(client.agent(agent), GUARD)


# --- 3. slow drip ----------------------------------------------------------------------------------------


async def test_a_slow_drip_fails_within_the_total_deadline(srv: HostileServer) -> None:
    srv.on("GET", "/generations/5", srv.drip(5.0))  # headers, then a byte every 5 s, forever
    async with client_for(srv, limits=AnswerLimits(deadline=0.5)) as client:
        started = time.monotonic()
        with pytest.raises(errors.DeadlineError) as caught:
            await asyncio.wait_for(client.get_generation("5"), GUARD)
        took = time.monotonic() - started
    assert 0.5 <= took < 2.0
    assert one_line(caught.value).startswith("no complete answer within 0.5 s (the request deadline)")
    assert caught.value.ambiguous and not caught.value.retryable
    assert len(srv.seen) == 1


async def test_a_fast_drip_is_cut_by_the_deadline_too(srv: HostileServer) -> None:
    srv.on("GET", "/vidsheet/101", srv.drip(0.02))  # every read is quick: only a total deadline ends it
    async with client_for(srv, limits=AnswerLimits(engine_deadline=0.4)) as client:
        with pytest.raises(errors.DeadlineError, match="within 0.4 s"):
            await asyncio.wait_for(client.get_engine_text("1", "101"), GUARD)
    assert srv.stats.body_bytes_sent >= 3


def test_the_limits_have_sensible_defaults_and_refuse_nonsense() -> None:
    limits = AnswerLimits()
    assert limits.pick(engine=False) == (30.0, 8 * MB, "limit for answers other than engines")
    assert limits.pick(engine=True) == (120.0, 128 * MB, "engine limit")
    for bad in ({"deadline": 0}, {"engine_deadline": float("inf")}, {"max_bytes": 0}):
        with pytest.raises(ValueError):
            AnswerLimits(**bad)  # type: ignore[arg-type]


# --- 5. ids with path characters -------------------------------------------------------------------------


@pytest.mark.parametrize("bad", ["..", ".", "", " .. "])
async def test_an_id_that_is_a_dot_segment_is_refused_before_anything_is_sent(srv: HostileServer, bad: str) -> None:
    srv.on("POST", "/generate", reply(201, {"id": 1, "status": "processing"}))
    async with client_for(srv) as client:
        with pytest.raises(errors.UnsafeIdError) as caught:
            await client.generate("1", "101", bad, "text", {"prompt": "x"})
        assert caught.value.refused
        one_line(caught.value)
        with pytest.raises(errors.UnsafeIdError):
            await client.get_engine("1", bad)
        with pytest.raises(errors.UnsafeIdError):
            await client.stop(bad)
    assert srv.seen == []


async def test_dots_and_slashes_in_ids_stay_inside_their_segment(srv: HostileServer) -> None:
    srv.on("GET", "/cells/", reply(200, {"id": 3, "value": "v"}))
    async with client_for(srv) as client:
        for cell_id in ("../..", "a.b", "../generate", "%2e%2e", "x/../y"):
            await client.get_cell("1", "101", cell_id)
    paths = [seen.raw_path.split("?")[0] for seen in srv.seen]
    assert paths == [
        "/v1/vidsheet/101/cells/%2E%2E%2F%2E%2E",
        "/v1/vidsheet/101/cells/a%2Eb",
        "/v1/vidsheet/101/cells/%2E%2E%2Fgenerate",
        "/v1/vidsheet/101/cells/%252e%252e",
        "/v1/vidsheet/101/cells/x%2F%2E%2E%2Fy",
    ]


# --- 6. cookies ------------------------------------------------------------------------------------------


async def test_cookies_set_by_the_server_are_never_sent_back(srv: HostileServer) -> None:
    srv.on("GET", "/me", reply(200, {"id": 1}, headers={"Set-Cookie": "session=abc; Path=/"}))
    srv.on("GET", "/agents", reply(200, [], headers={"Set-Cookie": "track=1; Domain=127.0.0.1; Path=/v1; Max-Age=999"}))
    async with client_for(srv) as client:
        await client.me()
        await client.agents()
        await client.me()
        await client.agents()
    assert [seen.headers.get("cookie") for seen in srv.seen] == [None] * 4
