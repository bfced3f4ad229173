"""Reading a big engine answer as JSON text, a row at a time, into an `EngineState`.

A 500 x 8 engine with 10 generations per cell is ~20 MB of JSON. Decoding it in one `json.loads`
blocks the event loop for ~0.3 s and holds ~100 MB of objects; validating it all with pydantic takes
more than a second. `walk_engine` decodes the engine object's own fields one by one and its rows
array one row at a time, so `apply_engine_text` can yield to the event loop between rows, skip rows
whose text did not change since the last read (a hash of the row's exact text), and drop each row's
objects once it has been read.

The exact path is `EngineState.apply_engine(Engine.model_validate(...))`; `apply_engine_text` gives
the same state while yielding to the event loop, carrying unchanged rows over undecoded and
validating only the rows that changed (tests/core/test_engine_json.py holds the two paths equal on
every shape). It works only through `EngineState`'s public methods.

`job_fields` reads one generation dict exactly as `gentui.api.models.Generation` does (same
spellings, same coercions, same items dropped); a test holds the two paths equal on both simulator
dialects and on hostile payloads.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, cast

from pydantic import ValidationError as PydanticValidationError

from gentui.api.answers import engine_object
from gentui.api.fields import lenient_list, to_cost, to_datetime, to_id, to_opt_str
from gentui.api.models import Cell, Column, Engine, GenerationStatus, Row, _result
from gentui.core.engine_state import EngineState
from gentui.core.views import CellKey, CellView, Changes, ColumnView, RowView

ROWS_KEYS = ("spreadsheet_rows", "rows")
COLUMNS_KEYS = ("spreadsheet_columns", "columns")
CELLS_KEYS = ("spreadsheet_cells", "cells")
JOB_KEYS = ("user_jobs", "generations", "default_user_job")

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

#: ("field", key, value, text hash) for the object's own fields; ("rows", key) when a rows array
#: starts; ("row", key, index, value, text hash, text length) for each of its items (value None:
#: the same text as `known` said).
Event = tuple[Any, ...]


def walk_engine(text: str, known: Callable[[int], tuple[int, int] | None] | None = None) -> Iterator[Event]:
    """The engine object's fields and rows, in document order; ValueError when it is not one JSON object.

    Accepts exactly what `json.loads` accepts for an object (same decoder, duplicate keys reported
    as they come: the caller decides what a duplicate means). `known(index)` may give the (length,
    hash) of the row at that index in the last read: when the text there is the same, the row is
    not decoded at all and its value comes as None (a complete JSON value's text ends where its
    own text ends, so the same text is the same row).
    """
    scan = _DECODER.raw_decode
    ws = cast("Callable[[str, int], re.Match[str]]", _WS.match)  # `[ \t\n\r]*` always matches
    i = ws(text, 0).end()
    if text[i : i + 1] != "{":
        raise ValueError("expected an object")
    i = ws(text, i + 1).end()
    if text[i : i + 1] == "}":
        i += 1
    else:
        while True:
            if text[i : i + 1] != '"':
                raise ValueError(f"expected a key at {i}")
            key, i = scan(text, i)
            i = ws(text, i).end()
            if text[i : i + 1] != ":":
                raise ValueError(f"expected ':' at {i}")
            i = ws(text, i + 1).end()
            if key in ROWS_KEYS and text[i : i + 1] == "[":
                yield ("rows", key)
                i = ws(text, i + 1).end()
                if text[i : i + 1] == "]":
                    i += 1
                else:
                    index = 0
                    while True:
                        start = i
                        guess = known(index) if known is not None else None
                        if guess is not None and text[start + guess[0] : start + guess[0] + 1] in (",", "]", " ", "\n", "\r", "\t") \
                                and hash(text[start : start + guess[0]]) == guess[1]:
                            i = start + guess[0]
                            yield ("row", key, index, None, guess[1], guess[0])
                        else:
                            value, i = scan(text, i)
                            yield ("row", key, index, value, hash(text[start:i]), i - start)
                        index += 1
                        i = ws(text, i).end()
                        sep = text[i : i + 1]
                        if sep == ",":
                            i = ws(text, i + 1).end()
                            continue
                        if sep == "]":
                            i += 1
                            break
                        raise ValueError(f"expected ',' or ']' at {i}")
            else:
                start = i
                value, i = scan(text, i)
                yield ("field", key, value, hash(text[start:i]) if key in COLUMNS_KEYS else 0)
            i = ws(text, i).end()
            sep = text[i : i + 1]
            if sep == ",":
                i = ws(text, i + 1).end()
                continue
            if sep == "}":
                i += 1
                break
            raise ValueError(f"expected ',' or '}}' at {i}")
    if ws(text, i).end() != len(text):
        raise ValueError("extra data after the object")


def first_set(data: dict, keys: tuple[str, ...]) -> Any:
    """The first non-null value among `keys` (the models' spelling rule)."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def _ts(data: dict, keys: tuple[str, str]) -> float | None:
    for key in keys:
        when = to_datetime(data.get(key))
        if when is not None:
            return when.timestamp()
    return None


def _opt_id_ok(value: Any) -> bool:
    """Whether `OptId` accepts the value."""
    if value is None or value == "":
        return True
    return isinstance(to_id(value), str)


def _opt_str(value: Any) -> str | None:
    return value if value is None or type(value) is str else to_opt_str(value)


_STATUS = {s.value: s.value for s in GenerationStatus}


def job_fields(data: Any) -> dict[str, Any] | None:
    """A generation dict read like `Generation.model_validate` (None where the model would refuse it).

    Returns the fields `gentui.core.engine_state` keeps: id, status, user_job_type, result, failed_reason,
    outputs [(url, object_type)], execution_cost, created_at / updated_at as epoch seconds.
    """
    if not isinstance(data, dict):
        return None
    get = data.get
    gid = get("id")
    if gid is None:
        gid = get("generation_id")
        if gid is None:
            gid = get("user_job_id")
    if type(gid) is not str:
        gid = to_id(gid)
        if not isinstance(gid, str):
            return None
    else:
        gid = gid.strip()
    outputs: list[tuple[str | None, str | None]] = []
    resources = get("output_resources")
    if resources and isinstance(resources, list):
        for item in resources:
            if not isinstance(item, dict) or not _opt_id_ok(item.get("id")):
                continue  # OutputResource refuses it; lenient_list drops it
            kind = (to_opt_str(item.get("object_type")) or "").strip().lower() or None
            outputs.append((_opt_str(item.get("url")), kind))
    status = get("status")
    status = _STATUS.get(status) if type(status) is str else None
    if status is None:
        status = GenerationStatus.parse(get("status")).value
    cost = get("execution_cost")
    reason = get("failed_reason")
    if reason is None:
        reason = get("error")
    result = get("result")
    return {
        "id": gid,
        "status": status,
        "user_job_type": _opt_str(get("user_job_type")),
        "result": result if result is None or type(result) in (str, dict, list) else _result(result),
        "failed_reason": _opt_str(reason),
        "outputs": outputs,
        "execution_cost": None if cost is None else to_cost(cost),
        "created_at": _ts(data, ("created_at", "created_at_ts")),
        "updated_at": _ts(data, ("updated_at", "updated_at_ts")),
    }


async def apply_engine_text(state: EngineState, text: str, *, slice_seconds: float = 0.008) -> Changes:
    """Take a whole engine as JSON text into `state`, a row at a time; report what differs from what it had.

    Same result as `state.apply_engine(Engine.model_validate(engine_object(json.loads(text))))`, but
    it yields to the event loop every `slice_seconds`, skips rows whose text is unchanged since
    the last read, never holds the whole decoded document, and validates only changed rows (with
    the same models; generations through `job_fields`). Shapes it does not stream (a wrapped
    engine, duplicate keys, rows before a different choice of columns) take the exact slow path.
    Raises ValueError (not JSON, not an engine) like `json.loads` / pydantic would; JSON nested too
    deeply to decode (``[[[...]]]`` 100,000 deep) is such a ValueError too, never a RecursionError.
    """
    try:
        return await _apply_engine_text(state, text, slice_seconds)
    except RecursionError:  # raised while decoding, before anything reached `state`
        raise ValueError("nested too deeply") from None


async def _apply_engine_text(state: EngineState, text: str, slice_seconds: float) -> Changes:
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
        if self.fallback or not self.state.has_text_rows:
            return None
        columns = self.columns()
        if columns is None or self.state.text_columns != columns.choice:
            return None
        entry = self.state.text_row_at(index)
        return (entry[0], entry[1]) if entry is not None else None

    def same_row(self, index: int, text_hash: int, length: int) -> None:
        """The row at `index` has the same text as last time: carry it over undecoded."""
        state = self.state
        entry = state.text_row_at(index)  # `known` gave it, and with it the columns
        columns = self.columns()
        row_id = entry[2] if entry is not None else ""
        cached = state.text_row(row_id)
        if entry is None or columns is None or row_id in self.seen_ids or cached is None or row_id not in state.rows:
            self.fallback = True  # cannot happen with a cache we built; the exact path decides
            return
        self.seen_ids.add(row_id)
        self.used = self.used or columns.choice
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
        views = [self.state.column_view(c, i) for i, c in enumerate(models)]
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
        if isinstance(row_id, str) and row_id not in self.seen_ids and state.text_columns == columns.choice:
            cached = state.text_row(row_id)
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
            ((row.id, cell.column_id or ""), state.cell_view(row.id, cell, columns.by_id.get(cell.column_id or ""), raw))
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
        state.take_header(engine, changes)
        ordered = sorted(stages, key=lambda st: (st.position if st.position is not None else st.index, st.index))
        new_rows: dict[str, RowView] = {}
        seen: set[CellKey] = set()
        for index, stage in enumerate(ordered):
            if stage.views is None:
                seen.update((stage.id, c) for c in stage.column_ids)
            else:
                for key, view in stage.views:
                    seen.add(key)
                    state.take_cell(key, view, changes)
            position = stage.position if stage.position is not None else index
            state.take_row(new_rows, RowView(stage.id, position, stage.column_ids), changes)
        state.finish_rows(new_rows, seen, changes)
        state.remember_text_read(
            {st.id: (st.text_hash, st.position, st.column_ids) for st in stages},
            {st.raw_index: (st.length, st.text_hash, st.id) for st in stages},
            columns.choice if columns is not None else None,
        )
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
