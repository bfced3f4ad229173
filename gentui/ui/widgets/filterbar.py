"""The filter bar above the grid: the query being typed, and what the grid shows now (filter, sort, counts)."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widgets import Input, Static

PLACEHOLDER = 'filter: text, is:failed, is:running, col:NAME, col:"TWO WORDS", age:1h, row:7 — Enter keeps it, Escape clears'
QUERY_LIMIT = 500  # characters a filter query may hold: a 1 MB paste keeps the first 500


class FilterInput(Input):
    HELP = """\
## Filter
Type to filter the grid as you go. Words match a cell's value, model, status, type, column and
failure reason; `is:failed`, `is:running`, `is:completed`… match a status; `col:NAME` only the
column titled NAME (`col:"FINAL VIDEO"` for spaces; a prefix when only one title starts with it);
`age:1h` only cells that changed in the last hour; `row:7` one row. A row is shown when one of its
cells matches everything, and the cursor goes to the first such cell. `Enter` keeps the filter,
`Escape` clears it.
A query holds at most 500 characters.
"""

    class QueryChanged(Message):
        """The query changed: once per burst of keys (a paste without bracketed paste), not per key."""

        def __init__(self, value: str) -> None:
            super().__init__()
            self.value = value

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=QUERY_LIMIT, **kwargs)
        self.capped = False  # a key or a paste was refused (or cut) at QUERY_LIMIT
        self._announce_queued = False

    def watch_value(self, value: str) -> None:
        if len(value) < QUERY_LIMIT:
            self.capped = False
        if not self._announce_queued:  # coalesce: the callback queues behind the keys already waiting
            self._announce_queued = True
            self.call_later(self._announce)

    def _announce(self) -> None:
        self._announce_queued = False
        self.post_message(self.QueryChanged(self.value))

    def restricted(self) -> None:
        """A key past the limit: no bell (a pasted megabyte would ring a million times), a note instead."""
        self.capped = True

    def _on_paste(self, event: events.Paste) -> None:
        """A bracketed paste keeps what fits instead of being refused whole."""
        event.prevent_default()
        event.stop()
        if not event.text:
            return
        line = event.text.splitlines()[0] if event.text.splitlines() else ""
        start, end = sorted(self.selection)
        room = QUERY_LIMIT - (len(self.value) - (end - start))
        if len(line) > room:
            line, self.capped = line[: max(0, room)], True
        if line:
            self.replace(line, start, end)


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

    @property
    def capped(self) -> bool:
        """The query reached its limit and more was refused."""
        return self.query_one(FilterInput).capped

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
        if self.capped:
            problems = (*problems, f"query cut at {QUERY_LIMIT} characters")
        for problem in problems:
            text.append(f"  {problem}", style="red")
        self.query_one("#filter-status", Static).update(text)
        self.display = bool(parts) or self.editing
