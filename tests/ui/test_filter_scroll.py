"""A filter or `F` takes the cursor to the first cell it selects, scrolling to it; `col:` is exact (issue 15.7)."""

from __future__ import annotations

from gentui.api import vocab
from gentui.ui.widgets.filterbar import FilterInput
from gentui.ui.widgets.grid import EngineGrid

from .pilot import loaded, make_app, wait_for

SMALL = (80, 24)


def column_title(app, key) -> str:
    return next(c.title for c in app.session.state.columns if c.id == key[1])


def on_screen(grid: EngineGrid) -> bool:
    """The cursor's cell is inside the grid's visible part (scrolled to, not off to the right)."""
    region = grid._get_cell_region(grid.cursor_coordinate)
    left = region.x - grid.scroll_x
    return left >= 0 and left + min(region.width, 8) <= grid.scrollable_content_region.width


async def test_failed_only_puts_the_cursor_on_the_first_failed_cell_and_scrolls_to_it(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        grid = app.screen.query_one(EngineGrid)
        grid.focus()
        grid.move_cursor(row=0, column=1, animate=False)  # SCRIPT of row 1: not failed
        await pilot.pause()
        await pilot.press("F")
        await wait_for(pilot, lambda: grid.current_key is not None
                       and app.session.state.cells[grid.current_key].status == vocab.FAILED, what="a failed cell")
        state = app.session.state
        first_row = grid.ordered_rows[0].key.value
        failed_in_first = [c for c in state.rows[first_row].column_ids
                           if (first_row, c) in state.cells and state.cells[(first_row, c)].status == vocab.FAILED]
        assert grid.current_key == (first_row, failed_in_first[0])
        await pilot.pause()
        assert on_screen(grid)


async def test_col_is_exact_and_the_cursor_follows_a_quoted_title(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        grid = app.screen.query_one(EngineGrid)
        await pilot.press("slash")
        assert isinstance(app.focused, FilterInput)
        await pilot.press(*"col:VIDEO")
        await wait_for(pilot, lambda: grid.view.text == "col:VIDEO", what="the filter")
        visible = grid.visible_cells()
        assert visible and {column_title(app, k) for k in visible} == {"VIDEO"}  # never FINAL VIDEO
        assert column_title(app, grid.current_key) == "VIDEO"
        app.focused.value = 'col:"FINAL VIDEO"'
        await wait_for(pilot, lambda: grid.view.text == 'col:"FINAL VIDEO"', what="the quoted filter")
        await pilot.press("enter")
        await wait_for(pilot, lambda: column_title(app, grid.current_key) == "FINAL VIDEO", what="the cursor")
        assert {column_title(app, k) for k in grid.visible_cells() or ()} == {"FINAL VIDEO"}
        await pilot.pause()
        assert on_screen(grid) and grid.scroll_x > 0  # the last column, scrolled to at 80 columns


async def test_an_ambiguous_prefix_says_so_in_the_filter_bar(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("slash", *"col:v")
        status = app.screen.query_one("#filter-status")
        await wait_for(pilot, lambda: "ambiguous" in str(status.render()), what="the ambiguity")
        assert "VOICE" in str(status.render()) and "VIDEO" in str(status.render())
