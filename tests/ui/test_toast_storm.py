"""One summary per batch, not a toast per cell; a bulk stop's already-finished cells are not errors (issue 15 item 6)."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.ui.screens.batch import BatchDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import SIZE, goto, loaded, make_app, wait_for

NO_WARN = Guards(low_balance_warning=Decimal(0))


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def test_a_batch_ends_in_one_summary_toast_and_a_feed_line_per_cell(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
        await pilot.press("y")
        bar = app.screen.batch_bar
        await wait_for(pilot, lambda: bar.runner is not None and bar.runner.state == "done", what="the batch sent")
        ids = bar.generation_ids()
        assert len(ids) > 3
        quiet_world.clock.advance(3600)  # every generation of the batch ends
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: any(n.startswith("batch finished:") for n in notes(app)), timeout=20,
                       what="the batch's summary")
        feed = app.screen.feeds.activity.texts()
        assert sum(" B-ROLL completed in " in line for line in feed) == len(ids)  # each cell's news is in the feed
        assert [n for n in notes(app) if " B-ROLL completed in " in n] == []  # before: a toast per finished cell
        assert sum(n.startswith("batch finished:") for n in notes(app)) == 1


async def test_a_bulk_stop_counts_a_cell_that_ended_meanwhile_as_finished_not_as_an_error(quiet_world):
    app = make_app(quiet_world, guards=NO_WARN)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("space", "down", "space", "down", "space")
        marked = sorted(app.screen.grid.marks)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
        await pilot.press("y")
        bar = app.screen.batch_bar
        await wait_for(pilot, lambda: bar.runner is not None and bar.runner.state == "done", what="the batch sent")
        await wait_for(pilot, lambda: all(app.session.state.cells[k].in_flight for k in marked), what="all in flight")
        await pilot.press("S")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the bulk stop dialog")
        ended = app.session.state.cells[marked[0]].in_flight[0].id
        await app.session.client.stop(ended)  # ended elsewhere (the web app) while the dialog was open
        await pilot.press("y")
        await wait_for(pilot, lambda: any(n.startswith("bulk stop:") for n in notes(app)), what="the summary")
        summary = next(n for n in notes(app) if n.startswith("bulk stop:"))
        assert summary.startswith("bulk stop: 2 of 3 stopped, 1 had already finished")
        assert not any(n.startswith(f"stop {ended}") for n in notes(app))  # before: a red 422 toast
        assert any(f"stop {ended}: already finished" in line for line in app.screen.feeds.activity.texts())
