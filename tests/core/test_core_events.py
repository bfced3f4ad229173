"""What the core says by itself: spend outside this session, a batch's end, and one charged-send path."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards, Plan, Refusal
from gentui.core.batch import BatchRunner, plan_batch
from gentui.core.card import Card
from gentui.core.events import BatchFinished, EngineChanged, Notice
from gentui.core.session import Session
from gentui.core.views import CellKey
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions

NO_WARN = Guards(low_balance_warning=Decimal(0))


async def _no_sleep(_: float) -> None:
    return None


async def setup(failure_rate: float = 0.0) -> tuple[Session, list[object], httpx.AsyncClient, ManualClock]:
    clock = ManualClock()
    app = create_app(SimOptions(quiet=True, failure_rate=failure_rate), clock=clock)
    transport = httpx.ASGITransport(app=app)
    info = app.state.sim.world_info()
    events: list[object] = []
    client = GenClient("http://sim/v1", info["api_key"], transport=transport, sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]), emit=events.append, clock=clock.now)
    await session.load_engine()
    await session.load_credits()
    admin = httpx.AsyncClient(transport=transport, base_url="http://sim")
    await admin.post("/_sim/credits", json={"generic": "100000"})
    await session.load_credits()
    events.clear()
    return session, events, admin, clock


def column_keys(session: Session, generation_type: str) -> list[CellKey]:
    column = next(c for c in session.state.columns if c.generation_type == generation_type)
    return [k for k in session.state.cells if k[1] == column.id]


def other_spend(events: list[object]) -> list[Notice]:
    return [e for e in events if isinstance(e, Notice) and e.tags == ("credits", "other")]


def finished(events: list[object]) -> list[BatchFinished]:
    return [e for e in events if isinstance(e, BatchFinished)]


async def settle(session: Session, clock: ManualClock) -> None:
    """Let the sim finish everything in flight, and see it."""
    for _ in range(20):
        if not session.state.in_flight():
            return
        clock.advance(600)
        await session.load_engine()
    raise AssertionError("still in flight")


# --- spend outside this session ---------------------------------------------------------------------------
async def test_a_balance_moved_by_someone_else_is_a_notice() -> None:
    session, events, admin, _ = await setup()
    await admin.post("/_sim/credits", json={"generic": "99000"})
    await session.load_credits()
    assert other_spend(events) == [Notice("credits: 1,000 spent outside this session (balance 99,000)", "warning",
                                          toast=False, tags=("credits", "other"))]
    await session.load_credits()  # the same balance again: nothing new
    assert len(other_spend(events)) == 1
    await admin.post("/_sim/credits", json={"generic": "99500"})
    await session.load_credits()
    last = other_spend(events)[-1]
    assert last.severity == "information" and last.text.startswith("credits: 500 refunded outside this session")


async def test_our_own_charges_are_not_other_spend() -> None:
    session, events, _, clock = await setup()
    actions = Actions(session, NO_WARN)
    await actions.regenerate(actions.plan_regenerate(column_keys(session, vocab.TEXT)[0]))
    await session.load_credits()  # the pre-charge is still an estimate: not judged
    await settle(session, clock)
    await session.load_credits()  # reconciled: the balance moved by exactly what we spent
    assert other_spend(events) == []


# --- a batch's end ------------------------------------------------------------------------------------------
async def test_a_finished_batch_says_so_once_when_all_its_generations_ended() -> None:
    session, events, _, clock = await setup()
    actions = Actions(session, NO_WARN)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)[:3]
    runner = BatchRunner(session, actions, plan_batch(session, actions, keys), guards=NO_WARN)
    assert runner.generation_ids() == set()
    assert (await runner.run()).state == "done"
    assert len(runner.generation_ids()) == 3
    assert finished(events) == []  # sent, still in flight
    await settle(session, clock)
    assert finished(events) == [BatchFinished("batch finished: 3 generations ended (3 completed)", "information", 3,
                                              {"completed": 3})]
    await session.load_engine()
    assert len(finished(events)) == 1  # once


async def test_failures_make_the_batch_end_a_warning() -> None:
    session, events, _, clock = await setup(failure_rate=1.0)
    actions = Actions(session, NO_WARN)
    runner = BatchRunner(session, actions, plan_batch(session, actions, column_keys(session, vocab.TEXT)[:2]),
                         guards=NO_WARN)
    await runner.run()
    await settle(session, clock)
    [end] = finished(events)
    assert (end.severity, end.count, end.statuses) == ("warning", 2, {"failed": 2})
    assert end.text == "batch finished: 2 generations ended (2 failed)"


async def test_a_paused_batch_is_not_finished_until_cancelled_and_nothing_sent_says_nothing() -> None:
    session, events, admin, clock = await setup()
    actions = Actions(session, NO_WARN)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
    plan = plan_batch(session, actions, keys)
    await admin.post("/_sim/credits", json={"generic": str(plan.items[0].estimate * 2)})
    runner = BatchRunner(session, actions, plan, concurrency=1, guards=NO_WARN)
    assert (await runner.run()).state == "paused"
    await settle(session, clock)
    assert finished(events) == []  # paused: more may come
    runner.cancel()  # cancelled while no run() is going
    assert [e.count for e in finished(events)] == [2]

    empty = BatchRunner(session, actions, plan_batch(session, actions, keys[:2]), guards=NO_WARN)
    empty.cancel()
    await empty.run()
    assert len(finished(events)) == 1


# --- one charged-send path ----------------------------------------------------------------------------------
class Recording(Actions):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.sent: list[tuple[str, Decimal, str]] = []

    def generated(self, idempotency_key: str, key: CellKey, cell_id: str, card: Card, generation_id: str,
                  amount: Decimal, *, note: str, notice: Notice | None = None) -> None:
        self.sent.append((generation_id, amount, note))
        super().generated(idempotency_key, key, cell_id, card, generation_id, amount, note=note, notice=notice)


async def test_regenerate_and_a_batch_share_one_send_path() -> None:
    session, events, _, _ = await setup()
    created: list[str] = []
    actions = Recording(session, NO_WARN, on_created=created.append)
    plan = actions.plan_regenerate(column_keys(session, vocab.TEXT)[0])
    gen_id = await actions.regenerate(plan)
    runner = BatchRunner(session, actions, plan_batch(session, actions, column_keys(session, vocab.IMAGE_FROM_TEXT)[:2]),
                         guards=NO_WARN)
    await runner.run()
    assert actions.sent[0] == (gen_id, plan.amount, "regenerate")
    assert [note for _, _, note in actions.sent] == ["regenerate", "batch", "batch"]
    assert created == [g for g, _, _ in actions.sent] and set(created[1:]) == runner.generation_ids()
    assert all(session.ledger.owns(g) for g in created)
    pending = [e for e in events if isinstance(e, EngineChanged) and not e.full]
    assert len(pending) >= 3
    started = [e for e in events if isinstance(e, Notice) and "started" in e.text]
    assert len(started) == 1 and gen_id in started[0].text  # the batch sums up instead


async def test_one_spend_cap_check_and_the_public_guards() -> None:
    session, _, _, _ = await setup()
    capped = Guards(spend_cap=Decimal(10), low_balance_warning=Decimal(0))
    actions = Actions(session, NO_WARN)
    assert not actions.over_spend_cap(Decimal(10_000))
    assert actions.over_spend_cap(Decimal(11), capped) and not actions.over_spend_cap(Decimal(10), capped)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
    progress = await BatchRunner(session, actions, plan_batch(session, actions, keys), concurrency=1,
                                 guards=capped).run()
    assert progress.state == "paused" and "spend cap" in progress.reason  # the runner's guards, not the actions'
    with pytest.raises(Refusal, match="spend cap"):
        Actions(session, capped).finish(Plan("regenerate", "", amount=Decimal(100)))
    with pytest.raises(Refusal, match="read-only"):
        Actions(session, Guards(readonly=True)).check_writable("regenerate")
    assert Actions(session, NO_WARN).finish(Plan("stop", "", amount=Decimal(-5))).needs_confirm
