"""Which rows of the engine the grid shows, and in what order: the filter and the sort (no Textual).

A filter is a typed query plus two toggles. The query's words are matched, case-insensitively,
against one cell at a time (its value, model, status, type, column title and failure reason); a few
words are operators:

- `is:failed`, `is:running` (pending or processing), `is:STATUS` (`status:` works too)
- `col:NAME` (`column:`): only cells of the column titled NAME, in any case (`col:"FINAL VIDEO"` for a
  title with spaces); a NAME that is no title picks the one column whose title starts with it, and an
  ambiguous prefix (or no such column) picks nothing and says so
- `age:1h` (`within:`): only cells whose last change is at most that old (`s`, `m`, `h`, `d`)
- `row:7`: the sheet's 7th row

A row is shown when one of its cells satisfies every condition at once. `failed_only` and
`in_flight_only` add a status condition (both on: failed *or* in flight). The sort orders the rows
that are shown; ties keep the sheet's order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from gentui.api import vocab
from gentui.core.engine_state import EngineState
from gentui.core.views import STATUSES, CellKey, CellView, ColumnView

#: the sort orders, in the order the `sort` key cycles through them
SORTS = ("sheet", "last change", "status", "cost")
SORT_LABELS = {
    "sheet": "sheet order",
    "last change": "newest change first",
    "status": "failed first",
    "cost": "costliest first",
}
#: "failed first": what needs a look, then what is moving, then what is done
STATUS_RANK = {status: rank for rank, status in enumerate(
    (vocab.FAILED, vocab.STOPPED, vocab.UNKNOWN, vocab.PROCESSING, vocab.PENDING, vocab.COMPLETED, vocab.IDLE))}
IN_FLIGHT = "in_flight"  # the pseudo-status of `is:running`
_STATUS_WORDS = {**{s: s for s in STATUSES}, "running": IN_FLIGHT, "flight": IN_FLIGHT, "in_flight": IN_FLIGHT,
                 "inflight": IN_FLIGHT, "error": vocab.FAILED, "errors": vocab.FAILED, "done": vocab.COMPLETED}
_TOKEN = re.compile(r'(?:[^\s"]*"[^"]*(?:"|$)[^\s]*|\S+)')  # words; a double-quoted part may hold spaces
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)([smhd]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86_400}


@dataclass(frozen=True)
class Query:
    """A parsed filter text."""

    words: tuple[str, ...] = ()
    statuses: frozenset[str] = frozenset()
    columns: tuple[str, ...] = ()
    within: float | None = None
    rows: frozenset[int] = frozenset()
    problems: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.words or self.statuses or self.columns or self.within is not None or self.rows)


def parse_duration(text: str) -> float | None:
    match = _DURATION.match(text.strip().lower())
    return float(match.group(1)) * _UNITS[match.group(2)] if match else None


def parse_query(text: str) -> Query:
    words: list[str] = []
    statuses: set[str] = set()
    columns: list[str] = []
    rows: set[int] = set()
    within: float | None = None
    problems: list[str] = []
    for token in _TOKEN.findall(text):
        name, sep, value = token.partition(":")
        name, value = name.lower(), value.replace('"', "") if '"' in value else value
        if '"' in name:  # a quoted word: its text, spaces and all
            words.append(token.replace('"', "").lower())
        elif not sep or not value.strip():
            words.append(token.lower())
        elif name in ("is", "status"):
            status = _STATUS_WORDS.get(value.lower())
            if status is None:
                problems.append(f"unknown status {value!r}")
            else:
                statuses.add(status)
        elif name in ("col", "column"):
            columns.append(" ".join(value.lower().split()))
        elif name in ("age", "within", "since"):
            within = parse_duration(value)
            if within is None:
                problems.append(f"bad duration {value!r} (try 30m, 1h, 2d)")
        elif name == "row":
            if value.isdigit():
                rows.add(int(value))
            else:
                problems.append(f"bad row {value!r}")
        else:
            words.append(token.lower())
    return Query(tuple(words), frozenset(statuses), tuple(columns), within, frozenset(rows), tuple(problems))


def resolve_columns(names: Iterable[str], columns: Iterable[ColumnView]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The column ids `col:` names pick, and what is wrong with a name: a name is a title (any case, spaces
    squeezed) or a column id; else the prefix of exactly one title. `col:VIDEO` is never FINAL VIDEO."""
    titles: dict[str, list[ColumnView]] = {}
    for column in columns:
        titles.setdefault(" ".join(column.title.lower().split()), []).append(column)
    by_id = {c.id.lower(): c for cs in titles.values() for c in cs}
    picked: set[str] = set()
    problems: list[str] = []
    for name in names:
        if name in titles:
            picked.update(c.id for c in titles[name])
        elif name in by_id:
            picked.add(by_id[name].id)
        else:
            starts = [t for t in titles if t.startswith(name)]
            if len(starts) == 1:
                picked.update(c.id for c in titles[starts[0]])
            elif starts:
                shown = ", ".join(titles[t][0].title for t in starts[:4]) + (", …" if len(starts) > 4 else "")
                problems.append(f"col:{name} is ambiguous ({shown}): type more of the title")
            else:
                problems.append(f"no column {name!r}")
    return frozenset(picked), tuple(problems)


@dataclass
class GridView:
    """The grid's filter and sort, kept by the main screen across refreshes."""

    text: str = ""
    failed_only: bool = False
    in_flight_only: bool = False
    sort: str = "sheet"
    _parsed: tuple[str, Query] = field(default=("", Query()), repr=False)
    _columns: tuple[tuple, frozenset[str], tuple[str, ...]] = field(default=((), frozenset(), ()), repr=False)

    @property
    def query(self) -> Query:
        if self._parsed[0] != self.text:
            self._parsed = (self.text, parse_query(self.text))
        return self._parsed[1]

    def column_ids(self, columns: Iterable[ColumnView]) -> frozenset[str]:
        """The ids of the columns the query's `col:` names pick among these (`resolve_columns`, cached)."""
        columns = tuple(columns)
        names = self.query.columns
        given = (names, tuple((c.id, c.title) for c in columns))
        if self._columns[0] != given:
            self._columns = (given, *resolve_columns(names, columns))
        return self._columns[1]

    @property
    def problems(self) -> tuple[str, ...]:
        """What is wrong with the query: its words, and the `col:` names last resolved (`column_ids`)."""
        return self.query.problems + (self._columns[2] if self._columns[0] and self._columns[0][0] ==
                                      self.query.columns else ())

    @property
    def filtering(self) -> bool:
        return self.failed_only or self.in_flight_only or not self.query.empty

    @property
    def active(self) -> bool:
        return self.filtering or self.sort != "sheet"

    @property
    def needs_clock(self) -> bool:
        """Visibility changes as time passes (an `age:` filter)."""
        return self.query.within is not None

    def statuses(self) -> frozenset[str]:
        """The status condition: the query's `is:` words and the toggles (any of them)."""
        toggles = ({vocab.FAILED} if self.failed_only else set()) | ({IN_FLIGHT} if self.in_flight_only else set())
        query = self.query.statuses
        if toggles and query:
            both = query & toggles
            return frozenset(both) if both else frozenset({"<none>"})
        return frozenset(toggles or query)

    def next_sort(self) -> str:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)] if self.sort in SORTS else SORTS[0]
        return self.sort

    def clear_filter(self) -> bool:
        """Drop the text and the toggles (the sort stays); True if something was cleared."""
        had = self.filtering or bool(self.text)
        self.text, self.failed_only, self.in_flight_only = "", False, False
        return had

    def describe(self) -> list[str]:
        parts = []
        if self.text.strip():
            parts.append(f"filter: {self.text.strip()}")
        if self.failed_only and self.in_flight_only:
            parts.append("failed or in flight")
        elif self.failed_only:
            parts.append("failed only")
        elif self.in_flight_only:
            parts.append("in flight only")
        if self.sort != "sheet":
            parts.append(f"sort: {SORT_LABELS.get(self.sort, self.sort)}")
        return parts


# --- matching -----------------------------------------------------------------------------------------
def last_change(cell: CellView) -> float | None:
    """When the cell's latest generation last moved (finished, else started)."""
    latest = cell.latest
    if latest is None:
        return None
    return latest.finished_at or latest.started_at


def _haystack(cell: CellView, column: ColumnView | None) -> str:
    latest = cell.latest
    parts = [cell.value, cell.model or "", cell.status, cell.generation_type]
    if column is not None:
        parts += [column.title, column.label]
    if latest is not None:
        parts += [latest.failed_reason, latest.id]
    return " ".join(parts).lower()


def cell_matches(cell: CellView, column: ColumnView | None, query: Query, statuses: frozenset[str],
                 now: float, column_ids: frozenset[str] | None = None) -> bool:
    """Whether the cell satisfies the query; `column_ids` are what its `col:` names picked (`resolve_columns`)."""
    if statuses and not (cell.status in statuses or (IN_FLIGHT in statuses and bool(cell.in_flight))):
        return False
    if query.columns:
        if column_ids is None:
            column_ids = resolve_columns(query.columns, [column] if column is not None else [])[0]
        if cell.column_id not in column_ids:
            return False
    if query.within is not None:
        changed = last_change(cell)
        if changed is None or now - changed > query.within:
            return False
    if query.words:
        hay = _haystack(cell, column)
        if not all(w in hay for w in query.words):
            return False
    return True


def matching_in_row(state: EngineState, row_id: str, view: GridView, now: float,
                    number: int | None = None) -> list[CellView] | None:
    """The row's cells the filter selects (all of them without a filter), or None when the row is hidden."""
    row = state.rows.get(row_id)
    if row is None:
        return None
    cells = [c for c in (state.cells.get((row_id, col)) for col in row.column_ids) if c is not None]
    if not view.filtering:
        return cells
    query = view.query
    if query.rows and number not in query.rows:
        return None
    statuses = view.statuses()
    if query.rows and not (statuses or query.words or query.columns or query.within is not None):
        return cells
    columns = {c.id: c for c in state.columns}
    picked = view.column_ids(state.columns) if query.columns else None
    found = [c for c in cells if cell_matches(c, columns.get(c.column_id), query, statuses, now, picked)]
    return found or None


# --- sorting -------------------------------------------------------------------------------------------
def _row_cells(state: EngineState, row_id: str) -> Iterable[CellView]:
    row = state.rows.get(row_id)
    for column_id in row.column_ids if row else ():
        cell = state.cells.get((row_id, column_id))
        if cell is not None:
            yield cell


def row_cost(state: EngineState, row_id: str) -> Decimal:
    """What the row's known generations cost (final costs the server reported)."""
    return sum((j.execution_cost for c in _row_cells(state, row_id) for j in c.jobs if j.execution_cost is not None),
               Decimal(0))


def sort_key(state: EngineState, row_id: str, sort: str, cells: list[CellView] | None = None) -> tuple:
    """The row's key for a sort, from the given cells (a filter's matches) or the whole row."""
    cells = list(_row_cells(state, row_id)) if cells is None else cells
    if sort == "last change":
        times = [t for t in (last_change(c) for c in cells) if t is not None]
        return (0, -max(times)) if times else (1, 0.0)
    if sort == "status":
        ranks = sorted(STATUS_RANK.get(c.status, 2) for c in cells)
        return tuple(ranks[:3]) if ranks else (99,)
    if sort == "cost":
        return (-sum((j.execution_cost for c in cells for j in c.jobs if j.execution_cost is not None), Decimal(0)),)
    return ()


class ViewIndex:
    """The rows a view shows and their sort keys, updated row by row as the engine changes.

    A poll touches a few rows: only those are looked at again, so a filter costs nothing like a
    scan of every cell on every event. The sheet's row order (and so the row numbers) is checked on
    each update; when it changed, everything is recomputed.
    """

    def __init__(self) -> None:
        self.keys: dict[str, tuple] = {}  # visible row id -> sort key
        self.matches: dict[str, tuple[CellKey, ...]] = {}  # visible row id -> the cells the filter selects
        self._ids: tuple[str, ...] = ()
        self._numbers: dict[str, int] = {}

    def _look(self, state: EngineState, view: GridView, row_id: str, now: float) -> None:
        number = self._numbers.get(row_id)
        cells = matching_in_row(state, row_id, view, now, number) if number is not None else None
        if cells is None:
            self.keys.pop(row_id, None)
            self.matches.pop(row_id, None)
            return
        self.keys[row_id] = (number,) if view.sort == "sheet" else (sort_key(state, row_id, view.sort, cells), number)
        self.matches[row_id] = tuple(c.key for c in cells) if view.filtering else ()

    def rebuild(self, state: EngineState, view: GridView, now: float) -> None:
        self._ids = tuple(state.rows)
        self._numbers = {row_id: i for i, row_id in enumerate(self._ids, start=1)}
        self.keys, self.matches = {}, {}
        for row_id in self._ids:
            self._look(state, view, row_id, now)

    def update(self, state: EngineState, view: GridView, rows: Iterable[str], now: float) -> None:
        if tuple(state.rows) != self._ids:
            self.rebuild(state, view, now)
            return
        for row_id in rows:
            self._look(state, view, row_id, now)

    def matched_cells(self, state: EngineState) -> list[CellView]:
        """The cells the filter selects in the shown rows (every cell of them without a filter)."""
        out: list[CellView] = []
        for row_id in self.order():
            keys = self.matches.get(row_id) or [(row_id, col) for col in state.rows[row_id].column_ids]
            out += [state.cells[k] for k in keys if k in state.cells]
        return out

    def order(self) -> list[str]:
        return sorted(self.keys, key=self.keys.__getitem__)

    @property
    def total(self) -> int:
        return len(self._ids)


def changed_within(cells: Iterable[CellView], seconds: float, now: float) -> int:
    """How many of these cells changed in the last `seconds`."""
    return sum(1 for c in cells if (t := last_change(c)) is not None and now - t <= seconds)
