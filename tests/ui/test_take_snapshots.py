"""A picture of the take detail with a half-block preview of a deterministic image (previews forced to blocks):
the simulator's own thumbnail, fetched from its media host in-process, as `--demo` does."""

from __future__ import annotations

import httpx

from gentui.api import vocab
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.preview import PreviewBox

from .pilot import World, loaded, make_app, wait_for


def frozen_app():
    world = World()
    world.clock.advance(20)
    return make_app(world, demo=True, tick_interval=None, previews="blocks",
                    media_transport=lambda: httpx.ASGITransport(app=world.app))


async def on_the_image_take(pilot) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: loaded(app), what="the engine")
    app.poller.stop()
    await pilot.pause()
    state = app.session.state
    column = next(i for i, c in enumerate(state.columns) if c.generation_type == vocab.IMAGE_FROM_TEXT)
    grid = app.screen.query_one(EngineGrid)
    grid.move_cursor(row=2, column=column + 1, animate=False)
    await pilot.pause()
    await app.workers.wait_for_complete()
    box = app.main.detail.query_one("#take-preview", PreviewBox)
    await wait_for(pilot, lambda: bool(box.query(".picture")), what="the half-block picture")
    await app.workers.wait_for_complete()
    app.main.detail.scroll_end(animate=False)
    await pilot.pause()


def test_the_take_detail_with_a_half_block_preview(snap_compare):
    assert snap_compare(frozen_app(), terminal_size=(160, 48), run_before=on_the_image_take)
