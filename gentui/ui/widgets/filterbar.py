"""The filter bar above the grid: the query being typed, and what the grid shows now (filter, sort, counts)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Input, Static

PLACEHOLDER = "filter: text, is:failed, is:running, col:NAME, age:1h, row:7 — Enter keeps it, Escape clears"


class FilterInput(Input):
    HELP = """\
## Filter
Type to filter the grid as you go. Words match a cell's value, model, status, type, column and
failure reason; `is:failed`, `is:running`, `is:completed`… match a status; `col:NAME` only the
columns whose title contains NAME; `age:1h` only cells that changed in the last hour; `row:7` one row.
A row is shown when one of its cells matches everything. `Enter` keeps the filter, `Escape` clears it.
"""


class FilterBar(Horizontal):
    """One line: the input while editing, and the summary of the grid's filter and sort."""

    def compose(self) -> ComposeResult:
        yield FilterInput(placeholder=PLACEHOLDER, id="filter-input")
        yield Static("", id="filter-status")

    def on_mount(self) -> None:
        self.query_one(FilterInput).display = False
        self.display = False

    @property
    def editing(self) -> bool:
        return bool(self.query_one(FilterInput).display)

    def open(self, text: str) -> None:
        field = self.query_one(FilterInput)
        field.value = text
        field.display = True
        self.display = True
        field.focus()
        field.cursor_position = len(text)

    def close(self) -> None:
        self.query_one(FilterInput).display = False

    def summary(self, parts: list[str], shown: int, total: int, extra: str = "", problems: tuple[str, ...] = ()) -> None:
        text = Text(no_wrap=True, overflow="ellipsis")
        if parts:
            text.append(" · ".join(parts), style="bold")
            text.append(f" · {shown} of {total} rows")
            if extra:
                text.append(f" · {extra}")
            if shown == 0:
                text.append("  no row matches", style="bold red")
            if any(p.startswith(("filter", "failed", "in flight")) for p in parts):
                text.append("  Esc clears", style="dim")
        for problem in problems:
            text.append(f"  {problem}", style="red")
        self.query_one("#filter-status", Static).update(text)
        self.display = bool(parts) or self.editing
