"""Pictures of the real app against the seeded simulator, both clocks frozen."""

from __future__ import annotations

from gentui.api import vocab
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.modals import HelpScreen
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.grid import EngineGrid

from .pilot import World, loaded, make_app, wait_for


def frozen_app():
    world = World()
    world.clock.advance(20)  # a world with work done and work running, always the same
    return make_app(world, demo=True, tick_interval=None)


async def settle(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: loaded(app), what="the engine, the balance and the grid's rows")
    app.poller.stop()
    await pilot.pause()
    state = app.session.state
    video = next(i for i, c in enumerate(state.columns) if c.generation_type == vocab.VIDEO_FROM_TEXT)
    grid = app.screen.query_one(EngineGrid)
    grid.move_cursor(row=1, column=video + 1, animate=False)
    key = grid.current_key
    assert key is not None and key[1] == state.columns[video].id, key
    await app.workers.wait_for_complete()  # the poller has stopped; the cell's full history has arrived
    await wait_for(pilot, lambda: shows_history(app, key), what="the video cell's full history in the detail")
    await app.workers.wait_for_complete()  # the selected take's full generation, for the take panel
    await pilot.pause()


def shows_history(app, key) -> bool:
    """The detail's history table lists every generation the session holds for the cell, in order."""
    cell = app.session.state.cells.get(key)
    table = app.main.history
    return cell is not None and len(cell.jobs) > 1 and [r.value for r in table.rows] == [j.id for j in cell.jobs]


async def on_top(pilot, screen_type) -> None:
    """Wait until a screen of that type is on top of the stack and mounted, then let its messages flush."""
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, screen_type) and app.screen.is_mounted,
                   what=f"a {screen_type.__name__} on top of the screen stack")
    await pilot.pause()


def test_main_screen_80x24(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=settle)


def test_main_screen_120x40(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=settle)


def test_main_screen_200x60(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(200, 60), run_before=settle)


def test_main_screen_160x48(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=settle)


def test_history_with_several_generations(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: pilot.app.main.history.has_focus, what="the history table focused")
        await pilot.pause()

    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=run_before)


def test_confirm_dialog(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("r")
        await on_top(pilot, ConfirmScreen)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)


def test_card_editor(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("e")
        await on_top(pilot, CardEditor)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)


def test_help_screen(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await on_top(pilot, HelpScreen)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)
