"""Mass regenerate: plan arithmetic, faults, out of credits, and kill-and-resume, never charging twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards, Refusal
from gentui.core.batch import BatchItem, BatchPlan, BatchRunner, CostBook, plan_batch
from gentui.core.card import Card
from gentui.core.journal import Journal
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread

NO_WARN = Guards(low_balance_warning=Decimal(0))


async def _no_sleep(_: float) -> None:
    return None


async def open_session(app, base_url: str = "http://sim/v1", transport=None) -> Session:
    info = app.state.sim.world_info()
    client = GenClient(base_url, info["api_key"], transport=transport, sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]))
    await session.load_engine()
    await session.load_credits()
    return session


def column_keys(session: Session, generation_type: str) -> list:
    column = next(c for c in session.state.columns if c.generation_type == generation_type)
    return [k for k in session.state.cells if k[1] == column.id]


async def sim_balance(session: Session) -> Decimal:
    await session.load_credits()
    return session.ledger.generic


# --- the plan ---------------------------------------------------------------------------------------------
async def test_plan_counts_cells_costs_and_the_balance_after():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    actions = Actions(session, NO_WARN)
    keys = column_keys(session, vocab.VIDEO_FROM_TEXT)
    plan = plan_batch(session, actions, keys, overrides={"model": "veo_3", "duration": 10})
    assert len(plan.items) == len(keys)
    assert all(i.estimate == Decimal(600) for i in plan.items)
    assert plan.total == Decimal(600) * len(keys)
    assert plan.balance_after == session.ledger.generic - plan.total
    assert any("Estimated total" in line for line in plan.lines())


def test_plan_offers_the_part_that_fits():
    items = [BatchItem(("r", str(i)), str(i), Card("text", {}), Decimal(40)) for i in range(5)]
    plan = BatchPlan(items, Decimal(130))
    assert plan.fitting() == 3
    assert any("only 3 of 5 fit" in line for line in plan.lines())
    plan.truncate(plan.fitting())
    assert len(plan.items) == 3 and plan.balance_after == Decimal(10)


def test_estimates_are_refined_by_real_costs_of_the_same_model_and_duration():
    book = CostBook()
    card = Card("video_from_text", {"model": "veo_3", "duration": 10})
    assert book.estimate(card) == (Decimal(600), False)
    book.observe("video_from_text", "veo_3", 10, Decimal(500))
    book.observe("video_from_text", "veo3", 10, Decimal(540))  # the old spelling is the same model
    assert book.estimate(card) == (Decimal("520.00"), True)
    assert book.estimate(Card("video_from_text", {"model": "veo_3", "duration": 5}))[1] is False


async def test_the_plan_charges_what_the_server_precharges_and_refines_only_the_projection():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    guards = Guards(spend_cap=Decimal(1199), low_balance_warning=Decimal(0))
    actions = Actions(session, guards)
    keys = column_keys(session, vocab.VIDEO_FROM_TEXT)[:3]
    book = CostBook()
    book.observe("video_from_text", "veo_3", 10, Decimal(400))  # past takes settled far below the estimate
    plan = plan_batch(session, actions, keys, overrides={"model": "veo_3", "duration": 10}, costs=book)
    single = actions.plan_regenerate(keys[0], plan.items[0].card).amount
    assert single == Decimal(600) and all(i.estimate == single and i.likely == Decimal(400) for i in plan.items)
    assert plan.total == Decimal(1800) and plan.likely_total == Decimal(1200)
    plan.balance = Decimal(1300)
    assert plan.fitting() == 2  # at the pre-charge: 2 × 600 fit in 1,300, not 3 × 400
    assert plan.balance_after == Decimal(-500) and plan.likely_balance_after == Decimal(100)
    text = "\n".join(plan.lines())
    assert "3 cells, ~600 credits each" in text
    assert "Estimated total: 1,800 credits (pre-charged); likely final cost ~1,200 from recent charges" in text
    assert "Balance: 1,300 → -500 (generic, pre-charged); ~100 once settled (from recent charges)" in text
    assert "only 2 of 3 fit" in text

    plan.balance = session.ledger.generic
    progress = await BatchRunner(session, actions, plan, concurrency=1, guards=guards).run()
    assert progress.state == "paused" and "spend cap" in progress.reason  # a second 600 would pass 1,199
    assert progress.sent == 1 and session.ledger.session_spent == Decimal(600)


async def test_every_plan_says_how_many_cells_already_have_a_generation_running():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    actions = Actions(session, NO_WARN)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
    assert not any(session.state.cells[k].in_flight for k in keys)
    first = plan_batch(session, actions, keys)
    assert first.in_flight == 0 and not any("generation running" in line for line in first.lines())
    assert (await BatchRunner(session, actions, plan_batch(session, actions, keys[:3]), guards=NO_WARN).run()).sent == 3
    again = plan_batch(session, actions, keys)
    assert again.in_flight == 3 and [i.key for i in again.items if i.running] == keys[:3]
    assert "3 of these cells have a generation running; each starts another" in again.lines()


async def test_readonly_refuses_a_batch():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    with pytest.raises(Refusal, match="read-only"):
        plan_batch(session, Actions(session, Guards(readonly=True)), column_keys(session, vocab.TEXT))


# --- running ---------------------------------------------------------------------------------------------
async def test_out_of_credits_pauses_then_a_top_up_and_resume_finish_it():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    transport = httpx.ASGITransport(app=app)
    session = await open_session(app, transport=transport)
    admin = httpx.AsyncClient(transport=transport, base_url="http://sim")
    actions = Actions(session, NO_WARN)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
    plan = plan_batch(session, actions, keys)
    per = plan.items[0].estimate
    await admin.post("/_sim/credits", json={"generic": str(per * 5)})
    runner = BatchRunner(session, actions, plan, concurrency=1, guards=NO_WARN)
    progress = await runner.run()
    assert progress.state == "paused" and progress.sent == 5
    assert f"{progress.sent} triggered, {len(keys) - 5} remaining" in progress.reason
    await admin.post("/_sim/credits", json={"generic": "100000"})
    runner.resume()
    progress = await runner.run()
    assert progress.state == "done" and progress.sent == len(keys)
    charges = (await admin.get("/_sim/stats")).json()["charges_by_idempotency_key"]
    assert len(charges) == len(keys) and set(charges.values()) == {1}


async def test_spend_cap_pauses_before_passing_it():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    guards = Guards(spend_cap=Decimal(11), low_balance_warning=Decimal(0))
    actions = Actions(session, guards)
    plan = plan_batch(session, actions, column_keys(session, vocab.IMAGE_FROM_TEXT))
    progress = await BatchRunner(session, actions, plan, concurrency=1, guards=guards).run()
    assert progress.state == "paused" and "spend cap" in progress.reason
    assert session.ledger.session_spent <= Decimal(11)


def test_a_batch_of_50_under_errors_and_drops_charges_each_cell_once():
    import asyncio

    async def scenario(server) -> None:
        session = await open_session(server.app, base_url=server.base_url)
        async with httpx.AsyncClient(base_url=server.root_url) as admin:
            titles = {"SCRIPT", "VOICE", "B-ROLL", "VIDEO", "CAPTIONS"}  # the demo columns with stored cards
            keys = [k for k, c in session.state.cells.items()
                    if c.jobs and session.state.column(k[1]).title in titles][:50]
            assert len(keys) == 50
            journal = Journal(":memory:", base_url=server.base_url)
            actions = Actions(session, NO_WARN, intents=journal)
            plan = plan_batch(session, actions, keys)
            await admin.post("/_sim/credits", json={"generic": "100000"})
            await admin.post("/_sim/faults", json={"error_rate": 0.2, "drop_rate": 0.1})
            runner = BatchRunner(session, actions, plan, concurrency=4, guards=NO_WARN)
            progress = await runner.run()
            rounds = 0
            while progress.state == "paused" and rounds < 50:  # server trouble pauses; resume resends same keys
                rounds += 1
                runner.resume()
                progress = await runner.run()
            assert progress.state == "done" and progress.sent == 50, (progress, rounds, [i.error for i in plan.items if i.error][:3])
            assert runner.max_in_flight <= 4
            await admin.post("/_sim/faults", json={"error_rate": 0, "drop_rate": 0})
            stats = (await admin.get("/_sim/stats")).json()
            charges = stats["charges_by_idempotency_key"]
            assert len(charges) == 50 and set(charges.values()) == {1}
            assert sorted(charges) == sorted(i.idempotency_key for i in plan.items)
            assert await sim_balance(session) == Decimal(stats["ledger"]["generic"])
            await session.client.aclose()

    with serve_in_thread(SimOptions(quiet=True)) as server:
        asyncio.run(scenario(server))


def test_killed_mid_batch_then_resumed_charges_every_cell_exactly_once(tmp_path: Path):
    import asyncio

    with serve_in_thread(SimOptions(quiet=True, latency_ms=60)) as server:
        info = server.app.state.sim.world_info()
        agent, engine = str(info["agent_id"]), str(info["engine_ids"][0])

        async def columns() -> tuple[str, int]:
            session = await open_session(server.app, base_url=server.base_url)
            keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
            await session.client.aclose()
            return keys[0][1], len(keys)

        column, total = asyncio.run(columns())
        journal_path = tmp_path / "journal.sqlite3"
        child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("batch_child.py")), server.base_url,
                                  info["api_key"], agent, engine, str(journal_path), column],
                                 env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])})
        journal = None
        deadline = time.monotonic() + 60
        while True:  # kill on a condition: some sent, some not yet
            if journal_path.exists():
                journal = journal or Journal(journal_path, base_url=server.base_url, agent_id=agent, engine_id=engine)
                sent = [i for i in journal.all() if i.state == "sent"]
                if len(sent) >= 4:
                    break
            try:  # between looks at the journal, wait for the child to exit (a failure), not for a fixed time
                code = child.wait(timeout=0.02)
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    child.kill()
                    raise AssertionError("timed out after 60 s waiting for the child to send 4 generations") from None
                continue
            raise AssertionError(f"the child exited ({code}) before sending 4 generations")
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        assert journal is not None
        orphans = journal.orphans()
        unsent = [i for i in orphans if not i.generation_id]
        assert 4 <= len([i for i in orphans if i.generation_id]) < total

        async def resume() -> None:
            session = await open_session(server.app, base_url=server.base_url)
            actions = Actions(session, NO_WARN, intents=journal)
            items = [BatchItem(i.key, i.cell_id, i.card, i.estimate or Decimal(0), idempotency_key=i.idempotency_key)
                     for i in unsent]
            progress = await BatchRunner(session, actions, BatchPlan(items, session.ledger.generic),
                                         guards=NO_WARN).run()
            assert progress.sent == len(unsent)
            # the cells the dead process never reached are sent now, as a new batch of the rest
            started = {i.cell_id for i in journal.all()}
            rest = [k for k in column_keys(session, vocab.IMAGE_FROM_TEXT)
                    if session.state.cells[k].cell_id not in started]
            if rest:
                plan = plan_batch(session, actions, rest)
                assert (await BatchRunner(session, actions, plan, guards=NO_WARN).run()).state == "done"
            await session.client.aclose()

        asyncio.run(resume())
        stats = httpx.get(server.root_url + "/_sim/stats").json()
        charges = stats["charges_by_idempotency_key"]
        assert set(charges.values()) == {1}
        cells = {i.cell_id for i in journal.all() if i.state == "sent"}
        assert len(cells) == total  # every cell of the column charged, none twice


async def test_the_whole_plan_is_journalled_first_and_a_cancel_abandons_the_unsent(tmp_path: Path):
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    transport = httpx.ASGITransport(app=app)
    session = await open_session(app, transport=transport)
    admin = httpx.AsyncClient(transport=transport, base_url="http://sim")
    journal = Journal(tmp_path / "journal.sqlite3", base_url="http://sim/v1", agent_id=session.agent_id,
                      engine_id=session.engine_id)
    actions = Actions(session, NO_WARN, intents=journal)
    keys = column_keys(session, vocab.IMAGE_FROM_TEXT)
    plan = plan_batch(session, actions, keys)
    await admin.post("/_sim/credits", json={"generic": str(plan.items[0].estimate * 2)})
    runner = BatchRunner(session, actions, plan, concurrency=1, guards=NO_WARN)
    assert (await runner.run()).state == "paused"
    states = [i.state for i in journal.all()]
    assert states.count("sent") == 2 and states.count("intent") == len(keys) - 2  # the rest waits, journalled
    assert len({i.batch_id for i in journal.all()}) == 1
    runner.cancel()
    progress = await runner.run()
    assert (progress.state, progress.sent, progress.skipped) == ("cancelled", 2, len(keys) - 2)
    states = [i.state for i in journal.all()]
    assert states.count("sent") == 2 and states.count("abandoned") == len(keys) - 2
    assert len((await admin.get("/_sim/stats")).json()["charges_by_idempotency_key"]) == 2


async def test_no_rate_or_eta_is_claimed_before_a_few_sends_and_seconds():
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    session = await open_session(app, transport=httpx.ASGITransport(app=app))
    actions = Actions(session, NO_WARN)
    plan = plan_batch(session, actions, column_keys(session, vocab.IMAGE_FROM_TEXT))
    now = [100.0]
    runner = BatchRunner(session, actions, plan, concurrency=4, guards=NO_WARN, monotonic=lambda: now[0])
    for item in plan.items[:4]:  # the first answers land together, a few ms after the start
        item.state = "sent"
    now[0] += 0.05
    early = runner.progress()
    assert early.sent == 4 and early.rate == 0 and early.eta is None  # not "4800/min"
    now[0] += 4.0
    later = runner.progress()
    assert later.rate == pytest.approx(4 / 4.05) and later.eta == pytest.approx(later.queued / later.rate)
