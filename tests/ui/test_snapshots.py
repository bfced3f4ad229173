"""Pictures of the real app against the seeded simulator, both clocks frozen."""

from __future__ import annotations

import asyncio

from gentui.api import vocab
from gentui.ui.widgets.grid import EngineGrid

from .pilot import World, make_app


def frozen_app():
    world = World()
    world.clock.advance(20)  # a world with work done and work running, always the same
    return make_app(world, demo=True, tick_interval=None)


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(400):
        if app.session is not None and app.session.state.loaded and app.session.ledger.generic is not None \
                and app.screen.query_one(EngineGrid).row_count > 0:
            break
        await asyncio.sleep(0.01)
    app.poller.stop()
    await pilot.pause()
    state = app.session.state
    video = next(i for i, c in enumerate(state.columns) if c.generation_type == vocab.VIDEO_FROM_TEXT)
    app.screen.query_one(EngineGrid).move_cursor(row=1, column=video + 1, animate=False)
    await pilot.pause(0.1)
    await app.workers.wait_for_complete()  # the poller has stopped; the cell's full history has arrived
    await pilot.pause(0.1)


def test_main_screen_80x24(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(80, 24), run_before=settle)


def test_main_screen_160x48(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=settle)


def test_history_with_several_generations(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("enter")
        await pilot.pause(0.2)

    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=run_before)


def test_confirm_dialog(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("r")
        await pilot.pause(0.2)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)


def test_card_editor(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("e")
        await pilot.pause(0.3)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)


def test_help_screen(snap_compare):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause(0.2)

    assert snap_compare(frozen_app(), terminal_size=(120, 40), run_before=run_before)
