"""A DataTable patched cell by cell: only the patched cells are rendered again, never the whole table."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable
from textual.widgets.data_table import ColumnKey, RowKey


class PatchedTable(DataTable[Text]):
    """`patch` puts a cell's new text in place, `flush` drops exactly those cells' render caches.

    Also starts the sideways-scrolled part on a column's left edge, so no column is drawn cut
    beside the fixed ones.
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # DataTable's own keyword arguments
        self._dirty: set[tuple[RowKey, ColumnKey]] = set()  # patched cells whose renders are stale

    # --- scrolling ------------------------------------------------------------------------------
    def _scroll_cursor_into_view(self, animate: bool = False) -> None:
        # DataTable's own hook (textual is pinned, pyproject.toml); the snapshot tests show the result
        super()._scroll_cursor_into_view(animate=False)
        self._snap_to_column()

    def _snap_to_column(self) -> None:
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

    # --- patching ---------------------------------------------------------------------------------
    def patch(self, row: str, column: str, text: Text) -> None:
        """Put the cell's new text in place; its render caches are dropped by `flush`."""
        row_key, column_key = RowKey(row), ColumnKey(column)
        cells = self._data.get(row_key)
        if cells is None or column_key not in self._column_locations:
            return
        cells[column_key] = text
        self._dirty.add((row_key, column_key))

    def flush(self) -> None:
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
        # (textual's LRUCache has keys() but no __iter__)
        cells = self._cell_render_cache
        for cell_key in [k for k in cells.keys() if (k[0], k[1]) in dirty]:  # noqa: SIM118
            cells.discard(cell_key)
        lines = self._row_render_cache
        for line_key in [k for k in lines.keys() if k[0] in rows]:  # noqa: SIM118
            lines.discard(line_key)
        renderables = self._row_renderable_cache
        for renderable_key in [k for k in renderables.keys() if k[1] in indexes]:  # noqa: SIM118
            renderables.discard(renderable_key)
        self._line_cache.clear()
        self.refresh()
