"""The cost model: measured bytes and server time per kind of read, and the budget's two buckets."""

from __future__ import annotations

import pytest

from gentui.api import vocab
from gentui.api.answers import RequestRecord
from gentui.core.schedule import LEARN_AFTER, Cadence, Durations, default_window, next_check
from gentui.core.wire_cost import CELL, CREDITS, ENGINE, GENERATION, OTHER, WireBudget, WireCost, route_kind


class Mono:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def rec(path: str, wire: int, ms: float, status: int = 200, method: str = "GET") -> RequestRecord:
    return RequestRecord(method, path, status, ms, None, 1, 0.0, wire, wire * 10, "gzip")


@pytest.mark.parametrize(("method", "path", "kind"), [
    ("GET", "/v1/generations/9", GENERATION),
    ("GET", "/v1/vidsheet/101?agent_id=1", ENGINE),
    ("GET", "/v1/autocontentengine/101", ENGINE),
    ("GET", "/v1/vidsheet/101/cells/3001?agent_id=1", CELL),
    ("GET", "/v1/organizations/7", CREDITS),
    ("GET", "/v1/vidsheet/101/columns", OTHER),
    ("POST", "/v1/vidsheet/101/cells/3001/generate", OTHER),
])
def test_reads_are_sorted_by_kind(method: str, path: str, kind: str) -> None:
    assert route_kind(method, path) == kind


def test_costs_are_measured_from_the_wire_not_assumed() -> None:
    mono = Mono()
    cost = WireCost(WireBudget(), monotonic=mono)
    cost.observe(rec("/v1/vidsheet/101", 1_000_000, 500.0))
    assert cost.cost(ENGINE) == (1_000_000, 0.5)
    cost.observe(rec("/v1/vidsheet/101", 2_000_000, 500.0))
    assert 1_000_000 < cost.cost(ENGINE)[0] < 2_000_000  # a moving average
    cost.observe(rec("/v1/generations/1", 0, 30_000.0, status=None))  # no answer: charged, not learnt
    assert not cost.measured(GENERATION) and cost.spent_seconds > 30


def test_the_budget_refills_at_its_rates_and_caps_at_its_burst() -> None:
    mono = Mono()
    # checks get half the budget (the other half is discovery's): 1000 bytes a second, 10 000 at most
    cost = WireCost(WireBudget(bytes_per_second=2000.0, server_share=2.0, burst_seconds=10.0), monotonic=mono)
    cost.costs[GENERATION].bytes, cost.costs[GENERATION].seconds = 500.0, 0.001
    assert cost.affordable(GENERATION, 100) == 20  # 10 000 bytes in the bucket
    cost.observe(rec("/v1/vidsheet/101/columns", 10_000, 1.0))  # the bucket spent (by another read)
    assert cost.affordable(GENERATION, 5) == 0
    assert cost.wait(GENERATION) == pytest.approx(0.5)
    mono.now += 2.0
    assert cost.affordable(GENERATION, 5) == 4
    mono.now += 1000
    assert cost.affordable(GENERATION, 100) == 20  # never more than the burst


def test_a_read_bigger_than_the_burst_waits_for_a_full_bucket_not_forever() -> None:
    mono = Mono()
    cost = WireCost(WireBudget(bytes_per_second=2000.0, server_share=2.0, burst_seconds=10.0), monotonic=mono)
    cost.observe(rec("/v1/vidsheet/101", 50_000, 1.0))
    assert cost.wait(ENGINE) == pytest.approx(50.0)  # the empty bucket (-40 000) to full, no more
    assert cost.pace(ENGINE) == pytest.approx(50.0)  # steady state: 50 KB at 1 KB/s


def test_pace_takes_the_scarcer_of_bytes_and_server_time() -> None:
    cost = WireCost(WireBudget(bytes_per_second=16_000.0, server_share=0.5), monotonic=Mono())
    cost.observe(rec("/v1/generations/1", 400, 100.0))
    assert cost.pace(GENERATION) == pytest.approx(0.1 / 0.25)  # half the server share is the checks'


def test_discovery_and_checks_spend_separate_shares() -> None:
    mono = Mono()
    cost = WireCost(WireBudget(bytes_per_second=2000.0, server_share=100.0, burst_seconds=10.0), monotonic=mono,
                    discovery_share=0.5)
    cost.costs[GENERATION].bytes, cost.costs[GENERATION].seconds = 500.0, 0.0
    cost.observe(rec("/v1/vidsheet/101", 1_000_000, 1.0))  # a huge engine read: discovery's share only
    assert cost.wait(ENGINE) > 100
    assert cost.affordable(GENERATION, 100) == 20  # the checks of known work are untouched


def test_durations_start_from_defaults_and_learn_per_type_and_model() -> None:
    d = Durations()
    assert d.window(vocab.TEXT) == default_window(vocab.TEXT)
    for seconds in (6.0, 8.0, 9.0, 12.0, 14.0, 16.0)[:LEARN_AFTER]:
        d.observe(vocab.TEXT, "gpt", seconds)
    low, high = d.window(vocab.TEXT, "gpt")
    assert low == pytest.approx(6.0 * 0.85)
    assert high == default_window(vocab.TEXT)[1]  # the longest seen (16 s) does not narrow the default's 30 s
    assert d.window(vocab.TEXT, "other-model") == (low, high)  # a model not yet seen: its type's
    assert d.window(vocab.VIDEO_FROM_TEXT) == default_window(vocab.VIDEO_FROM_TEXT)


def test_checks_are_sparse_before_the_window_dense_inside_and_thin_out_after() -> None:
    c = Cadence(dense_fast=2.5, dense_slow=5.0, sparse=30.0)
    window = (90.0, 340.0)
    assert next_check(0.0, window, c.dense_slow, c.sparse) == 30.0  # before: at most sparse apart
    assert next_check(80.0, window, c.dense_slow, c.sparse) == pytest.approx(10.0)  # one check as it opens
    assert next_check(89.9, window, c.dense_slow, c.sparse) == pytest.approx(0.5)  # (not a storm just before)
    assert next_check(100.0, window, c.dense_slow, c.sparse) == 5.0
    assert next_check(400.0, window, c.dense_slow, c.sparse) == 20.0
    assert next_check(5000.0, window, c.dense_slow, c.sparse) == 30.0


def test_the_plan_learns_durations_from_what_finished_and_checks_by_them() -> None:
    from gentui.core.poll_plan import Plan
    from gentui.core.poller import PollPolicy
    from gentui.core.views import Changes, JobView

    wall = Mono()
    plan = Plan(PollPolicy(), WireCost(monotonic=Mono()), wall)
    done = [JobView(f"g{i}", vocab.COMPLETED, "text", created_at=0.0, finished_at=10.0 + i) for i in range(LEARN_AFTER)]
    failed = JobView("f", vocab.FAILED, "text", created_at=0.0, finished_at=1.0)  # a failure says nothing of duration
    plan.learn(Changes(terminal=[(("r", "c"), j) for j in [*done, failed]]), {})
    low, _ = plan.durations.window(vocab.TEXT)
    assert low == pytest.approx(10.0 * 0.85)
    from gentui.core.engine_state import EngineState

    young = JobView("y", vocab.PROCESSING, "text", created_at=wall.now - 1.0)
    inside = JobView("z", vocab.PROCESSING, "text", created_at=wall.now - 12.0)
    state = EngineState("101")
    assert plan.check_in(state, ("r", "c"), young, {}) > plan.cadence.dense(vocab.TEXT)  # waits for its window
    assert plan.check_in(state, ("r", "c"), inside, {}) == plan.cadence.dense(vocab.TEXT)  # dense inside it


def test_a_learnt_window_never_narrows_below_what_is_still_running() -> None:
    """The quick ones finish first: a high learnt from them alone would drop the slow ones, still
    running, to the sparse cadence past the window (seen as p95 6.7 s in the bench)."""
    d = Durations()
    for seconds in (14.0, 15.0, 16.0, 17.0, 18.0, 19.0):
        d.observe(vocab.IMAGE_FROM_TEXT, None, seconds)
    low, high = d.window(vocab.IMAGE_FROM_TEXT)
    assert low == pytest.approx(14.0 * 0.85)
    assert high >= default_window(vocab.IMAGE_FROM_TEXT)[1]
    c = Cadence()
    assert next_check(40.0, (low, high), c.dense(vocab.IMAGE_FROM_TEXT), c.sparse) == c.dense_fast  # still dense
    for seconds in (80.0, 90.0):  # longer than the default's high: the window widens (up to twice it)
        d.observe(vocab.IMAGE_FROM_TEXT, None, seconds)
    assert d.window(vocab.IMAGE_FROM_TEXT)[1] == pytest.approx(90.0 * 1.2)


def test_each_kind_gets_the_cadence_of_its_target() -> None:
    from gentui.core.poller import PollPolicy

    c = PollPolicy().cadence()
    assert c.dense(vocab.TEXT) == c.dense(vocab.IMAGE_FROM_TEXT) == pytest.approx(2.8)  # 3 s at p95
    assert c.dense(vocab.VIDEO_FROM_TEXT) == c.dense(vocab.RENDER) == pytest.approx(5.2)  # 6 s
    assert c.dense(vocab.SPEECH_FROM_TEXT) == c.dense(vocab.CAPTIONS) == pytest.approx(14.0)  # no target
