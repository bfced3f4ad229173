"""ctrl+c quits the cockpit, as in k9s and lazygit, and asks first while a batch runs (issue 15.19)."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.ui.screens.batch import BatchDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import SIZE, goto, loaded, make_app, wait_for


async def test_ctrl_c_quits_at_once_when_nothing_runs(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")
    assert not any("to quit" in str(n.message) for n in app._notifications)  # not Textual's "press ctrl+q"


async def test_ctrl_c_asks_while_a_batch_runs(quiet_world):
    app = make_app(quiet_world, guards=Guards(low_balance_warning=Decimal(4990)))  # the batch pauses after two
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen.batch_bar.runner is not None
                       and app.screen.batch_bar.runner.state == "paused", what="the paused batch")
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the quit question")
        assert "Quit while a batch runs?" in str(app.screen.query_one("#title").render())
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the question gone")
        assert app.is_running
        await pilot.press("ctrl+c")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running, what="the app to quit")
