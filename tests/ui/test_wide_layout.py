"""Issue 15 items 3, 4, 9, 10 and 26: wide terminals show more, a sideways scroll leaves no fragment, stale
looks stale, the cursor keeps its cell by ids per engine, and the spend screen draws the credit burn."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import Sparkline
from textual.widgets.data_table import ColumnKey

from gentui.api import vocab
from gentui.api.errors import TransportError
from gentui.ui.look import SPINNER
from gentui.ui.screens.spend import SpendScreen
from gentui.ui.widgets.grid import EngineGrid

from .pilot import goto, loaded, make_app, wait_for


async def ready(pilot, app) -> EngineGrid:
    await wait_for(pilot, lambda: loaded(app), what="the engine, the balance and the grid's rows")
    await pilot.pause()
    return app.main.grid


def whole_columns(grid: EngineGrid) -> int:
    """How many sheet columns the grid shows whole, unscrolled."""
    room = grid.scrollable_content_region.width
    x, count = 0, 0
    for index, column in enumerate(grid.ordered_columns):
        x += column.get_render_width(grid)
        if x > room:
            break
        count += index > 0
    return count


async def columns_at(world, size: tuple[int, int]) -> tuple[int, bool, int, int]:
    app = make_app(world, tick_interval=None)
    async with app.run_test(size=size) as pilot:
        grid = await ready(pilot, app)
        await pilot.pause()
        history = app.main.history
        return whole_columns(grid), app.main.has_class("side"), grid.size.height, history.virtual_size.width - \
            history.scrollable_content_region.width


async def test_wider_terminals_show_more_sheet_columns_never_fewer(quiet_world) -> None:
    at_120, _, _, _ = await columns_at(quiet_world, (120, 40))
    at_160, _, _, history_cut_160 = await columns_at(quiet_world, (160, 50))
    at_200, _, height_200, _ = await columns_at(quiet_world, (200, 60))
    assert at_120 <= at_160 <= at_200 and at_120 < at_200, (at_120, at_160, at_200)
    assert history_cut_160 <= 0  # the history's columns (took, id) are all there at 160
    assert height_200 < 60 // 2  # the grid is as tall as its rows, the detail gets the rest


async def test_scrolled_to_the_last_column_the_view_starts_on_a_column_edge(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await ready(pilot, app)
        grid.focus()
        for _ in range(len(app.session.state.columns) + 1):
            await pilot.press("right")
        await pilot.pause()
        assert grid.scroll_x > 0
        fixed = grid.ordered_columns[0].get_render_width(grid)
        edges, x = set(), fixed
        for column in grid.ordered_columns[1:]:
            edges.add(x - fixed)
            x += column.get_render_width(grid)
        assert round(grid.scroll_x) in edges, (grid.scroll_x, sorted(edges))  # no fragment beside the `#`
        assert round(grid.scroll_x) == grid.max_scroll_x  # and the last column is wholly in view


async def test_stale_stops_the_timers_and_dims_the_cells_in_flight(demo_world) -> None:
    app = make_app(demo_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await ready(pilot, app)
        app.poller.stop()
        key = next(k for k, _ in app.session.state.in_flight())
        main = app.main
        app.session.failed(TransportError("connection refused"))  # offline: what is shown may no longer be true
        await wait_for(pilot, lambda: grid.stale_since is not None, what="the grid told it is stale")
        frozen = grid.get_cell(*key)
        assert "dim" in str(frozen.spans[-1].style) and frozen.plain[0] not in SPINNER[1:]
        assert main.detail.has_class("-stale")  # the detail's figures may no longer be true either: dimmed
        demo_world.clock.advance(7)
        main.tick()
        main.tick()
        assert grid.get_cell(*key).plain == frozen.plain  # no counting, no turning
        app.session.ok()
        await wait_for(pilot, lambda: grid.stale_since is None, what="live again")
        assert not main.detail.has_class("-stale")
        main.tick()
        assert grid.get_cell(*key).plain != frozen.plain


async def test_switching_engines_and_back_keeps_the_cursor_on_the_same_cell_by_ids(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    first, second = (str(e) for e in quiet_world.info["engine_ids"][:2])
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await ready(pilot, app)
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT, row=2)
        app.open_engine(app.session.agent_id, second)
        await wait_for(pilot, lambda: app.session.engine_id == second and loaded(app) and grid.state.engine_id == second,
                       what="the second engine")
        await pilot.pause()
        grid.move_cursor(row=0, column=2, animate=False)
        await pilot.pause()
        app.open_engine(app.session.agent_id, first)
        await wait_for(pilot, lambda: app.session.engine_id == first and loaded(app) and grid.state.engine_id == first
                       and grid.current_key == key, what="the first engine, the cursor back on its cell")


async def test_the_spend_screen_draws_this_sessions_burn_and_the_balance(demo_world) -> None:
    app = make_app(demo_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("r")  # the demo asks first
        await pilot.pause()
        app.main.views.open_spend()
        await wait_for(pilot, lambda: isinstance(app.screen, SpendScreen), what="the spend screen")
        await pilot.pause()
        burn = app.session.ledger.burn
        assert burn.samples and burn.balance()
        spent = app.screen.query_one("#burn-spent", Sparkline)
        balance = app.screen.query_one("#burn-balance", Sparkline)
        assert list(spent.data or []) == burn.spent() and list(balance.data or []) == burn.balance()
        assert "balance:" in " ".join(str(w.render()) for w in app.screen.query("Label"))


async def test_a_cell_that_outgrows_its_column_widens_it(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        grid = await ready(pilot, app)
        key = await goto(pilot, app, vocab.SPEECH_FROM_TEXT)  # a narrow column ("● audio")
        column = grid.columns[ColumnKey(key[1])]
        narrow = column.width
        grid.patch(key[0], key[1], Text("× failed " + "x" * 40))
        assert grid.outgrown([key])
        grid.fit_columns()
        assert column.width > narrow and not grid.outgrown([key])


async def test_a_few_columns_on_a_wide_terminal_put_the_detail_beside_the_grid() -> None:
    from .pilot import World

    narrow_sheet = World(quiet=True, columns=3)
    app = make_app(narrow_sheet, tick_interval=None)
    async with app.run_test(size=(200, 50)) as pilot:
        grid = await ready(pilot, app)
        await wait_for(pilot, lambda: app.main.has_class("side"), what="the detail beside the grid")
        await pilot.pause()
        assert whole_columns(grid) == len(app.session.state.columns)  # every sheet column, whole
        history = app.main.history
        assert history.virtual_size.width <= history.scrollable_content_region.width  # took and id not cut
    app = make_app(narrow_sheet, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        assert not app.main.has_class("side")
