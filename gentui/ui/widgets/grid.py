"""The engine grid: one row per sheet row, one column per sheet column, patched by key."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist, RowKey

from gentui.core.engine_state import EngineState
from gentui.core.views import CellKey
from gentui.ui.look import cell_text, palette

ROW_COLUMN = "__row"
CELL_WIDTH = 22


class EngineGrid(DataTable):
    """A DataTable that is built once and then only patched (dolphie's diff updates)."""

    HELP = """\
## Engine grid
One row per sheet row, one column per sheet column; each cell shows its status glyph, and the
elapsed time and model while a generation is in flight.

- arrows or `h` `j` `k` `l` move, PageUp/PageDown and Home/End jump
- `Enter` opens the cell's history (the detail), `Escape` comes back
- `r` regenerate, `e` edit & regenerate, `s` stop, `c` continue, `R` render the row
- `/` filter (Escape clears), `F` failed only, `I` in flight only, `o` sort, `a` activity, `L` API log,
  `x` export
- `?` lists every key with its binding id
"""

    BINDINGS = [
        Binding("h", "cursor_left", "Left", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
        Binding("l", "cursor_right", "Right", show=False),
    ]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, header_height=2, fixed_columns=1, **kwargs)
        self.status_colors: Mapping[str, str] = palette({})
        self.marks: set[CellKey] = set()
        self.tick_count = 0
        self._columns: tuple[str, ...] = ()
        self._dirty: set[tuple[RowKey, ColumnKey]] = set()  # patched cells whose renders are stale

    # --- scrolling ------------------------------------------------------------------------------
    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        # DataTable's own hook (textual is pinned, pyproject.toml); the snapshot tests show the result
        super()._scroll_cursor_into_view(animate=False)
        self._snap_to_column()

    def _snap_to_column(self) -> None:
        """Start the scrolled part on a column's left edge: no column is drawn cut beside `#`."""
        left = self._get_fixed_offset().left
        edge = left + round(self.scroll_x)
        x = self._row_label_column_width
        for column in self.ordered_columns:
            if x >= edge:
                break
            x += column.get_render_width(self)
        target = x - left
        cursor_x = self._get_cell_region(self.cursor_coordinate).x
        if target != round(self.scroll_x) and target <= self.max_scroll_x and x <= cursor_x:
            self.scroll_to(x=target, animate=False, force=True, immediate=True)

    # --- building ---------------------------------------------------------------------------------
    def rebuild(self, state: EngineState, now: float) -> None:
        """Build from scratch: only on first load and when the sheet's columns change."""
        coordinate = self.cursor_coordinate
        self.clear(columns=True)
        self.add_column(Text("#", style="dim"), key=ROW_COLUMN, width=4)
        for column in state.columns:
            label = Text(column.title, style="bold", no_wrap=True, overflow="ellipsis")
            label.append(f"\n{column.label}", style="dim italic")
            self.add_column(label, key=column.id, width=CELL_WIDTH)
        self._columns = tuple(c.id for c in state.columns)
        for index, row_id in enumerate(state.rows, start=1):
            self._add_row(state, row_id, index, now)
        if self.row_count:
            self.move_cursor(row=min(coordinate.row, self.row_count - 1), column=max(1, coordinate.column), animate=False)

    def _add_row(self, state: EngineState, row_id: str, number: int, now: float) -> None:
        cells = [self._render(state, (row_id, col), now) for col in self._columns]
        self.add_row(Text(str(number), style="dim"), *cells, key=row_id, height=1)

    def _render(self, state: EngineState, key: CellKey, now: float) -> Text:
        cell = state.cells.get(key)
        if cell is None:
            return Text("")
        return cell_text(cell, self.status_colors, now, marked=key in self.marks, tick=self.tick_count)

    def columns_match(self, state: EngineState) -> bool:
        return self._columns == tuple(c.id for c in state.columns)

    # --- patching ---------------------------------------------------------------------------------
    def apply(self, state: EngineState, keys: Iterable[CellKey], added: list[str], removed: list[str], now: float) -> None:
        """Patch exactly what changed: remove vanished rows, update cells, add new rows."""
        for row_id in removed:
            with contextlib.suppress(RowDoesNotExist):
                self.remove_row(row_id)
        for row_id, column_id in keys:
            if row_id in added:
                continue
            self._patch(state, (row_id, column_id), now)
        self._flush()
        for row_id in added:
            if row_id not in self.rows:
                self._add_row(state, row_id, self.row_number(state, row_id), now)

    @staticmethod
    def row_number(state: EngineState, row_id: str) -> int:
        """The row's place in the sheet (1-based), whatever the grid shows."""
        ids = list(state.rows)
        return ids.index(row_id) + 1 if row_id in state.rows else len(ids) + 1

    def show_rows(self, state: EngineState, order: list[str], now: float) -> None:
        """Show exactly these rows in this order (a filter or a sort), patching by key.

        Hidden rows are removed, rows coming back are added, then the rows are put in order; the
        cursor stays on the same cell while its row is shown.
        """
        key, coordinate = self.current_key, self.cursor_coordinate
        wanted = set(order)
        for row_key in [k for k in self.rows if k.value not in wanted]:
            self.remove_row(row_key)
        missing = [r for r in order if r not in self.rows]
        if missing:
            numbers = {row_id: i for i, row_id in enumerate(state.rows, start=1)}
            for row_id in missing:
                self._add_row(state, row_id, numbers.get(row_id, len(numbers) + 1), now)
        if [row.key.value for row in self.ordered_rows] != order:
            rank = {id(self.get_cell(row_id, ROW_COLUMN)): i for i, row_id in enumerate(order)}
            self.sort(ROW_COLUMN, key=lambda label: rank.get(id(label), len(rank)))
        if not self.row_count:
            return
        if key is not None and key[0] in wanted:
            row = self.get_row_index(key[0])
        else:
            row = min(coordinate.row, self.row_count - 1)
        if (row, coordinate.column) != tuple(self.cursor_coordinate):
            self.move_cursor(row=row, column=coordinate.column, animate=False)

    def patch_cell(self, state: EngineState, key: CellKey, now: float) -> None:
        self._patch(state, key, now)
        self._flush()

    def _patch(self, state: EngineState, key: CellKey, now: float) -> None:
        """Put the cell's new text in place; its render caches are dropped by `_flush`."""
        row_key, column_key = RowKey(key[0]), ColumnKey(key[1])
        row = self._data.get(row_key)
        if row is None or column_key not in self._column_locations:
            return
        row[column_key] = self._render(state, key, now)
        self._dirty.add((row_key, column_key))

    def _flush(self) -> None:
        """Drop the render caches of the patched cells only, then repaint.

        `DataTable.update_cell` bumps a table-wide counter that is part of every render cache key, so
        one changed cell re-renders every visible cell: ~100 ms per frame for a 200x50 screen here,
        which made key presses wait behind the 1 s elapsed-time tick and every poll (issue 7). Here
        only the patched cells' renders (and their rows' composed lines) are recomputed.
        """
        dirty, self._dirty = self._dirty, set()
        if not dirty:
            return
        rows = {row_key for row_key, _ in dirty}
        indexes = {self._row_locations.get(row_key) for row_key in rows}
        cells = self._cell_render_cache  # (textual's LRUCache has keys() but no __iter__)
        for cache_key in [k for k in cells.keys() if (k[0], k[1]) in dirty]:  # noqa: SIM118
            cells.discard(cache_key)
        for cache_key in [k for k in self._row_render_cache.keys() if k[0] in rows]:  # noqa: SIM118
            self._row_render_cache.discard(cache_key)
        for cache_key in [k for k in self._row_renderable_cache.keys() if k[1] in indexes]:  # noqa: SIM118
            self._row_renderable_cache.discard(cache_key)
        self._line_cache.clear()
        self.refresh()

    def tick(self, state: EngineState, now: float) -> None:
        """Once a second: advance the in-flight cells' elapsed time and spinner."""
        self.tick_count += 1
        for key in {key for key, _ in state.in_flight()}:
            self._patch(state, key, now)
        self._flush()

    def repaint_all(self, state: EngineState, now: float) -> None:
        for key in state.cells:
            self._patch(state, key, now)
        self._flush()

    # --- the cursor ---------------------------------------------------------------------------------
    @property
    def current_key(self) -> CellKey | None:
        if not self.row_count or not self._columns:
            return None
        try:
            row_key, column_key = self.coordinate_to_cell_key(self.cursor_coordinate)
        except CellDoesNotExist:
            return None
        if column_key.value == ROW_COLUMN:
            return (str(row_key.value), self._columns[0])
        return (str(row_key.value), str(column_key.value))
