"""The poller's choices: one engine GET for many due generations, generation GETs for a few, rare idle refreshes."""

from __future__ import annotations

import time

import pytest

from gentui.core.poller import PollPolicy
from gentui.sim.options import SimOptions
from tests.core.poller_world import setup


def requests(app) -> dict[str, int]:
    return dict(app.state.sim.stats.requests)


def engine_gets(counts: dict[str, int]) -> int:
    return sum(n for route, n in counts.items() if route.startswith("GET /v1/") and route.endswith("/{id}"))


def generation_gets(counts: dict[str, int]) -> int:
    return counts.get("GET /v1/generations/{generation_id}", 0)


async def test_many_due_generations_cost_one_engine_get(monkeypatch: pytest.MonkeyPatch) -> None:
    app, clock, session, poller, mono = setup(SimOptions(rows=40, columns=8, in_flight=60, seed=2))
    # the poller paces engine reads by what they cost (`Session.engine_timing`, from time.perf_counter);
    # on the same fake clock as the poller, a read costs what the test says: nothing, so the second round
    # is never held back by how slow this machine happens to be
    monkeypatch.setattr(time, "perf_counter", mono)
    await poller.round()
    assert len(session.state.in_flight()) > poller.generation_limit()
    before = requests(app)
    mono.now += 2.5
    clock.advance(2.5)
    await poller.round()
    after = requests(app)
    assert engine_gets(after) == engine_gets(before) + 1
    assert generation_gets(after) == generation_gets(before) == 0


async def test_a_few_due_generations_are_polled_one_by_one() -> None:
    app, clock, session, poller, mono = setup(SimOptions(rows=6, columns=4, in_flight=3, seed=2))
    await poller.round()
    flying = len(session.state.in_flight())
    assert 0 < flying <= poller.generation_limit()
    before = requests(app)
    mono.now += 6
    clock.advance(1)
    await poller.round()
    after = requests(app)
    assert engine_gets(after) == engine_gets(before)
    assert generation_gets(after) - generation_gets(before) == flying


async def test_due_times_count_from_when_the_round_asked() -> None:
    _, _, session, poller, mono = setup(SimOptions(rows=40, columns=8, in_flight=60, seed=2),
                                        PollPolicy(interval=2.0, video_interval=5.0))
    started = mono.now

    async def slow_load(original=session.load_engine):
        mono.now += 0.7  # the engine GET and its reading took 0.7 s
        return await original()

    session.load_engine = slow_load
    await poller.round()
    fetch_and_read = session.engine_timing[0] + session.engine_timing[3]  # counted from a little before we asked
    assert min(poller._due.values()) == started + 2.0 - fetch_and_read
    assert round(poller.next_delay(), 6) == round(started + 2.0 - fetch_and_read - mono.now, 6)


async def test_an_idle_engine_is_refreshed_rarely_and_more_rarely_when_costly() -> None:
    app, _, session, poller, mono = setup(SimOptions(rows=10, columns=4, in_flight=0, seed=2),
                                          PollPolicy(engine_idle=60.0, idle_read_share=0.005))
    await poller.round()
    assert not session.state.in_flight()
    assert poller._engine_due - mono.now >= 60.0
    real = session.load_engine

    async def costly():
        changes = await real()
        session.engine_timing = (0.1, 0.6, 20_000_000, 0.8)  # a 20 MB engine that took 0.6 s to read
        return changes

    session.load_engine = costly
    poller.wake(engine=True)
    await poller.round()
    assert poller._engine_due - mono.now >= 0.6 / 0.005
    before = engine_gets(requests(app))
    mono.now += 61  # a minute later: credits are refreshed, the (costly, idle) engine is not
    await poller.round()
    assert engine_gets(requests(app)) == before
