"""The compact views gentui keeps of an engine's parts: jobs (generations), columns, cells, rows.

Frozen and slotted, compared by value, so a poll's changes are found by `!=`; built from the API
models (or from raw generation fields, see `gentui.core.engine_json.job_fields`) with every string
made safe and cut to size here, before anything reaches a widget.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gentui.api import vocab
from gentui.api.models import Generation, GenerationStatus
from gentui.core.text import safe_text

CellKey = tuple[str, str]

IDLE = vocab.IDLE
STATUSES = vocab.CELL_STATUSES
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
        return vocab.is_in_flight(self.status)

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
        return next((j for j in self.jobs if j.status == vocab.COMPLETED), None)

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


_TERMINAL = vocab.TERMINAL_STATUSES
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


def job_order(job: JobView) -> tuple[float, int, str]:
    """Server time first; a job the server has not dated yet (just created here) is the newest."""
    num = int(job.id) if job.id.isdigit() else 0
    return (job.created_at if job.created_at is not None else float("inf"), num, job.id)


def sort_jobs(jobs: Iterable[JobView]) -> tuple[JobView, ...]:
    """Newest first (created time, then numeric id), capped."""
    return tuple(sorted(jobs, key=job_order, reverse=True)[:HISTORY_CAP])
