"""Reading an engine answer as JSON text, a row at a time, into an `EngineState`.

The exact path is `EngineState.apply_engine(Engine.model_validate(...))`; this one gives the same
state while yielding to the event loop, carrying unchanged rows over undecoded and validating only
the rows that changed (tests/core/test_engine_text.py holds the two paths equal on every shape).
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from gentui.api.answers import engine_object
from gentui.api.fields import lenient_list, to_id
from gentui.api.models import Cell, Column, Engine, Row
from gentui.core.engine_state import EngineState
from gentui.core.engine_text import CELLS_KEYS, COLUMNS_KEYS, JOB_KEYS, ROWS_KEYS, first_set, job_fields, walk_engine
from gentui.core.views import CellKey, CellView, Changes, ColumnView, RowView


async def read_engine_text(state: EngineState, text: str, slice_seconds: float) -> Changes:
    """See `EngineState.apply_engine_text`."""
    reader = _EngineTextReader(state)
    clock = time.perf_counter
    started = clock()
    busy = 0.0
    for event in walk_engine(text, reader.known):
        reader.feed(event)
        if clock() - started > slice_seconds:
            busy += clock() - started
            await asyncio.sleep(0)
            started = clock()
    busy += clock() - started
    changes = None if reader.fallback else await reader.commit(slice_seconds)
    started = clock()
    if changes is None:
        changes = state.apply_engine(Engine.model_validate(engine_object(json.loads(text))))
    state.read_seconds = busy + reader.busy + clock() - started
    state.engine_chars = len(text)
    return changes


@dataclass(slots=True)
class _RowStage:
    """One row of an engine being read as text: validated and viewed, or carried over unchanged."""

    index: int  # among the rows the models would keep
    id: str
    position: int | None
    column_ids: tuple[str, ...]
    views: list[tuple[CellKey, CellView]] | None  # None: unchanged since the last read
    text_hash: int
    raw_index: int  # its index in the rows array (invalid items count)
    length: int  # of its text


@dataclass(slots=True)
class _Columns:
    choice: tuple[str, int]  # (wire key, hash of its text)
    by_id: dict[str, ColumnView]
    ordered_ids: list[str]  # the order cells without column_id are matched in (Engine.ordered_columns)


class _EngineTextReader:
    """Turns `walk_engine` events into row stages, then commits them to the state in one go."""

    def __init__(self, state: EngineState) -> None:
        self.state = state
        self.fields: dict[str, Any] = {}
        self.hashes: dict[str, int] = {}
        self.keys: set[str] = set()
        self.streamed: str | None = None
        self.fallback = False
        self.stages: list[_RowStage] = []
        self.deferred: list[tuple[Any, int, int, int]] = []
        self.seen_ids: set[str] = set()
        self.used: tuple[str, int] | None = None
        self._columns_cache: _Columns | None = None
        self.busy = 0.0  # seconds commit() worked (not counting its pauses)

    def feed(self, event: tuple[Any, ...]) -> None:
        kind = event[0]
        if kind == "field":
            _, key, value, text_hash = event
            self._key(key)
            self.fields[key] = value
            self.hashes[key] = text_hash
        elif kind == "rows":
            self._key(event[1])
            self.streamed = event[1]
        elif not self.fallback:
            _, _, index, value, text_hash, length = event
            columns = self.columns()
            if value is None:
                self.same_row(index, text_hash, length)
            elif columns is None:
                self.deferred.append((value, text_hash, index, length))
            else:
                self.row(value, text_hash, columns, index, length)

    def known(self, index: int) -> tuple[int, int] | None:
        """(length, hash) of the row read at `index` last time, while rows can be carried over."""
        if self.fallback or not self.state._row_index:
            return None
        columns = self.columns()
        if columns is None or self.state._columns_hash != columns.choice:
            return None
        entry = self.state._row_index.get(index)
        return (entry[0], entry[1]) if entry is not None else None

    def same_row(self, index: int, text_hash: int, length: int) -> None:
        """The row at `index` has the same text as last time: carry it over undecoded."""
        state = self.state
        row_id = state._row_index[index][2]
        cached = state._row_cache.get(row_id)
        if row_id in self.seen_ids or cached is None or row_id not in state.rows:
            self.fallback = True  # cannot happen with a cache we built; the exact path decides
            return
        self.seen_ids.add(row_id)
        self.used = self.used or self.columns().choice
        self.stages.append(_RowStage(len(self.stages), row_id, cached[1], cached[2], None, text_hash, index, length))

    def _key(self, key: str) -> None:
        if key in self.keys:  # json.loads keeps the last value: let the exact path decide
            self.fallback = True
        self.keys.add(key)

    def columns(self) -> _Columns | None:
        """The columns as the models would choose them from what was read so far."""
        choice = next((k for k in COLUMNS_KEYS if self.fields.get(k) is not None), None)
        if choice is None:
            return None
        key = (choice, self.hashes[choice])
        cached = self._columns_cache
        if cached is not None and cached.choice == key:
            return cached
        models = lenient_list(Column)(self.fields[choice])
        views = [self.state._column_view(c, i) for i, c in enumerate(models)]
        if models and all(c.position is not None for c in models):
            ordered = [c.id for c in sorted(models, key=lambda c: c.position or 0)]
        else:
            ordered = [c.id for c in models]
        self._columns_cache = _Columns(key, {v.id: v for v in views}, ordered)
        return self._columns_cache

    def row(self, value: Any, text_hash: int, columns: _Columns, raw_index: int, length: int) -> None:
        if not isinstance(value, dict):
            return  # lenient_list drops it
        if self.used is None:
            self.used = columns.choice
        state = self.state
        row_id = to_id(value.get("id"))
        if isinstance(row_id, str) and row_id not in self.seen_ids and state._columns_hash == columns.choice:
            cached = state._row_cache.get(row_id)
            if cached is not None and cached[0] == text_hash and row_id in state.rows \
                    and all((row_id, c) in state.cells for c in cached[2]):
                self.seen_ids.add(row_id)
                self.stages.append(
                    _RowStage(len(self.stages), row_id, cached[1], cached[2], None, text_hash, raw_index, length))
                return
        raw_cells = first_set(value, CELLS_KEYS)
        cells_key = next((k for k in CELLS_KEYS if value.get(k) is not None), CELLS_KEYS[0])
        try:
            row = Row.model_validate({**value, cells_key: []})
        except PydanticValidationError:
            return
        self.seen_ids.add(row.id)
        cells: list[tuple[Cell, tuple[list[dict[str, Any]], dict[str, Any] | None]]] = []
        for item in raw_cells if isinstance(raw_cells, list) else ():
            if not isinstance(item, dict):
                continue
            try:
                cell = Cell.model_validate({k: v for k, v in item.items() if k not in JOB_KEYS})
            except PydanticValidationError:
                continue
            jobs = first_set(item, JOB_KEYS[:2])
            fields = [f for f in map(job_fields, jobs) if f is not None] if isinstance(jobs, list) else []
            cells.append((cell, (fields, job_fields(item.get("default_user_job")))))
        _match_columns([c for c, _ in cells], columns.ordered_ids)
        views = [
            ((row.id, cell.column_id or ""), state._cell_view(row.id, cell, columns.by_id.get(cell.column_id or ""), raw))
            for cell, raw in cells
        ]
        col_ids = tuple(key[1] for key, _ in views)
        self.stages.append(_RowStage(len(self.stages), row.id, row.position, col_ids, views, text_hash, raw_index, length))

    async def commit(self, slice_seconds: float) -> Changes | None:
        """Apply what was read; None when the exact slow path must decide instead."""
        columns = self.columns()
        if "id" not in self.fields or (self.used is not None and (columns is None or columns.choice != self.used)):
            return None
        clock = time.perf_counter
        started = clock()
        if self.deferred:
            final = columns or _Columns(("", 0), {}, [])
            for value, text_hash, raw_index, length in self.deferred:
                self.row(value, text_hash, final, raw_index, length)
                if clock() - started > slice_seconds:
                    self.busy += clock() - started
                    await asyncio.sleep(0)
                    started = clock()
        chosen = next((k for k in ROWS_KEYS if k == self.streamed or self.fields.get(k) is not None), None)
        stages = self.stages if chosen is not None and chosen == self.streamed else []
        engine = Engine.model_validate({k: v for k, v in self.fields.items() if k not in ROWS_KEYS})
        state = self.state
        changes = Changes()
        state._take_header(engine, changes)
        ordered = sorted(stages, key=lambda st: (st.position if st.position is not None else st.index, st.index))
        new_rows: dict[str, RowView] = {}
        seen: set[CellKey] = set()
        for index, stage in enumerate(ordered):
            if stage.views is None:
                seen.update((stage.id, c) for c in stage.column_ids)
            else:
                for key, view in stage.views:
                    seen.add(key)
                    state._take_cell(key, view, changes)
            position = stage.position if stage.position is not None else index
            state._take_row(new_rows, RowView(stage.id, position, stage.column_ids), changes)
        state._finish_rows(new_rows, seen, changes)
        state._row_cache = {st.id: (st.text_hash, st.position, st.column_ids) for st in stages}
        state._row_index = {st.raw_index: (st.length, st.text_hash, st.id) for st in stages}
        state._columns_hash = columns.choice if columns is not None else None
        self.busy += clock() - started
        return changes


def _match_columns(cells: list[Cell], ordered: list[str]) -> None:
    """Cells without column_id matched to columns by position (as `Engine` does for a whole engine)."""
    taken = {cell.column_id for cell in cells if cell.column_id is not None}
    for index, cell in enumerate(cells):
        if cell.column_id is not None:
            continue
        candidate = ordered[index] if index < len(ordered) else None
        if candidate is None or candidate in taken:
            candidate = next((c for c in ordered if c not in taken), None)
        if candidate is not None:
            cell.column_id = candidate
            taken.add(candidate)
