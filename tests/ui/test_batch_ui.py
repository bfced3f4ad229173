"""Marks, mass regenerate, bulk stop and resume through Pilot, with the simulator's stats as witness."""

from __future__ import annotations

from decimal import Decimal

from textual.message import Message

from gentui.api import costs, vocab
from gentui.core.actions import Guards
from gentui.core.batch import CostBook
from gentui.core.formatting import fmt_credits
from gentui.core.journal import Journal
from gentui.ui.messages import BatchProgressed
from gentui.ui.screens.batch import BatchControl, BatchDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen, ResumeDialog
from gentui.ui.widgets.batch_bar import BatchBar
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.header import CreditsHeader

from .pilot import BASE_URL, SIZE, World, crashed_gentuis_journal, goto, loaded, make_app, no_sleep, wait_for

NO_WARN = Guards(low_balance_warning=Decimal(0))


async def start(pilot, app) -> None:
    await wait_for(pilot, lambda: loaded(app), what="engine and credits")
    await pilot.pause()


def column_of(app, generation_type: str) -> list:
    state = app.session.state
    column = next(c.id for c in state.columns if c.generation_type == generation_type)
    return [(r, column) for r in state.rows if (r, column) in state.cells]


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def plan_text(app) -> str:
    return str(app.screen.query_one("#b-plan").render())


async def charges(world: World) -> dict[str, int]:
    return (await world.stats())["charges_by_idempotency_key"]


async def header_shows_the_sim_balance(pilot, app, world: World) -> Decimal:
    """Refresh the credits and wait until the header shows exactly the simulator's balance."""
    balance = await world.balance()
    app.wake_poller(credits=True)
    header = app.screen.query_one(CreditsHeader)
    await wait_for(pilot, lambda: app.session.ledger.generic == balance
                   and f"credits {fmt_credits(balance)}" in header.render_text().plain, what="header balance")
    return balance


async def open_plan(pilot, app) -> BatchDialog:
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
    await pilot.pause()
    return app.screen


# --- marks and the plan ----------------------------------------------------------------------------------
async def test_marks_then_m_shows_count_total_and_balance_after_and_enter_cancels(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await pilot.press("space", "down", "space", "down", "space")  # three B-ROLL cells
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("V")  # and the whole SCRIPT column
        grid = app.screen.query_one(EngineGrid)
        script = column_of(app, vocab.TEXT)
        assert key in grid.marks and len(grid.marks) == 3 + len(script)
        assert f"{len(grid.marks)} marked" in app.screen.query_one(CreditsHeader).render_text().plain

        before = await quiet_world.balance()
        dialog = await open_plan(pilot, app)
        total = sum((app.session.state.card(k).estimate() for k in grid.marks), Decimal(0))  # what is pre-charged
        assert len(dialog.plan.items) == 3 + len(script) and dialog.plan.total == total
        text = plan_text(app)
        assert f"{3 + len(script)} cells" in text
        assert f"Estimated total: {fmt_credits(total)} credits (pre-charged)" in text
        assert f"Balance: {fmt_credits(before)} → {fmt_credits(before - total)} (generic, pre-charged)" in text
        assert "generation running" not in text
        assert app.focused.id == "cancel"
        await pilot.press("enter")  # the focused button is Cancel
        await wait_for(pilot, lambda: not isinstance(app.screen, BatchDialog))
        await pilot.pause()
        assert app.screen.batch_bar.runner is None
        assert "mass regenerate: cancelled, nothing spent" in notes(app)
        assert await charges(quiet_world) == {}
        assert await quiet_world.balance() == before

        await pilot.press("U")  # clear marks
        await pilot.pause()
        assert not grid.marks


async def test_the_plan_shows_the_precharge_a_single_r_shows_and_the_refined_cost_apart(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        costs = CostBook()  # what past takes of the same model and duration really cost
        costs.learn(app.session.state, app.session.generation_models)
        card = app.session.state.card(key)
        likely, refined = costs.estimate(card)
        single = app.actions.plan_regenerate(key).amount
        assert refined and likely < single == card.estimate()  # the world's past takes settled below 480
        await quiet_world.post("credits", {"generic": str(2 * single - 10)})  # 2 refined fit, 1 pre-charge does
        balance = await header_shows_the_sim_balance(pilot, app, quiet_world)
        await pilot.press("space", "down", "space", "down", "space")
        dialog = await open_plan(pilot, app)
        assert [i.estimate for i in dialog.plan.items] == [single] * 3 and dialog.plan.total == 3 * single
        text = plan_text(app)
        assert f"3 cells, ~{fmt_credits(single)} credits each" in text
        assert (f"Estimated total: {fmt_credits(3 * single)} credits (pre-charged); likely final cost "
                f"~{fmt_credits((3 * likely).quantize(Decimal(1)))} from recent charges") in text
        assert f"Balance: {fmt_credits(balance)} → {fmt_credits(balance - 3 * single)} (generic, pre-charged)" in text
        assert "only 1 of 3 fit" in text
        await pilot.click("#fit")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None
                       and app.screen.batch_bar.runner.state == "done", what="the batch that fits")
        assert len(app.screen.batch_bar.runner.plan.items) == 1
        paid = await charges(quiet_world)
        assert len(paid) == 1 and await quiet_world.balance() == balance - single


async def test_a_batch_takes_the_marks_and_the_next_plan_warns_of_cells_in_flight(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await pilot.press("space", "down", "space", "down", "space")
        grid = app.screen.query_one(EngineGrid)
        marked = set(grid.marks)
        assert len(marked) == 3
        await open_plan(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None
                       and app.screen.batch_bar.runner.state == "done", what="the batch")
        await wait_for(pilot, lambda: not grid.marks, what="the marks cleared")
        await wait_for(pilot, lambda: any("marks cleared: the batch took them" in line
                                          for line in app.screen.feeds.activity.texts()), what="the feed line")
        assert "marked" not in app.screen.query_one(CreditsHeader).render_text().plain
        assert all(app.session.state.cells[k].in_flight for k in marked)

        for k in marked:  # mark them again on purpose: the plan says they are running
            grid.set_marks(grid.marks | {k})
        dialog = await open_plan(pilot, app)
        assert dialog.plan.in_flight == 3
        assert "3 of these cells have a generation running; each starts another" in plan_text(app)
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, BatchDialog))
        assert len(await charges(quiet_world)) == 3


async def test_a_confirmed_batch_advances_the_bar_and_charges_every_cell_once(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    posted: list[Message] = []
    async with app.run_test(size=SIZE, message_hook=posted.append) as pilot:
        await start(pilot, app)
        before = await quiet_world.balance()
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        keys = column_of(app, vocab.IMAGE_FROM_TEXT)
        bar = app.screen.query_one(BatchBar)
        seen: list[int] = []
        show = bar.show
        bar.show = lambda p: (seen.append(p.sent), show(p))  # the runner reports through the bar
        await open_plan(pilot, app)  # no marks: the cursor's column
        assert f"{len(keys)} cells" in plan_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "done",
                       what="the batch to finish")
        await pilot.pause()
        assert seen == sorted(seen) and seen[-1] == len(keys) and len(set(seen)) > 2  # it advanced
        progress_bar = bar.query_one("#batch-progress")
        assert progress_bar.total == len(keys) and progress_bar.progress == len(keys)
        assert all(app.session.state.cells[k].in_flight for k in keys)  # each cell shows its new generation
        paid = await charges(quiet_world)
        assert len(paid) == len(keys) and set(paid.values()) == {1}
        assert await header_shows_the_sim_balance(pilot, app, quiet_world) == before - Decimal(5) * len(keys)
        assert f"batch done: {len(keys)} triggered, 0 failed, 0 skipped" in notes(app)
        progress = [m.event for m in posted if isinstance(m, BatchProgressed)]  # the runner's own messages
        assert progress and progress[-1].state == "done" and progress[-1].sent == len(keys)
        assert [p.sent for p in progress] == sorted(p.sent for p in progress)


async def test_a_filtered_column_regenerates_only_the_cells_the_filter_shows(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("F")  # failed only
        await pilot.pause()
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        failed = [k for k in column_of(app, vocab.IMAGE_FROM_TEXT) if app.session.state.cells[k].status == "failed"]
        assert failed and len(failed) < len(app.session.state.rows)
        assert app.screen.grid.targets() == failed
        await pilot.press("V")  # mark_column with the filter on: only what it shows
        await pilot.pause()
        assert app.screen.query_one(EngineGrid).marks == set(failed)
        await pilot.press("U")
        dialog = await open_plan(pilot, app)
        assert [i.key for i in dialog.plan.items] == failed
        assert "(those the filter shows)" in str(dialog.query_one("Label").render())
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "done")
        paid = await charges(quiet_world)
        assert len(paid) == len(failed) and set(paid.values()) == {1}


# --- out of credits mid-batch -----------------------------------------------------------------------------
async def test_out_of_credits_pauses_with_counts_then_top_up_and_resume_finish(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        keys = column_of(app, vocab.IMAGE_FROM_TEXT)
        await open_plan(pilot, app)
        await quiet_world.post("credits", {"generic": "25.00"})  # someone else spends meanwhile: 5 fit
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "paused",
                       what="the pause")
        await wait_for(pilot, lambda: not app.screen.workers or all(
            w.is_finished for w in app.screen.workers if w.group == "batch"), what="the batch worker")
        await pilot.pause()
        p = app.screen.batch_bar.runner.progress()
        assert (p.sent, p.queued, p.failed) == (5, len(keys) - 5, 0)
        assert f"out of credits: 5 triggered, {len(keys) - 5} remaining" in p.reason
        assert any(n.startswith(f"batch paused: 5 triggered, 0 failed, {len(keys) - 5} remaining") for n in notes(app))
        assert "out of credits" in str(app.screen.query_one("#batch-text").render())
        assert len(await charges(quiet_world)) == 5

        await quiet_world.post("credits", {"generic": "1000.00"})  # the top-up
        await pilot.press("m")  # while a batch exists, m opens its controls
        await wait_for(pilot, lambda: isinstance(app.screen, BatchControl))
        await pilot.click("#resume")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner.state == "done", what="the resumed batch")
        paid = await charges(quiet_world)
        assert len(paid) == len(keys) and set(paid.values()) == {1}
        assert await header_shows_the_sim_balance(pilot, app, quiet_world) == Decimal(1000) - 5 * (len(keys) - 5)


# --- bulk stop and quit ----------------------------------------------------------------------------------
async def test_bulk_stop_shows_the_refund_total_and_asks(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        before = await quiet_world.balance()
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("space", "down", "space", "down", "space")
        marked = sorted(app.screen.query_one(EngineGrid).marks)
        await open_plan(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "done")
        spent = Decimal(480) * 3
        assert await quiet_world.balance() == before - spent
        assert not app.screen.query_one(EngineGrid).marks  # the batch took them: S stops the column's runs

        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the bulk stop dialog")
        body = str(app.screen.query_one("#dialog-body").render())
        assert "3 in-flight generations" in body and f"Refund: {fmt_credits(spent)} credits" in body
        assert app.focused.id == "cancel"
        await pilot.press("n")
        await pilot.pause()
        assert all(app.session.state.cells[k].in_flight for k in marked)

        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: all(app.session.state.cells[k].status == "stopped" for k in marked),
                       what="every marked cell stopped")
        assert await header_shows_the_sim_balance(pilot, app, quiet_world) == before
        await wait_for(pilot, lambda: any(n.startswith("bulk stop: 3 of 3 stopped") for n in notes(app)))
        assert not any(n.startswith("stop on ") for n in notes(app))  # one summary toast, not one per cell
        assert sum("stop on " in line for line in app.screen.feeds.activity.texts()) == 3  # each stop still has its activity line


async def test_quitting_while_a_batch_runs_asks_first(quiet_world):
    app = make_app(quiet_world, guards=Guards(low_balance_warning=Decimal(4990)))  # pauses after two
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await open_plan(pilot, app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "paused")
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the quit question")
        assert "Quit while a batch runs?" in str(app.screen.query_one("#title").render())
        await pilot.press("enter")  # Cancel is the default
        await pilot.pause()
        assert app.is_running and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")


# --- resume after a crash ----------------------------------------------------------------------------------


async def test_the_start_up_prompt_resumes_a_dead_owners_intents_with_the_same_keys(tmp_path):
    world = World(quiet=True)
    path = tmp_path / "journal.sqlite3"
    session, dead, idems = await crashed_gentuis_journal(world, path, 6)
    keys = [dead.get(i).key for i in idems]
    # the crash came after the server took the first one, before its answer reached the journal
    taken = dead.get(idems[0])
    gt, data = taken.card.body()
    await session.client.generate(session.agent_id, session.engine_id, taken.cell_id, gt, data,
                                  idempotency_key=idems[0])
    # and the second was answered and journalled: it is only watched again
    sent = dead.get(idems[1])
    gt, data = sent.card.body()
    answer = await session.client.generate(session.agent_id, session.engine_id, sent.cell_id, gt, data,
                                           idempotency_key=idems[1])
    dead.done(idems[1], answer.generation_id)
    dead.close()
    before = await world.balance()

    app = make_app(world, guards=NO_WARN, journal=Journal(path), base_url=BASE_URL)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeDialog), what="the resume prompt")
        assert "Resume 5 unsent generations?" in str(app.screen.query_one("#title").render())
        body = str(app.screen.query_one("#dialog-body").render())
        assert f"Balance: {fmt_credits(before)} → {fmt_credits(before - 5 * Decimal(5))}" in body
        for key in keys[2:]:  # each unsent one is listed: its cell, its card, when, which batch
            assert f"· {app.session.where(key)}: image_from_text" in body
        assert body.count(" ago") == 5  # (mass_regenerate, 0s ago): when, and the batch when it had one
        assert app.focused.id == "keep"
        assert "re-attached 1 generations started by an earlier gentui" in notes(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None and app.screen.batch_bar.runner.state == "done",
                       what="the resumed batch")
        paid = await charges(world)
        assert sorted(paid) == sorted(idems) and set(paid.values()) == {1}  # the first one was not charged again
        assert await header_shows_the_sim_balance(pilot, app, world) == before - Decimal(5) * 4
        journal = app.launch.journal
        assert {i.idempotency_key: i.state for i in journal.all()} == dict.fromkeys(idems, "sent")
        assert all(app.session.state.cells[k].in_flight for k in keys)


# --- feedback --------------------------------------------------------------------------------------------
async def test_render_says_it_started_and_what_it_costs(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        key = await goto(pilot, app, vocab.TEXT, row=2)
        await pilot.press("R")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the render confirmation")
        await pilot.press("y")
        final = next(c.id for c in app.session.state.columns if c.generation_type == vocab.RENDER)
        where = app.session.where((key[0], final))
        await wait_for(pilot, lambda: any(n.startswith(f"{where}: render ") and "started" in n for n in notes(app)),
                       what="the render toast")
        assert f"(~{fmt_credits(costs.RENDER_COST)} credits)" in next(n for n in notes(app) if "render" in n)
        assert list((await charges(quiet_world)).values()) == [1]


# --- a lost answer -----------------------------------------------------------------------------------------------
async def test_a_lost_answer_is_explained_and_sent_again_with_its_key_charged_once(quiet_world):
    from gentui.api.client import GenClient
    from tests.transports import LossyTransport

    transport = LossyTransport(quiet_world.app)
    client = GenClient("http://sim/v1", quiet_world.info["api_key"], transport=transport, sleep=no_sleep)
    app = make_app(quiet_world, guards=NO_WARN)
    app.launch.client = client  # answers to POSTs can be lost on the way back
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(pilot, app)
        before = await quiet_world.balance()
        key = await goto(pilot, app, vocab.TEXT)
        transport.lose = True
        for _ in range(2):  # pressed again while answers are still lost: the same key goes out
            await pilot.press("r")
            await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
            await pilot.press("y")
            await wait_for(pilot, lambda: any("sends it again with the same Idempotency-Key" in n for n in notes(app)),
                           what="the lost-answer toast")
            app.clear_notifications()
        assert len(app.actions.uncertain) == 1
        [idem] = app.actions.uncertain
        assert await charges(quiet_world) == {idem: 1}

        transport.lose = False
        app.session.connection = "offline"  # as after a failed round: the next good one is a reconnect,
        app.wake_poller(engine=True)  # and the poller resends the lost answers at once
        await wait_for(pilot, lambda: not app.actions.uncertain, what="the resend")
        await wait_for(pilot, lambda: any("charged once" in n for n in notes(app)), what="the resend toast")
        assert await charges(quiet_world) == {idem: 1}
        assert app.session.state.cells[key].jobs  # the generation the server made is on the grid
        assert await quiet_world.balance() < before


async def test_discard_at_the_start_up_prompt_sends_nothing_and_is_not_asked_again(tmp_path):
    world = World(quiet=True)
    path = tmp_path / "journal.sqlite3"
    _, dead, idems = await crashed_gentuis_journal(world, path, 3)
    dead.close()
    app = make_app(world, guards=NO_WARN, journal=Journal(path), base_url=BASE_URL)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeDialog), what="the resume prompt")
        await pilot.press("d")
        await wait_for(pilot, lambda: any(n.startswith("discarded 3 unsent") for n in notes(app)))
        journal = app.launch.journal
        assert {i.idempotency_key: i.state for i in journal.all()} == dict.fromkeys(idems, "abandoned")
        assert journal.orphans() == []
    assert await charges(world) == {}


async def test_a_paused_batch_cancelled_abandons_what_was_never_sent(quiet_world, tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    app = make_app(quiet_world, guards=Guards(low_balance_warning=Decimal(4990)), journal=journal,
                   base_url=BASE_URL)  # pauses after two
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await open_plan(pilot, app)
        await pilot.press("y")
        bar = app.screen.batch_bar
        await wait_for(pilot, lambda: bar.runner is not None and bar.runner.state == "paused", what="the pause")
        await pilot.press("m")  # the batch key opens the controls while a batch is on
        await wait_for(pilot, lambda: isinstance(app.screen, BatchControl), what="the batch controls")
        await pilot.click("#cancel")
        await wait_for(pilot, lambda: bar.runner.state == "cancelled", what="the cancel")
        sent = {i.idempotency_key for i in bar.runner.plan.items if i.state == "sent"}
        states = {i.idempotency_key: i.state for i in journal.all()}
        assert sent and all(states[k] == "sent" for k in sent)
        unsent = set(states) - sent
        assert unsent and all(states[k] == "abandoned" for k in unsent)  # before: left as "intent", offered later
        assert bar.runner.journalled_unsent() == 0
    assert len(await charges(quiet_world)) == len(sent)
