"""The engine grid: one row per sheet row, one column per sheet column, patched by key."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable
from textual.widgets.data_table import CellDoesNotExist, ColumnDoesNotExist, RowDoesNotExist

from gentui.core.state import CellKey, EngineState
from gentui.ui.render import cell_text, palette

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
            try:
                self.remove_row(row_id)
            except RowDoesNotExist:
                pass
        for row_id, column_id in keys:
            if row_id in added:
                continue
            self.patch_cell(state, (row_id, column_id), now)
        for row_id in added:
            if row_id not in self.rows:
                self._add_row(state, row_id, self.row_count + 1, now)

    def patch_cell(self, state: EngineState, key: CellKey, now: float) -> None:
        try:
            self.update_cell(key[0], key[1], self._render(state, key, now))
        except (CellDoesNotExist, RowDoesNotExist, ColumnDoesNotExist, KeyError):
            pass

    def tick(self, state: EngineState, now: float) -> None:
        """Once a second: advance the in-flight cells' elapsed time and spinner."""
        self.tick_count += 1
        for key in {key for key, _ in state.in_flight()}:
            self.patch_cell(state, key, now)

    def repaint_all(self, state: EngineState, now: float) -> None:
        for key in state.cells:
            self.patch_cell(state, key, now)

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
