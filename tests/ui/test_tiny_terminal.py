"""A terminal too small to show a confirm dialog, and a closed standard input (issue 14 item 15).

At 20x5 the dialog cannot show its cost or its buttons: `y` must not confirm what was not shown.
`gentui <&-` ends with one clear line, not a traceback.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from textual.widgets import Static

from gentui.api import vocab
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import SIZE, goto, loaded, make_app, wait_for


async def test_a_confirm_dialog_that_does_not_fit_refuses_y_until_it_does(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.resize_terminal(20, 5)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        dialog = app.screen
        notice = dialog.query_one("#too-small", Static)
        await wait_for(pilot, lambda: notice.display, what="the too-small notice")
        assert str(notice.render()).startswith("terminal too small to confirm")
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is dialog and not dialog.fully_shown()  # refused: nothing was charged
        assert (await quiet_world.stats())["charges_by_idempotency_key"] == {}
        assert not app.session.state.cells[key].in_flight

        await pilot.resize_terminal(*SIZE)
        await wait_for(pilot, lambda: not notice.display, what="the dialog to fit")
        assert dialog.fully_shown()
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the generation")
        assert list((await quiet_world.stats())["charges_by_idempotency_key"].values()) == [1]


async def test_n_still_cancels_in_a_tiny_terminal(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=(20, 5)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the dialog gone")
        assert (await quiet_world.stats())["charges_by_idempotency_key"] == {}


@pytest.mark.parametrize(("argv", "says"), [(["--demo"], "standard input is closed"),
                                            (["login", "--key-stdin"], "no key given"),
                                            (["login"], "no key given")])
def test_a_closed_stdin_is_one_clear_line(home, argv: list[str], says: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "gentui", *argv], capture_output=True, text=True, timeout=60,
                          preexec_fn=lambda: os.close(0), env=dict(os.environ))
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and says in proc.stderr
    assert "Traceback" not in proc.stderr and proc.stdout == ""


async def test_the_resume_dialog_too_refuses_to_resend_what_it_could_not_show() -> None:
    from decimal import Decimal

    from textual.app import App

    from gentui.core.actions import Plan
    from gentui.ui.screens.plan_dialogs import ResumeDialog

    plan = Plan("resume", "Resume 3 unsent generations?", amount=Decimal(15), lines=["  · row 1 B-ROLL: image"] * 3)
    chosen: list[object] = []
    app: App[None] = App()
    async with app.run_test(size=(20, 5)) as pilot:
        app.push_screen(ResumeDialog(plan), chosen.append)
        await wait_for(pilot, lambda: isinstance(app.screen, ResumeDialog) and app.screen.is_mounted)
        dialog = app.screen
        await wait_for(pilot, lambda: dialog.query_one("#too-small", Static).display, what="the too-small notice")
        await pilot.press("y")
        await pilot.pause()
        assert app.screen is dialog and chosen == []  # refused: nothing resent
        await pilot.resize_terminal(*SIZE)
        await wait_for(pilot, lambda: not dialog.query_one("#too-small", Static).display and dialog.fully_shown(),
                       what="the dialog fully drawn")
        await pilot.press("y")
        await wait_for(pilot, lambda: chosen == ["resume"], what="the resume choice")
