"""The engine grid: one row per sheet row, one column per sheet column, patched by key.

It owns what it shows: the filter and sort (a `GridView` and its `ViewIndex`) and the marks.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterable, Mapping

from rich.text import Text
from textual.binding import Binding
from textual.coordinate import Coordinate
from textual.message import Message
from textual.widgets.data_table import CellDoesNotExist, ColumnKey, RowDoesNotExist

from gentui.core.engine_state import EngineState
from gentui.core.rows import GridView, ViewIndex
from gentui.core.views import CellKey, Changes
from gentui.ui.look import cell_text, palette
from gentui.ui.widgets.grid_fit import ColumnFit

ROW_COLUMN = "__row"
CELL_WIDTH = 22  # a column before its content is measured (ColumnFit sizes it)


class EngineGrid(ColumnFit):
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

    class ViewChanged(Message):
        """The rows shown changed (a filter, a sort, or cells they depend on)."""

        def __init__(self, shown: int, total: int) -> None:
            super().__init__()
            self.shown, self.total = shown, total

    class MarksChanged(Message):
        def __init__(self, count: int) -> None:
            super().__init__()
            self.count = count

    def __init__(self, **kwargs: object) -> None:
        super().__init__(cursor_type="cell", zebra_stripes=False, header_height=2, fixed_columns=1, **kwargs)
        self.status_colors: Mapping[str, str] = palette({})
        self.state = EngineState("")  # the session's, once `attach` gives it
        self.clock: Callable[[], float] = time.time
        self.marks: set[CellKey] = set()
        #: cells with a charged POST whose answer was lost, waiting to be sent again (marked `RESEND_MARK`)
        self.pending: set[CellKey] = set()
        self.view = GridView()
        self.index = ViewIndex()
        self.tick_count = 0
        self._columns: tuple[str, ...] = ()
        self._view_shown = False  # the grid currently shows a filtered or sorted subset
        #: engine id -> the cell the cursor was on (row id, column id) when another engine was attached
        self._places: dict[str, CellKey] = {}
        self._built_for: str | None = None  # the engine the columns were last built for
        self.stale_since: float | None = None  # what is shown may no longer be true since then (`set_stale`)

    def attach(self, state: EngineState, clock: Callable[[], float], pending: set[CellKey] | None = None) -> None:
        """Show this engine from now on (a new session): the marks belonged to the one before; `pending`
        are its cells with a resend waiting (later changes come through `set_pending`)."""
        if state is not self.state:
            if self.state.engine_id and (key := self.current_key) is not None:
                self._places[self.state.engine_id] = key  # where the cursor was, by ids, to come back to
            self.state, self.clock = state, clock
            self.marks = set()
            self.pending = set(pending or ())
            self.index = ViewIndex()

    # --- building ---------------------------------------------------------------------------------
    def rebuild(self) -> None:
        """Build from scratch: only on first load and when the sheet's columns change."""
        state, now = self.state, self.clock()
        coordinate = self.cursor_coordinate
        here = self._places.pop(state.engine_id, None)
        if here is None and self._built_for != state.engine_id:  # an engine not shown before: its first cell
            coordinate = Coordinate(0, 1)
        elif here is None:
            here = self.current_key  # the same engine, its columns changed: the same cell by ids
        self._built_for = state.engine_id
        self.clear(columns=True)
        self.add_column(Text("#", style="dim"), key=ROW_COLUMN, width=4)
        for column in state.columns:
            label = Text(column.title, style="bold", no_wrap=True, overflow="ellipsis")
            label.append(f"\n{column.label}", style="dim italic")
            self.add_column(label, key=column.id, width=CELL_WIDTH)
        self._columns = tuple(c.id for c in state.columns)
        for index, row_id in enumerate(state.rows, start=1):
            self._add_row(row_id, index, now)
        self.fit_columns()
        if self.is_attached:
            self.place(self.screen)
        if self.row_count:
            at_row, at_column = self.place_of(here) if here is not None else (None, None)
            self.move_cursor(row=min(coordinate.row, self.row_count - 1) if at_row is None else at_row,
                             column=max(1, coordinate.column) if at_column is None else at_column, animate=False)

    def place_of(self, key: CellKey) -> tuple[int | None, int | None]:
        """The row and column indexes of a cell by its ids (None for one the grid does not show)."""
        row = self.get_row_index(key[0]) if key[0] in self.rows else None
        column = self.get_column_index(key[1]) if ColumnKey(key[1]) in self.columns else None
        return row, column

    def _add_row(self, row_id: str, number: int, now: float) -> None:
        cells = [self._cell_text((row_id, col), now) for col in self._columns]
        self.add_row(Text(str(number), style="dim"), *cells, key=row_id, height=1)

    def _cell_text(self, key: CellKey, now: float) -> Text:
        cell = self.state.cells.get(key)
        if cell is None:
            return Text("")
        since = self.stale_since
        return cell_text(cell, self.status_colors, now if since is None else since, marked=key in self.marks,
                         tick=self.tick_count, resend=key in self.pending, stale=since is not None)

    def columns_match(self) -> bool:
        return self._columns == tuple(c.id for c in self.state.columns)

    # --- patching ---------------------------------------------------------------------------------
    def apply(self, changes: Changes) -> None:
        """Patch exactly what changed: remove vanished rows, update cells, add new rows."""
        now, added = self.clock(), changes.rows_added
        for row_id in changes.rows_removed:
            with contextlib.suppress(RowDoesNotExist):
                self.remove_row(row_id)
        for key in changes.cells:
            if key[0] not in added:
                self._patch(key, now)
        self.flush()
        for row_id in added:
            if row_id not in self.rows:
                self._add_row(row_id, self.row_number(row_id), now)
        if added or self.outgrown(changes.cells):
            self.fit_columns()

    def row_number(self, row_id: str) -> int:
        """The row's place in the sheet (1-based), whatever the grid shows."""
        ids = list(self.state.rows)
        return ids.index(row_id) + 1 if row_id in self.state.rows else len(ids) + 1

    def show_rows(self, order: list[str]) -> None:
        """Show exactly these rows in this order (a filter or a sort), patching by key.

        Hidden rows are removed, rows coming back are added, then the rows are put in order; the
        cursor stays on the same cell while its row is shown.
        """
        key, coordinate, now = self.current_key, self.cursor_coordinate, self.clock()
        wanted = set(order)
        for row_key in [k for k in self.rows if k.value not in wanted]:
            self.remove_row(row_key)
        missing = [r for r in order if r not in self.rows]
        if missing:
            numbers = {row_id: i for i, row_id in enumerate(self.state.rows, start=1)}
            for row_id in missing:
                self._add_row(row_id, numbers.get(row_id, len(numbers) + 1), now)
        if [row.key.value for row in self.ordered_rows] != order:
            rank = {id(self.get_cell(row_id, ROW_COLUMN)): i for i, row_id in enumerate(order)}
            self.sort(ROW_COLUMN, key=lambda label: rank.get(id(label), len(rank)))
        if not self.row_count:
            return
        row = self.get_row_index(key[0]) if key is not None and key[0] in wanted else min(coordinate.row, self.row_count - 1)
        if (row, coordinate.column) != tuple(self.cursor_coordinate):
            self.move_cursor(row=row, column=coordinate.column, animate=False)

    def _patch(self, key: CellKey, now: float) -> None:
        self.patch(key[0], key[1], self._cell_text(key, now))

    def tick(self) -> None:
        """Once a second: advance the in-flight cells' elapsed time and spinner (not while stale)."""
        if self.stale_since is not None:
            return
        self.tick_count += 1
        now = self.clock()
        for key in {key for key, _ in self.state.in_flight()}:
            self._patch(key, now)
        self.flush()

    def set_stale(self, since: float | None) -> None:
        """Offline or stale since `since` (None: live again): the in-flight cells stop counting (their time
        frozen at `since`), stop spinning and are dimmed, since what they say may no longer be true."""
        if (since is None) == (self.stale_since is None):
            return
        self.stale_since = since
        now = self.clock()
        for key in {key for key, _ in self.state.in_flight()}:
            self._patch(key, now)
        self.flush()

    def repaint_all(self) -> None:
        now = self.clock()
        for key in self.state.cells:
            self._patch(key, now)
        self.flush()

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

    # --- the filter and the sort ---------------------------------------------------------------------
    def apply_view(self) -> int:
        """Recompute every row against the view and show the result; returns the rows shown."""
        if not self.state.loaded:
            self.post_message(self.ViewChanged(0, 0))
            return 0
        self.index.rebuild(self.state, self.view, self.clock())
        return self._show_view(force=True)

    def view_changed_rows(self, rows: Iterable[str], *, full: bool = False) -> None:
        """After the grid was patched: look again at the rows an event touched."""
        if not (self.view.active or self._view_shown):
            return
        if full or self.view.needs_clock:
            self.index.rebuild(self.state, self.view, self.clock())
        else:
            self.index.update(self.state, self.view, rows, self.clock())
        self._show_view()

    def _show_view(self, force: bool = False) -> int:
        if not self.view.active and not self._view_shown and not force:
            return self.row_count
        order = self.index.order()
        with self.app.batch_update():
            self.show_rows(order)
        self._view_shown = self.view.active
        self.post_message(self.ViewChanged(len(order), self.index.total))
        return len(order)

    def visible_cells(self) -> set[CellKey] | None:
        """The cells the filter selects in the rows it shows; None when nothing is filtered (all cells)."""
        if not self.view.filtering:
            return None
        return {c.key for c in self.index.matched_cells(self.state)}

    def column_cells(self, key: CellKey) -> list[CellKey]:
        """The cells of this key's column in sheet order; with a filter, only those it selects."""
        cells = self.state.cells
        column = [k for k in ((r, key[1]) for r in self.state.rows) if k in cells]
        visible = self.visible_cells()
        return column if visible is None else [k for k in column if k in visible]

    def targets(self) -> list[CellKey]:
        """What mass actions act on: the marked cells, else the cursor's column (as far as the filter shows it)."""
        if self.marks:
            order = {row: i for i, row in enumerate(self.state.rows)}
            return sorted(self.marks, key=lambda k: (order.get(k[0], 0), k[1]))
        key = self.current_key
        return [] if key is None else self.column_cells(key)

    def set_pending(self, keys: set[CellKey]) -> None:
        """Mark the cells with a resend waiting; only the cells whose mark changed are patched."""
        changed, self.pending = self.pending ^ keys, set(keys)
        now = self.clock()
        for key in changed:
            self._patch(key, now)
        self.flush()

    # --- marks ----------------------------------------------------------------------------------------
    def set_marks(self, keys: set[CellKey]) -> None:
        changed, self.marks = self.marks ^ keys, set(keys)
        now = self.clock()
        for key in changed:
            self._patch(key, now)
        self.flush()
        self.post_message(self.MarksChanged(len(self.marks)))
