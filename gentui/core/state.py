"""The engine as gentui keeps it: a compact, diffable view of columns, rows and cells.

The poller feeds it engines and generations; every `apply_*` returns exactly which cells changed
(keys are `(row_id, column_id)`), so the UI patches those cells and nothing else.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from pydantic import ValidationError as PydanticValidationError

from gentui.api import vocab
from gentui.api.coerce import lenient_list, to_id
from gentui.api.models import Cell, Column, Engine, Generation, GenerationStatus, Row
from gentui.api.wire import engine_object
from gentui.core.card import Card, resolve_card
from gentui.core.engine_text import CELLS_KEYS, COLUMNS_KEYS, JOB_KEYS, ROWS_KEYS, first_set, job_fields, walk_engine
from gentui.core.text import one_line, safe_text

CellKey = tuple[str, str]

IDLE = "idle"
STATUSES = ("idle", "pending", "processing", "completed", "failed", "stopped", "unknown")
HISTORY_CAP = 50  # history entries kept per cell in the compact state
VALUE_CAP = 100_000  # characters of a cell's value kept for the value editor


@dataclass(frozen=True, slots=True)
class JobView:
    """One generation of a cell, compact."""

    id: str
    status: str
    user_job_type: str | None
    created_at: float | None
    finished_at: float | None = None
    execution_cost: Decimal | None = None
    failed_reason: str = ""
    result: str = ""
    urls: tuple[str, ...] = ()
    output_kind: str = ""
    seen_at: float | None = field(default=None, compare=False)

    @property
    def started_at(self) -> float | None:
        """The server's creation time, else when this client first saw the job."""
        return self.created_at if self.created_at is not None else self.seen_at

    @property
    def in_flight(self) -> bool:
        return self.status in ("pending", "processing")

    @property
    def canonical_type(self) -> str:
        return vocab.canonical_type(self.user_job_type)


@dataclass(frozen=True)
class ColumnView:
    id: str
    title: str
    type: str | None
    role: str | None
    generation_type: str
    position: int
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def label(self) -> str:
        return vocab.TYPE_LABELS.get(self.generation_type, self.generation_type)


@dataclass(frozen=True)
class CellView:
    row_id: str
    column_id: str
    cell_id: str
    value: str
    status: str
    model: str | None
    generation_type: str
    jobs: tuple[JobView, ...] = ()
    displayed_id: str | None = None
    attributes: Mapping[str, Any] = field(default_factory=dict, compare=False, hash=False)
    role: str | None = None
    full_value: str = field(default="", repr=False)

    @property
    def key(self) -> CellKey:
        return (self.row_id, self.column_id)

    @property
    def latest(self) -> JobView | None:
        return self.jobs[0] if self.jobs else None

    @property
    def displayed(self) -> JobView | None:
        for job in self.jobs:
            if job.id == self.displayed_id:
                return job
        return next((j for j in self.jobs if j.status == "completed"), None)

    @property
    def in_flight(self) -> list[JobView]:
        return [j for j in self.jobs if j.in_flight]

    @property
    def output_kind(self) -> str:
        shown = self.displayed
        return shown.output_kind if shown else ""


@dataclass(frozen=True)
class RowView:
    id: str
    position: int
    column_ids: tuple[str, ...]


@dataclass
class Changes:
    """What one update changed."""

    cells: set[CellKey] = field(default_factory=set)
    rows_added: list[str] = field(default_factory=list)
    rows_removed: list[str] = field(default_factory=list)
    columns_changed: bool = False
    terminal: list[tuple[CellKey, JobView]] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.cells or self.rows_added or self.rows_removed or self.columns_changed)


def _ts(value: Any) -> float | None:
    return value.timestamp() if value is not None else None


_TERMINAL = ("completed", "failed", "stopped")
_intern = sys.intern


def generation_fields(gen: Generation) -> dict[str, Any]:
    """The fields of a validated generation that the compact state keeps (as `job_fields` reads raw JSON)."""
    status = gen.status.value if isinstance(gen.status, GenerationStatus) else str(gen.status)
    return {
        "id": gen.id,
        "status": status,
        "user_job_type": gen.user_job_type,
        "result": gen.result,
        "failed_reason": gen.failed_reason,
        "outputs": [(o.url, o.object_type) for o in gen.output_resources or []],
        "execution_cost": gen.execution_cost,
        "created_at": _ts(gen.created_at),
        "updated_at": _ts(gen.updated_at),
    }


def _safe(value: Any, limit: int) -> str:
    """`safe_text`, with a shortcut for the common short printable string (same result)."""
    if type(value) is str and len(value) <= limit and value.isprintable():
        return value
    return safe_text(value, limit)


def make_job(f: dict[str, Any], first_seen: float | None = None) -> JobView:
    """A JobView from `generation_fields` / `job_fields` output: the one place the display rules live."""
    outputs = f["outputs"]
    result = f["result"]
    if outputs:
        urls = tuple(_safe(url, 500) for url, _ in outputs if url)[:8]
        kind = next((k for _, k in outputs if k), None) or ("text" if result else "")
    else:
        urls, kind = (), "text" if result else ""
    if isinstance(result, (dict, list)):
        captions = result.get("captions") if isinstance(result, dict) else None
        if isinstance(captions, list):
            words = [str(w.get("word", "")) for w in captions[:200] if isinstance(w, dict)]
            result = " ".join(words)
            kind = "captions"
        else:
            result = str(result)
    status = f["status"]
    finished = f["updated_at"] if status in _TERMINAL else None
    job_type = _safe(f["user_job_type"], 80)
    reason = f["failed_reason"]
    return JobView(
        f["id"],
        _intern(status),
        _intern(job_type) if job_type else None,
        f["created_at"],
        finished,
        f["execution_cost"],
        _safe(reason, 1000) if reason else "",
        _safe(result, 4000) if result else "",
        urls,
        _intern(_safe(kind, 20)) if kind else "",
        first_seen,
    )


def job_view(gen: Generation, first_seen: float | None = None) -> JobView:
    return make_job(generation_fields(gen), first_seen)


def _sort_key(job: JobView) -> tuple[float, int, str]:
    """Server time first; a job the server has not dated yet (just created here) is the newest."""
    num = int(job.id) if job.id.isdigit() else 0
    return (job.created_at if job.created_at is not None else float("inf"), num, job.id)


def sort_jobs(jobs: Iterable[JobView]) -> tuple[JobView, ...]:
    """Newest first (created time, then numeric id), capped."""
    return tuple(sorted(jobs, key=_sort_key, reverse=True)[:HISTORY_CAP])


class EngineState:
    """The engine shown on screen, updated by diff."""

    def __init__(self, engine_id: str, *, clock: Any = None) -> None:
        import time

        self.engine_id = engine_id
        self.title = ""
        self.columns: list[ColumnView] = []
        self.rows: dict[str, RowView] = {}
        self.cells: dict[CellKey, CellView] = {}
        self.by_generation: dict[str, CellKey] = {}
        self.by_cell_id: dict[str, CellKey] = {}
        self.local_cards: dict[str, Card] = {}  # cell_id -> last card sent from here
        self.global_variables: dict[str, str] = {}
        self.loaded = False
        self._clock = clock or time.time
        self._first_seen: dict[str, float] = {}  # generation id -> first seen here (undated jobs only)
        self._flying: set[CellKey] = set()  # cells with a generation in flight
        # engine text reads: row id -> (hash of the row's text, its position, its column ids), and
        # the hash of the columns' text they were read with (None: read every row next time)
        self._row_cache: dict[str, tuple[int, int | None, tuple[str, ...]]] = {}
        self._columns_hash: int | None = None
        self._row_index: dict[int, tuple[int, int, str]] = {}  # rows array index -> (text length, hash, row id)
        self.engine_chars = 0  # size of the last engine answer read as text
        self.read_seconds = 0.0  # CPU time the last engine read took (time spent yielded not counted)

    # --- lookups -----------------------------------------------------------------------------
    def column(self, column_id: str) -> ColumnView | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def cell_by_id(self, cell_id: str) -> CellView | None:
        key = self.by_cell_id.get(cell_id)
        return self.cells.get(key) if key else None

    def row_ids(self) -> list[str]:
        return list(self.rows)

    def in_flight(self) -> list[tuple[CellKey, JobView]]:
        """Every generation in flight, in the engine's cell order (an index keeps this cheap)."""
        flying, cells = self._flying, self.cells
        if not flying:
            return []
        return [(key, job) for key in cells if key in flying for job in cells[key].jobs if job.in_flight]

    def counts(self) -> Counter[str]:
        return Counter(cell.status for cell in self.cells.values())

    def card(self, key: CellKey) -> Card:
        cell = self.cells[key]
        column = self.column(cell.column_id)
        latest = cell.latest
        return resolve_card(
            cell_attributes=cell.attributes,
            column_attributes=column.attributes if column else None,
            latest_user_job_type=latest.user_job_type if latest else None,
            column_type=column.type if column else None,
            local_card=self.local_cards.get(cell.cell_id),
        )

    # --- updates -----------------------------------------------------------------------------
    def apply_engine(self, engine: Engine) -> Changes:
        """Take a whole engine; report what differs from what we had."""
        changes = Changes()
        self.title = one_line(engine.title, 200)
        self.global_variables = dict(engine.global_variables or {})
        columns = [self._column_view(c, i) for i, c in enumerate(engine.columns)]
        columns.sort(key=lambda c: c.position)
        if [(c.id, c.title, c.generation_type) for c in columns] != [
            (c.id, c.title, c.generation_type) for c in self.columns
        ]:
            changes.columns_changed = True
        self.columns = columns
        by_col = {c.id: c for c in columns}
        rows = sorted(enumerate(engine.rows), key=lambda p: (p[1].position if p[1].position is not None else p[0], p[0]))
        new_rows: dict[str, RowView] = {}
        seen: set[CellKey] = set()
        for index, (_, row) in enumerate(rows):
            col_ids = []
            for cell in row.cells:
                col_id = cell.column_id or ""
                key = (row.id, col_id)
                seen.add(key)
                col_ids.append(col_id)
                view = self._cell_view(row.id, cell, by_col.get(col_id))
                old = self.cells.get(key)
                if old != view:
                    changes.cells.add(key)
                    self._note_terminal(old, view, changes)
                self._put(key, view)
                self.by_cell_id[cell.id] = key
                for job in view.jobs:
                    self.by_generation[job.id] = key
            new_rows[row.id] = RowView(row.id, row.position if row.position is not None else index, tuple(col_ids))
            if row.id not in self.rows:
                changes.rows_added.append(row.id)
        changes.rows_removed = [r for r in self.rows if r not in new_rows]
        for key in [k for k in self.cells if k not in seen]:
            self._drop(key)
        self.rows = new_rows
        self.loaded = True
        self._row_cache, self._columns_hash, self._row_index = {}, None, {}  # the next text read reads every row
        return changes

    async def apply_engine_text(self, text: str, *, slice_seconds: float = 0.008) -> Changes:
        """Take a whole engine as JSON text, a row at a time; report what differs from what we had.

        Same result as `apply_engine(Engine.model_validate(engine_object(json.loads(text))))`, but
        it yields to the event loop every `slice_seconds`, skips rows whose text is unchanged since
        the last read, never holds the whole decoded document, and validates only changed rows (with
        the same models; generations through `job_fields`). Shapes it does not stream (a wrapped
        engine, duplicate keys, rows before a different choice of columns) take the exact slow path.
        Raises ValueError (not JSON, not an engine) like `json.loads` / pydantic would.
        """
        reader = _EngineTextReader(self)
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
            changes = self.apply_engine(Engine.model_validate(engine_object(json.loads(text))))
        self.read_seconds = busy + reader.busy + clock() - started
        self.engine_chars = len(text)
        return changes

    def apply_cell(self, row_id: str, cell: Cell) -> Changes:
        """Take one cell (GET cell answer), e.g. for the detail's full history."""
        changes = Changes()
        known = self.by_cell_id.get(cell.id)
        key = known or (row_id, cell.column_id or "")
        old = self.cells.get(key)
        if old is not None and not cell.column_id:
            cell = cell.model_copy(update={"column_id": old.column_id})
        view = self._cell_view(row_id, cell, self.column(key[1]))
        if old != view:
            changes.cells.add(key)
            self._note_terminal(old, view, changes)
        self._put(key, view)
        for job in view.jobs:
            self.by_generation[job.id] = key
        return changes

    def apply_generation(self, gen: Generation, key: CellKey | None = None) -> Changes:
        """Take one generation (GET generation, generate, stop or continue answer)."""
        changes = Changes()
        key = key or self.by_generation.get(gen.id)
        if key is None or key not in self.cells:
            return changes
        self.by_generation[gen.id] = key
        old = self.cells[key]
        previous = next((j for j in old.jobs if j.id == gen.id), None)
        job = job_view(gen, None if gen.created_at is not None else self._seen(gen.id))
        if previous is not None:
            job = _merge(previous, job)
        jobs = sort_jobs([job, *[j for j in old.jobs if j.id != gen.id]])
        view = replace(old, jobs=jobs, status=_cell_status(jobs))
        if job.status == "completed" and (old.displayed_id is None or _newer(job, old.displayed)):
            view = replace(view, displayed_id=job.id)
            if job.output_kind == "text" and job.result:
                view = replace(view, value=one_line(job.result, 200))
        if view != old:
            changes.cells.add(key)
            self._note_terminal(old, view, changes)
            self._put(key, view)
        return changes

    def add_pending(self, key: CellKey, generation_id: str, generation_type: str, status: str = "pending") -> Changes:
        """A generation we just created: show it at once, before the first poll."""
        wire = vocab.internal_type(generation_type, None) if generation_type != vocab.RENDER else "render"
        gen = Generation.model_validate(
            {"id": generation_id, "status": status, "user_job_type": wire}
        )
        self._first_seen.setdefault(generation_id, self._clock())
        return self.apply_generation(gen, key)

    def set_displayed(self, key: CellKey, generation_id: str) -> Changes:
        old = self.cells[key]
        if old.displayed_id == generation_id:
            return Changes()
        self._put(key, replace(old, displayed_id=generation_id))
        return Changes(cells={key})

    # --- helpers -----------------------------------------------------------------------------
    def _put(self, key: CellKey, view: CellView) -> None:
        self.cells[key] = view
        if any(job.in_flight for job in view.jobs):
            self._flying.add(key)
        else:
            self._flying.discard(key)

    def _drop(self, key: CellKey) -> None:
        self._flying.discard(key)
        self.by_cell_id.pop(self.cells.pop(key).cell_id, None)

    def _seen(self, gen_id: str) -> float:
        return self._first_seen.setdefault(gen_id, self._clock())

    def _column_view(self, column: Column, index: int) -> ColumnView:
        attrs = dict(column.additional_attributes or {})
        gt = vocab.canonical_type(attrs.get("generation_type")) if attrs.get("generation_type") else vocab.UNKNOWN
        if gt == vocab.UNKNOWN:
            role = (column.column_role or "").lower()
            if role == "final_video":
                gt = vocab.RENDER
            else:
                gt = vocab.COLUMN_TYPE_DEFAULT.get((column.type or "").lower(), vocab.UNKNOWN)
        return ColumnView(
            id=column.id,
            title=one_line(column.title, 60) or f"column {index + 1}",
            type=column.type,
            role=column.column_role,
            generation_type=gt,
            position=column.position if column.position is not None else index,
            attributes=attrs,
        )

    def _cell_view(
        self,
        row_id: str,
        cell: Cell,
        column: ColumnView | None,
        raw_jobs: tuple[list[dict[str, Any]], dict[str, Any] | None] | None = None,
    ) -> CellView:
        """The view of one validated cell; `raw_jobs` (its user_jobs and default_user_job, read by
        `job_fields`) stand in for the cell's own when the engine was read as text."""
        jobs_by_id: dict[str, JobView] = {}
        if raw_jobs is None:
            fields = [generation_fields(g) for g in cell.user_jobs or []]
            default = generation_fields(cell.default_user_job) if cell.default_user_job else None
        else:
            fields, default = raw_jobs
        for f in [*fields, *([default] if default else [])]:
            if f["id"] not in jobs_by_id:
                seen = None if f["created_at"] is not None else self._seen(f["id"])
                jobs_by_id[f["id"]] = make_job(f, seen)
        old = self.cells.get((row_id, cell.column_id or ""))
        if old is not None:  # keep what polls learnt about jobs the engine payload shows more thinly
            for job in old.jobs:
                if job.id in jobs_by_id:
                    jobs_by_id[job.id] = _merge(job, jobs_by_id[job.id])
        jobs = sort_jobs(jobs_by_id.values())
        displayed = cell.user_job_id or (default["id"] if default else None)
        attrs = dict(cell.additional_attributes or {})
        local = self.local_cards.get(cell.id)
        model = (local.model if local else None) or attrs.get("model") or attrs.get("lipSyncModel")
        if not model and column is not None:
            model = column.attributes.get("model")
        gt = column.generation_type if column else vocab.UNKNOWN
        if gt == vocab.UNKNOWN and jobs:
            gt = jobs[0].canonical_type
        return CellView(
            row_id=row_id,
            column_id=cell.column_id or "",
            cell_id=cell.id,
            value=one_line(cell.value, 200),
            status=_cell_status(jobs),
            model=one_line(vocab.canonical_model(str(model)), 40) if model else None,
            generation_type=gt,
            jobs=jobs,
            displayed_id=displayed,
            attributes=attrs,
            role=cell.cell_role,
            full_value=(cell.value or "")[:VALUE_CAP],
        )

    def _note_terminal(self, old: CellView | None, new: CellView, changes: Changes) -> None:
        if old is None:
            return
        before = {j.id: j.status for j in old.jobs}
        for job in new.jobs:
            if job.status in ("completed", "failed", "stopped") and before.get(job.id) in ("pending", "processing"):
                changes.terminal.append((new.key, job))


def _merge(old: JobView, new: JobView) -> JobView:
    """Keep fields the newer (possibly thinner) answer lacks."""
    return replace(
        new,
        created_at=new.created_at if new.created_at is not None else old.created_at,
        seen_at=old.seen_at or new.seen_at,
        user_job_type=new.user_job_type or old.user_job_type,
        execution_cost=new.execution_cost if new.execution_cost is not None else old.execution_cost,
        failed_reason=new.failed_reason or old.failed_reason,
        result=new.result or old.result,
        urls=new.urls or old.urls,
        output_kind=new.output_kind or old.output_kind,
        finished_at=new.finished_at or old.finished_at,
    )


def _newer(job: JobView, other: JobView | None) -> bool:
    return other is None or _sort_key(job) > _sort_key(other)


def _cell_status(jobs: tuple[JobView, ...]) -> str:
    if not jobs:
        return IDLE
    status = jobs[0].status
    return status if status in STATUSES else "unknown"


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
        state.title = one_line(engine.title, 200)
        state.global_variables = dict(engine.global_variables or {})
        views = [state._column_view(c, i) for i, c in enumerate(engine.columns)]
        views.sort(key=lambda c: c.position)
        if [(c.id, c.title, c.generation_type) for c in views] != [
            (c.id, c.title, c.generation_type) for c in state.columns
        ]:
            changes.columns_changed = True
        state.columns = views
        ordered = sorted(stages, key=lambda st: (st.position if st.position is not None else st.index, st.index))
        new_rows: dict[str, RowView] = {}
        seen: set[CellKey] = set()
        for index, stage in enumerate(ordered):
            if stage.views is None:
                seen.update((stage.id, c) for c in stage.column_ids)
            else:
                for key, view in stage.views:
                    seen.add(key)
                    old = state.cells.get(key)
                    if old != view:
                        changes.cells.add(key)
                        state._note_terminal(old, view, changes)
                    state._put(key, view)
                    state.by_cell_id[view.cell_id] = key
                    for job in view.jobs:
                        state.by_generation[job.id] = key
            position = stage.position if stage.position is not None else index
            new_rows[stage.id] = RowView(stage.id, position, stage.column_ids)
            if stage.id not in state.rows:
                changes.rows_added.append(stage.id)
        changes.rows_removed = [r for r in state.rows if r not in new_rows]
        for key in [k for k in state.cells if k not in seen]:
            state._drop(key)
        state.rows = new_rows
        state.loaded = True
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
