"""The engine as gentui keeps it: a compact, diffable view of columns, rows and cells.

The poller feeds it engines and generations; every `apply_*` returns exactly which cells changed
(keys are `(row_id, column_id)`), so the UI patches those cells and nothing else.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from gentui.api import vocab
from gentui.api.models import Cell, Column, Engine, Generation, GenerationStatus
from gentui.core.card import Card, resolve_card
from gentui.core.text import one_line, safe_text

CellKey = tuple[str, str]

IDLE = "idle"
STATUSES = ("idle", "pending", "processing", "completed", "failed", "stopped", "unknown")
HISTORY_CAP = 50  # history entries kept per cell in the compact state
VALUE_CAP = 100_000  # characters of a cell's value kept for the value editor


@dataclass(frozen=True)
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


def job_view(gen: Generation, first_seen: float | None = None) -> JobView:
    outputs = gen.output_resources or []
    urls = tuple(safe_text(o.url, 500) for o in outputs if o.url)[:8]
    kind = next((o.object_type for o in outputs if o.object_type), None) or ("text" if gen.result else "")
    result = gen.result
    if isinstance(result, (dict, list)):
        captions = result.get("captions") if isinstance(result, dict) else None
        if isinstance(captions, list):
            words = [str(w.get("word", "")) for w in captions[:200] if isinstance(w, dict)]
            result = " ".join(words)
            kind = "captions"
        else:
            result = str(result)
    status = gen.status.value if isinstance(gen.status, GenerationStatus) else str(gen.status)
    created = _ts(gen.created_at)
    finished = _ts(gen.updated_at) if status in ("completed", "failed", "stopped") else None
    return JobView(
        id=gen.id,
        status=status,
        user_job_type=safe_text(gen.user_job_type, 80) or None,
        created_at=created,
        finished_at=finished,
        execution_cost=gen.execution_cost,
        failed_reason=safe_text(gen.failed_reason, 1000),
        result=safe_text(result, 4000),
        urls=urls,
        output_kind=safe_text(kind, 20),
        seen_at=first_seen,
    )


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
        self._first_seen: dict[str, float] = {}

    # --- lookups -----------------------------------------------------------------------------
    def column(self, column_id: str) -> ColumnView | None:
        return next((c for c in self.columns if c.id == column_id), None)

    def cell_by_id(self, cell_id: str) -> CellView | None:
        key = self.by_cell_id.get(cell_id)
        return self.cells.get(key) if key else None

    def row_ids(self) -> list[str]:
        return list(self.rows)

    def in_flight(self) -> list[tuple[CellKey, JobView]]:
        return [(key, job) for key, cell in self.cells.items() for job in cell.jobs if job.in_flight]

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
                self.cells[key] = view
                self.by_cell_id[cell.id] = key
                for job in view.jobs:
                    self.by_generation[job.id] = key
            new_rows[row.id] = RowView(row.id, row.position if row.position is not None else index, tuple(col_ids))
            if row.id not in self.rows:
                changes.rows_added.append(row.id)
        changes.rows_removed = [r for r in self.rows if r not in new_rows]
        for key in [k for k in self.cells if k not in seen]:
            self.by_cell_id.pop(self.cells.pop(key).cell_id, None)
        self.rows = new_rows
        self.loaded = True
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
        self.cells[key] = view
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
        job = job_view(gen, self._seen(gen.id))
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
            self.cells[key] = view
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
        self.cells[key] = replace(old, displayed_id=generation_id)
        return Changes(cells={key})

    # --- helpers -----------------------------------------------------------------------------
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

    def _cell_view(self, row_id: str, cell: Cell, column: ColumnView | None) -> CellView:
        jobs_by_id: dict[str, JobView] = {}
        for gen in [*(cell.user_jobs or []), *([cell.default_user_job] if cell.default_user_job else [])]:
            if gen.id not in jobs_by_id:
                jobs_by_id[gen.id] = job_view(gen, self._seen(gen.id))
        old = self.cells.get((row_id, cell.column_id or ""))
        if old is not None:  # keep what polls learnt about jobs the engine payload shows more thinly
            for job in old.jobs:
                if job.id in jobs_by_id:
                    jobs_by_id[job.id] = _merge(job, jobs_by_id[job.id])
        jobs = sort_jobs(jobs_by_id.values())
        displayed = cell.user_job_id or (cell.default_user_job.id if cell.default_user_job else None)
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
