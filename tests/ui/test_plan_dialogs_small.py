"""The plan dialogs at 80x24: the prompt box shows, a mixed plan lists its cells, only the focused button
looks focused, and one cell is `1 cell` (issue 15.8)."""

from __future__ import annotations

from textual.widgets import Button, Static, TextArea

from gentui.api import vocab
from gentui.core.formatting import plural
from gentui.ui.screens.batch import BatchDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import goto, loaded, make_app, wait_for

SMALL = (80, 24)


def text_of(widget: Static) -> str:
    return str(widget.render())


async def open_batch(pilot, app) -> BatchDialog:
    await pilot.press("m")
    await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
    await pilot.pause()
    return app.screen


async def open_confirm(pilot, app, generation_type: str) -> ConfirmScreen:
    """`r` on a cell of this type, once the engine is in: its confirmation, drawn."""
    await wait_for(pilot, lambda: loaded(app), what="engine and credits")
    await goto(pilot, app, generation_type)
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirm dialog")
    await pilot.pause()
    return app.screen


def test_plural() -> None:
    assert [plural(n, "cell") for n in (0, 1, 2)] == ["0 cells", "1 cell", "2 cells"]
    assert plural(1, "entry", "entries") == "1 entry" and plural(3, "entry", "entries") == "3 entries"


async def test_the_prompt_box_has_room_at_80x24(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        dialog = await open_batch(pilot, app)
        await pilot.pause()
        box = dialog.query_one("#b-prompt", TextArea)
        geometry = dialog.find_widget(box)
        assert geometry.region.height >= 3 and geometry.clip.contains_region(geometry.region)
        label = next(s for s in dialog.query(Static) if "prompt template" in text_of(s))
        shown = dialog.find_widget(label)
        assert shown.region.height > 0 and shown.clip.contains_region(shown.region)
        for button in ("#cancel", "#all"):
            b = dialog.find_widget(dialog.query_one(button))
            assert b.clip.contains_region(b.region)  # the buttons stay on screen


async def test_a_mixed_plan_lists_the_cells_it_runs(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("space")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT, row=1)
        await pilot.press("space")
        dialog = await open_batch(pilot, app)
        cells = text_of(dialog.query_one("#b-cells", Static))
        assert "Cells it runs:" in cells
        assert "row 1 SCRIPT" in cells and "row 2 VIDEO" in cells
        assert "Mass regenerate 2 marked cells" in text_of(dialog.query(Static).first())


async def test_one_cell_is_one_cell(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("space")
        dialog = await open_batch(pilot, app)
        title, plan = text_of(dialog.query(Static).first()), text_of(dialog.query_one("#b-plan", Static))
        assert "Mass regenerate 1 marked cell" in title and "1 marked cells" not in title
        assert plan.startswith("1 cell, ") and "1 cells" not in plan
        assert "Cell it runs:" in text_of(dialog.query_one("#b-cells", Static))


async def test_only_the_focused_button_looks_focused(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await open_confirm(pilot, app, vocab.VIDEO_FROM_TEXT)
        cancel, confirm = app.screen.query_one("#cancel", Button), app.screen.query_one("#confirm", Button)
        assert app.focused is cancel
        focused_bg, other_bg = cancel.styles.background, confirm.styles.background
        assert focused_bg != other_bg
        await pilot.press("tab")
        await wait_for(pilot, lambda: app.focused is confirm, what="focus on Confirm")
        await pilot.pause()
        assert confirm.styles.background == focused_bg and cancel.styles.background == other_bg
        await pilot.press("n")


async def test_a_dialog_answered_before_its_fit_check_ran_does_not_crash_the_app(quiet_world) -> None:
    """The fit check runs after a refresh; a quick `n` (or the soak's) can close the dialog first."""
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        dialog = await open_confirm(pilot, app, vocab.TEXT)
        await pilot.press("n")
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen), what="the dialog to close")
        await pilot.pause()
        dialog._show_fit()  # what a pending call_after_refresh does once the dialog is gone
        dialog.on_resize()
        dialog.on_mount()  # and a mount that comes after the answer (seen in the short soak under load)
        assert dialog.shown_or_refused() is False  # gone: nothing on screen to confirm
        await pilot.pause()
        assert app.return_code is None and app.screen is app.main
