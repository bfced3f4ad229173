"""The poller's choices, priced in real units: engine read or generation GETs, the budget, focus, refresh."""

from __future__ import annotations

from gentui.core.poller import PollPolicy
from gentui.core.wire_cost import ENGINE, GENERATION, OTHER, Measured, WireBudget
from gentui.sim.options import SimOptions
from tests.core.poller_world import setup

BIG = WireBudget(bytes_per_second=1e9, server_share=1e3)


def requests(app) -> dict[str, int]:
    return dict(app.state.sim.stats.requests)


def engine_gets(counts: dict[str, int]) -> int:
    return sum(n for route, n in counts.items() if route.startswith("GET /v1/") and route.endswith("/{id}"))


def generation_gets(counts: dict[str, int]) -> int:
    return counts.get("GET /v1/generations/{generation_id}", 0)


def price(poller, engine: tuple[float, float], generation: tuple[float, float] = (500.0, 0.005)) -> None:
    poller.cost.costs[ENGINE] = Measured(*engine, samples=1)
    poller.cost.costs[GENERATION] = Measured(*generation, samples=1)


async def test_a_cheap_engine_read_replaces_many_due_generation_gets() -> None:
    app, clock, session, poller, mono = setup(SimOptions(rows=40, columns=8, in_flight=60, seed=2),
                                              PollPolicy(budget=BIG), measure=False)
    await poller.round()
    price(poller, engine=(20_000.0, 0.01))  # a small compressed engine: 40 generation GETs' bytes
    due = len(session.state.in_flight())
    assert due > poller.generation_limit()
    before = requests(app)
    mono.now += 400
    clock.advance(400)
    poller.plan.engine_due = mono.now + 100  # not due for discovery: only the due generations count
    await poller.round()
    after = requests(app)
    assert engine_gets(after) == engine_gets(before) + 1
    assert generation_gets(after) == generation_gets(before)


async def test_a_costly_engine_is_not_read_for_due_generations_they_get_their_own_gets() -> None:
    app, clock, session, poller, mono = setup(SimOptions(rows=6, columns=4, in_flight=3, seed=2),
                                              PollPolicy(budget=BIG), measure=False)
    await poller.round()
    price(poller, engine=(12_000_000.0, 0.8))  # 12 MB: worth ~24,000 generation GETs
    flying = len(session.state.in_flight())
    assert 0 < flying <= poller.generation_limit()
    before = requests(app)
    mono.now += 400
    clock.advance(1)
    poller.plan.engine_due = mono.now + 100
    await poller.round()
    after = requests(app)
    assert engine_gets(after) == engine_gets(before)
    assert generation_gets(after) - generation_gets(before) == flying


async def test_discovery_is_paced_by_the_engines_measured_cost() -> None:
    _, _, session, poller, mono = setup(SimOptions(rows=6, columns=4, in_flight=3, seed=2), measure=False)
    await poller.round()
    poller.cost.costs[ENGINE] = Measured(20_000.0, 0.05, samples=1)
    poller.plan.engine_read(mono.now, busy=True, read_seconds=0.001)
    small = poller.plan.engine_due - mono.now
    poller.cost.costs[ENGINE] = Measured(1_000_000.0, 0.5, samples=1)  # a 500 x 8 engine, gzipped
    poller.plan.engine_read(mono.now, busy=True, read_seconds=0.001)
    big = poller.plan.engine_due - mono.now
    assert small <= 3.0  # a 14 x 6 engine: outside work shows within seconds
    assert big >= 1_000_000 / PollPolicy().budget.bytes_per_second  # at the budget's pace, not faster


async def test_under_a_flood_the_budget_wins_and_the_view_age_says_so() -> None:
    tight = WireBudget(bytes_per_second=2000.0, server_share=1e3, burst_seconds=2.0)  # checks: 2 KB at once
    app, clock, session, poller, mono = setup(SimOptions(rows=40, columns=8, in_flight=60, seed=2),
                                              PollPolicy(budget=tight, discovery_share=0.5), measure=False)
    await poller.round()
    price(poller, engine=(10_000_000.0, 1.0))
    poller.cost.buckets[OTHER].bytes = 2000.0  # a full bucket: four generation GETs of 500 bytes
    poller.plan.engine_due = mono.now + 10_000
    before = generation_gets(requests(app))
    mono.now += 400
    clock.advance(400)
    await poller.round()
    assert generation_gets(requests(app)) - before == 4  # the longest overdue four, not all sixty
    assert poller.view_age() > 300  # the rest wait, and the core says for how long
    assert poller.next_delay() > 0.2


async def test_a_manual_refresh_reads_the_engine_whatever_the_budget() -> None:
    tight = WireBudget(bytes_per_second=1.0, server_share=1e3, burst_seconds=1.0)
    app, _, _, poller, mono = setup(SimOptions(rows=6, columns=4, in_flight=3, seed=2),
                                    PollPolicy(budget=tight), measure=False)
    await poller.round()
    price(poller, engine=(10_000_000.0, 1.0))
    before = engine_gets(requests(app))
    mono.now += 1
    poller.wake(engine=True)
    await poller.round()
    assert engine_gets(requests(app)) == before + 1


async def test_the_selected_cell_is_read_by_its_own_get_every_focus_interval() -> None:
    app, _, session, poller, mono = setup(SimOptions(rows=6, columns=4, in_flight=0, seed=2),
                                          PollPolicy(budget=BIG, focus_interval=5.0), measure=False)
    await poller.round()
    key = next(iter(session.state.cells))
    poller.focus(key)
    cell_gets = lambda: sum(n for r, n in requests(app).items() if r.endswith("/cells/{cell_id}"))  # noqa: E731
    before = cell_gets()
    await poller.round()
    assert cell_gets() == before + 1
    mono.now += 1
    await poller.round()
    assert cell_gets() == before + 1  # not before its interval
    mono.now += 5
    await poller.round()
    assert cell_gets() == before + 2


async def test_an_idle_engine_is_refreshed_rarely_and_more_rarely_when_costly() -> None:
    app, _, session, poller, mono = setup(SimOptions(rows=10, columns=4, in_flight=0, seed=2),
                                          PollPolicy(engine_idle=60.0, idle_read_share=0.005))
    await poller.round()
    assert not session.state.in_flight()
    assert poller.plan.engine_due - mono.now >= 60.0
    real = session.load_engine

    async def costly():
        changes = await real()
        session.engine_timing = (0.1, 0.6, 20_000_000, 0.8)  # a 20 MB engine that took 0.6 s to read
        return changes

    session.load_engine = costly
    poller.wake(engine=True)
    await poller.round()
    assert poller.plan.engine_due - mono.now >= 0.6 / 0.005
    before = engine_gets(requests(app))
    mono.now += 61  # a minute later: credits are refreshed, the (costly, idle) engine is not
    await poller.round()
    assert engine_gets(requests(app)) == before


async def test_the_poller_measures_every_answer_of_its_client() -> None:
    _, _, _, poller, _ = setup(SimOptions(rows=6, columns=4, in_flight=3, seed=2))
    await poller.round()
    assert poller.cost.measured(ENGINE) and poller.cost.requests >= 2 and poller.cost.spent_bytes > 0
    poller.stop()
    spent = poller.cost.requests
    await poller.session.load_credits()
    assert poller.cost.requests == spent  # a stopped poller no longer listens


async def test_the_first_engine_read_learns_how_long_this_servers_past_work_took() -> None:
    """A slowed server (video 60-240 s at speed 0.5): its history says so before anything finishes
    here, so video in flight is not checked densely from the documented 30 s minimum."""
    from gentui.api import vocab
    from gentui.core.schedule import default_window
    from gentui.sim.lifecycle import DURATIONS

    app, _, session, poller, _ = setup(SimOptions(rows=40, columns=8, in_flight=10, seed=4, speed=0.5, quiet=False),
                                       PollPolicy(budget=BIG))
    async with session.client:
        assert poller.plan.durations.window(vocab.VIDEO_FROM_TEXT) == default_window(vocab.VIDEO_FROM_TEXT)
        await poller.round()
        assert poller.plan.durations.count(vocab.VIDEO_FROM_TEXT) >= 6
        low, high = poller.plan.durations.window(vocab.VIDEO_FROM_TEXT)
        shortest = DURATIONS[vocab.VIDEO_FROM_TEXT][0] / 0.5
        assert shortest * 0.85 * 0.9 <= low <= shortest  # just under the shortest of its history
        assert high >= default_window(vocab.VIDEO_FROM_TEXT)[1]
        text_low = poller.plan.durations.window(vocab.TEXT)[0]
        assert text_low >= DURATIONS[vocab.TEXT][0] / 0.5 * 0.85 * 0.9
        learnt = poller.plan.durations.count(vocab.TEXT)
        assert poller.plan.learn_history(session.state) == 0  # once per engine, not every read
        assert poller.plan.durations.count(vocab.TEXT) == learnt


async def test_on_a_small_idle_engine_work_started_elsewhere_shows_within_the_idle_pace() -> None:
    app, _, session, poller, mono = setup(SimOptions(rows=14, columns=6, in_flight=0, seed=2))
    await poller.round()
    assert not session.state.in_flight()
    gap = poller.plan.engine_due - mono.now
    assert 2.0 <= gap <= PollPolicy().engine_idle == 15.0
    from gentui.sim.spawn import spawn

    assert spawn(app.state.sim, {"count": 2})["generation_ids"]  # as the web app would, not through gentui
    mono.now += gap
    await poller.round()
    assert session.state.in_flight()  # found by the idle re-read, no key pressed
