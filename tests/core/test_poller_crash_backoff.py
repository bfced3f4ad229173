"""A poller that keeps failing backs off: a malformed engine slows the rounds, a restarted crash waits first.

Issue 14 case 1: a 100,000-deep engine ended the poller's worker in a RecursionError; the app
restarted it at once and it hammered the server (~8 engine GETs/s). Now the answer is a malformed
answer (rounds back off like any server error), and a restarted `run()` after any crash waits
`restart_delay()`, doubling per crash in a row, capped.
"""

from __future__ import annotations

import asyncio

import pytest

from gentui.api.client import GenClient
from gentui.core.poller import Poller, PollPolicy
from gentui.core.session import Session
from gentui.sim.options import SimOptions
from tests.core.poller_world import setup
from tests.hostile_server import HostileServer, deep_json, engine_with, reply


async def _no_sleep(_: float) -> None:
    return None


async def test_a_deeply_nested_engine_makes_rounds_back_off_not_crash() -> None:
    async with HostileServer() as srv:
        srv.on("GET", "/vidsheet/101", reply(raw=engine_with(deep_json(100_000))))
        async with GenClient(srv.base_url, "k", sleep=_no_sleep, engine_prefix="vidsheet") as client:
            session = Session(client, "1", "101")
            poller = Poller(session, PollPolicy())
            delays = [await asyncio.wait_for(poller.round(), 10) for _ in range(6)]
    assert delays == [4.0, 8.0, 16.0, 30.0, 30.0, 30.0]  # exponential, capped at max_backoff
    assert session.connection == "stale" and "nested too deeply" in session.connection_reason
    assert poller.crashes == 0


def test_the_restart_delay_doubles_per_crash_and_is_capped() -> None:
    *_, poller, _ = setup(SimOptions(rows=2, columns=2, seed=1))
    seen = []
    for crashes in range(8):
        poller.crashes = crashes
        seen.append(poller.restart_delay())
    assert seen == [0.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0, 30.0]


async def test_a_restarted_poller_that_crashed_waits_before_its_next_round(monkeypatch: pytest.MonkeyPatch) -> None:
    *_, session, poller, _ = setup(SimOptions(rows=2, columns=2, seed=1))
    calls = []

    async def broken() -> None:
        calls.append(1)
        raise RecursionError("maximum recursion depth exceeded")  # any bug the client did not contain

    monkeypatch.setattr(session, "load_engine", broken)
    with pytest.raises(RecursionError):
        await poller.run()
    assert (len(calls), poller.crashes) == (1, 1)

    restarted = asyncio.create_task(poller.run())  # what the app does when the worker ends in an error
    for _ in range(50):
        await asyncio.sleep(0)
    poller.wake(engine=True)  # neither a refresh nor a burst of new generations cuts the pause short
    for n in range(20):
        poller.watch(f"g{n}")
        await asyncio.sleep(0)
    assert len(calls) == 1 and not restarted.done()
    poller.stop()
    await asyncio.wait_for(restarted, 5)
    assert len(calls) == 1


async def test_a_good_round_after_the_pause_clears_the_crash_count(monkeypatch: pytest.MonkeyPatch) -> None:
    *_, session, poller, _ = setup(SimOptions(rows=2, columns=2, seed=1), PollPolicy(interval=0.01))
    poller.crashes = 1  # the pause is 0.01 s
    load = session.load_engine

    async def then_stop():
        try:
            return await load()
        finally:
            poller.stop()

    monkeypatch.setattr(session, "load_engine", then_stop)
    await asyncio.wait_for(poller.run(), 5)
    assert poller.crashes == 0 and session.state.loaded
