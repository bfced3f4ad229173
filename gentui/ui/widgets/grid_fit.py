"""The grid's column widths and the main screen's layout for them (issue 15: wide terminals, no fragments).

Columns are sized to their content (title, kind, cells) within MIN_CELL..MAX_CELL, then to the width the
grid has, k9s-style: when they all fit the slack is shared out; when they do not, the last column takes
the slack of the last page, so that scrolled to the end the view starts on a column's left edge and no
fragment of a cut column shows beside the pinned `#` (PatchedTable snaps the scroll to column edges).
"""

from __future__ import annotations

from collections.abc import Iterable

from textual.widget import Widget
from textual.widgets.data_table import ColumnKey, RowKey

from gentui.core.engine_state import EngineState
from gentui.ui.widgets.patched_table import PatchedTable

MIN_CELL, MAX_CELL = 8, 34  # a column sized to its content stays within these
DETAIL_SIDE, SIDE_MIN = 84, 180  # the detail beside the grid: its width (the history's columns), from this width on
ROW_NUMBER_WIDTH = 4  # the pinned `#` column


class ColumnFit(PatchedTable):
    """A patched table whose sheet columns (`_columns`, of `state`) are sized to content and width."""

    state: EngineState
    _columns: tuple[str, ...]

    def content_widths(self) -> dict[str, int]:
        """Each sheet column's width for its content: its title, its kind and its cells, within MIN..MAX."""
        widths: dict[str, int] = {}
        for column in self.state.columns:
            widths[column.id] = max(MIN_CELL, len(column.title), len(column.label))
        for cells in self._data.values():
            for column_key, text in cells.items():
                if column_key.value in widths:
                    widths[column_key.value] = max(widths[column_key.value], min(MAX_CELL, text.cell_len))
        return widths

    def fit_columns(self) -> None:
        """Size the columns to their content and to the width the grid has: slack shared out when they all
        fit; else the last column takes the slack so that scrolled to the end the view starts on a
        column's left edge (no fragment of a cut column beside the pinned `#`)."""
        if not self._columns:
            return
        widths = self.content_widths()
        padding = 2 * self.cell_padding
        fixed = sum(c.get_render_width(self) for c in self.ordered_columns[: self.fixed_columns])
        room = self.scrollable_content_region.width - fixed
        if room <= 0:
            return
        ids = list(self._columns)
        total = sum(widths[i] + padding for i in ids)
        if total <= room:  # all fit: share the slack, the rest to the last column
            share, extra = divmod(room - total, len(ids))
            for i in ids:
                widths[i] += share
            widths[ids[-1]] += extra
        else:  # the last page: as many trailing columns as fit, the last widened to fill it exactly
            tail = 0
            for i in reversed(ids):
                if tail + widths[i] + padding > room:
                    break
                tail += widths[i] + padding
            widths[ids[-1]] += max(0, room - tail) if tail else 0
        changed = False
        for i in ids:
            column = self.columns.get(ColumnKey(i))
            if column is not None and (column.width != widths[i] or column.auto_width):
                column.width, column.auto_width, changed = widths[i], False, True
        if changed:
            self._clear_caches()
            self._update_dimensions(())
            self.refresh()

    def outgrown(self, keys: Iterable[tuple[str, str]]) -> bool:
        """Whether one of these cells' texts no longer fits its column (below MAX_CELL): time to fit again."""
        for row, column_id in keys:
            cells, column = self._data.get(RowKey(row)), self.columns.get(ColumnKey(column_id))
            text = cells.get(ColumnKey(column_id)) if cells is not None else None
            if text is not None and column is not None and min(MAX_CELL, text.cell_len) > column.width:
                return True
        return False

    def natural_width(self) -> int:
        """The width the grid needs to show every column at its content width (pinned `#` included)."""
        padding = 2 * self.cell_padding
        return ROW_NUMBER_WIDTH + padding + sum(w + padding for w in self.content_widths().values()) + 2  # + a scrollbar

    def place(self, screen: Widget) -> None:
        """Lay the screen out for its width: the detail beside the grid only when the grid still shows all
        its columns there (`side`), else under it, so a wider terminal never shows fewer sheet columns."""
        width = screen.size.width
        screen.set_class(width >= SIDE_MIN and self.natural_width() + DETAIL_SIDE <= width, "side")

    def on_resize(self) -> None:
        self.call_after_refresh(self.fit_columns)

