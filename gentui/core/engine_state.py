"""The engine as gentui keeps it: a compact, diffable view of columns, rows and cells.

The poller feeds it engines and generations; every `apply_*` returns exactly which cells changed
(keys are `(row_id, column_id)`), so the UI patches those cells and nothing else.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import replace
from typing import Any

from gentui.api import vocab
from gentui.api.models import Cell, Column, Engine, Generation
from gentui.core.card import Card, resolve_card
from gentui.core.text import one_line
from gentui.core.views import (
    IDLE,
    STATUSES,
    VALUE_CAP,
    CellKey,
    CellView,
    Changes,
    ColumnView,
    JobView,
    RowView,
    generation_fields,
    job_order,
    job_view,
    make_job,
    sort_jobs,
)


class EngineState:
    """The engine shown on screen, updated by diff."""

    def __init__(self, engine_id: str, *, clock: Any = None) -> None:
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
        self._columns_hash: tuple[str, int] | None = None  # (wire key, hash)
        self._row_index: dict[int, tuple[int, int, str]] = {}  # rows array index -> (text length, hash, row id)
        self.engine_chars = 0  # size of the last engine answer read as text
        self.read_seconds = 0.0  # CPU time the last engine read took (time spent yielded not counted)
        #: bumped by every change to a cell or the columns: figures derived from the whole engine are kept by it
        self.revision = 0
        self._counts: tuple[int, Counter[str]] | None = None

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
        """Cells per status (worked out once per revision: the header asks on every change)."""
        if self._counts is None or self._counts[0] != self.revision:
            self._counts = (self.revision, Counter(cell.status for cell in self.cells.values()))
        return Counter(self._counts[1])

    def card(self, key: CellKey) -> Card:
        cell = self.cells[key]
        column = self.column(cell.column_id)
        if column is not None and column.generation_type == vocab.RENDER:  # final video: rendered, no card
            return Card(vocab.RENDER, {}, "column", "none")
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
        by_col = self.take_header(engine, changes)
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
                self.take_cell(key, self.cell_view(row.id, cell, by_col.get(col_id)), changes)
            position = row.position if row.position is not None else index
            self.take_row(new_rows, RowView(row.id, position, tuple(col_ids)), changes)
        self.finish_rows(new_rows, seen, changes)
        self._row_cache, self._columns_hash, self._row_index = {}, None, {}  # the next text read reads every row
        return changes

    def take_header(self, engine: Engine, changes: Changes) -> dict[str, ColumnView]:
        """Title, variables and columns of a whole engine; the columns by id."""
        self.title = one_line(engine.title, 200)
        self.global_variables = dict(engine.global_variables or {})
        columns = [self.column_view(c, i) for i, c in enumerate(engine.columns)]
        columns.sort(key=lambda c: c.position)
        if [(c.id, c.title, c.generation_type) for c in columns] != [
            (c.id, c.title, c.generation_type) for c in self.columns
        ]:
            changes.columns_changed = True
        self.columns = columns
        self.revision += 1
        return {c.id: c for c in columns}

    def take_cell(self, key: CellKey, view: CellView, changes: Changes) -> None:
        """Put one cell's view of a whole engine in place, noting it in `changes` when it differs."""
        old = self.cells.get(key)
        if old != view:
            changes.cells.add(key)
            self._note_terminal(old, view, changes)
        self._put(key, view)
        self.by_cell_id[view.cell_id] = key
        for job in view.jobs:
            self.by_generation[job.id] = key

    def take_row(self, new_rows: dict[str, RowView], row: RowView, changes: Changes) -> None:
        """Add one row of a whole engine to `new_rows`, noting it in `changes` when it is new."""
        new_rows[row.id] = row
        if row.id not in self.rows:
            changes.rows_added.append(row.id)

    def finish_rows(self, new_rows: dict[str, RowView], seen: set[CellKey], changes: Changes) -> None:
        """Rows and cells the whole engine no longer has are dropped."""
        changes.rows_removed = [r for r in self.rows if r not in new_rows]
        for key in [k for k in self.cells if k not in seen]:
            self._drop(key)
        self.rows = new_rows
        self.loaded = True

    # --- what the last read of an engine as JSON text saw (rows it may carry over next time) ----
    @property
    def text_columns(self) -> tuple[str, int] | None:
        """(wire key, text hash) of the columns the last text read used; None: read every row next time."""
        return self._columns_hash

    @property
    def has_text_rows(self) -> bool:
        """Whether the last text read left rows that the next one may carry over by array index."""
        return bool(self._row_index)

    def text_row(self, row_id: str) -> tuple[int, int | None, tuple[str, ...]] | None:
        """(text hash, position, column ids) of a row as the last text read saw it, if it did."""
        return self._row_cache.get(row_id)

    def text_row_at(self, index: int) -> tuple[int, int, str] | None:
        """(text length, text hash, row id) of the item at `index` of the last text read's rows array."""
        return self._row_index.get(index)

    def remember_text_read(
        self,
        rows: dict[str, tuple[int, int | None, tuple[str, ...]]],
        index: dict[int, tuple[int, int, str]],
        columns: tuple[str, int] | None,
    ) -> None:
        """Keep what a text read saw (see `text_row`, `text_row_at`, `text_columns`) for the next one."""
        self._row_cache, self._row_index, self._columns_hash = rows, index, columns

    def apply_cell(self, row_id: str, cell: Cell) -> Changes:
        """Take one cell (GET cell answer), e.g. for the detail's full history."""
        changes = Changes()
        known = self.by_cell_id.get(cell.id)
        key = known or (row_id, cell.column_id or "")
        old = self.cells.get(key)
        if old is not None and not cell.column_id:
            cell = cell.model_copy(update={"column_id": old.column_id})
        view = self.cell_view(row_id, cell, self.column(key[1]))
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
        if job.status == vocab.COMPLETED and (old.displayed_id is None or _newer(job, old.displayed)):
            view = replace(view, displayed_id=job.id)
            if job.output_kind == "text" and job.result:
                view = replace(view, value=one_line(job.result, 200))
        if view != old:
            changes.cells.add(key)
            self._note_terminal(old, view, changes)
            self._put(key, view)
        return changes

    def add_pending(self, key: CellKey, generation_id: str, generation_type: str, status: str = vocab.PENDING) -> Changes:
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
        self.revision += 1
        if any(job.in_flight for job in view.jobs):
            self._flying.add(key)
        else:
            self._flying.discard(key)

    def _drop(self, key: CellKey) -> None:
        self.revision += 1
        self._flying.discard(key)
        self.by_cell_id.pop(self.cells.pop(key).cell_id, None)

    def _seen(self, gen_id: str) -> float:
        return self._first_seen.setdefault(gen_id, self._clock())

    def column_view(self, column: Column, index: int) -> ColumnView:
        """The view of one validated column, `index` being its place among the engine's columns."""
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

    def cell_view(
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
            if vocab.is_terminal(job.status) and vocab.is_in_flight(before.get(job.id, "")):
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
    return other is None or job_order(job) > job_order(other)


def _cell_status(jobs: tuple[JobView, ...]) -> str:
    if not jobs:
        return IDLE
    status = jobs[0].status
    return status if status in STATUSES else "unknown"
