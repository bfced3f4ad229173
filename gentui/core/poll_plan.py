"""The poller's plan: when each generation in flight, the engine and the selected cell are next read.

Pure bookkeeping on a monotonic clock (no I/O): `gentui.core.poller` does the reading. Generation
checks follow `gentui.core.schedule` (windows learnt from the durations this session saw); the
engine re-read that finds outside work is paced by its measured cost (`WireCost.pace`) against the
share of the budget given to discovery, and by the CPU its reading took.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING

from gentui.api import vocab
from gentui.core.engine_state import EngineState
from gentui.core.schedule import Durations, next_check
from gentui.core.views import CellKey, Changes, JobView
from gentui.core.wire_cost import ENGINE, GENERATION, WireCost

if TYPE_CHECKING:
    from gentui.core.poller import PollPolicy

MAX_DISCOVERY_GAP = 600.0  # the engine is re-read at least this often while anything is watched


class Plan:
    """Due times (monotonic) per generation id, the engine's and the focused cell's next reads."""

    def __init__(self, policy: PollPolicy, cost: WireCost, wall: Callable[[], float]) -> None:
        self.policy = policy
        self.cadence = policy.cadence()
        self.cost = cost
        self.wall = wall  # the session's clock: generations' ages are counted from the server's times
        self.durations = Durations()
        self.due: dict[str, float] = {}
        self.engine_due = 0.0
        self.engine_at: float | None = None  # when the engine was last read (monotonic)
        self.engine_ready = 0.0  # no engine read for due generations before this (read CPU pacing)
        self.forced = False  # a manual refresh asked for the engine: read it whatever the budget says
        self.focus: CellKey | None = None
        self.focus_due = 0.0
        self._history_of: str | None = None  # the engine whose past generations were learnt from

    # --- learning ------------------------------------------------------------------------------------
    def learn(self, changes: Changes, models: Mapping[str, str]) -> None:
        """Durations of the generations that just ended (creation to end, the server's own times)."""
        for _, job in changes.terminal:
            if job.status == vocab.COMPLETED and job.created_at is not None and job.finished_at is not None:
                self.durations.observe(job.canonical_type, models.get(job.id), job.finished_at - job.created_at)

    def learn_history(self, state: EngineState) -> int:
        """Durations of the engine's past generations, once per engine: what this server took before.

        Fed oldest first, so where a type has more than `schedule.KEEP` the newest are the ones kept.
        Returns how many were learnt (0 when this engine's history was already read).
        """
        if self._history_of == state.engine_id or not state.loaded:
            return 0
        self._history_of = state.engine_id
        past = [(job.finished_at, job.canonical_type, job.finished_at - job.created_at)
                for cell in state.cells.values() for job in cell.jobs
                if job.status == vocab.COMPLETED and job.created_at is not None and job.finished_at is not None]
        past.sort(key=lambda item: item[0])
        for _, kind, seconds in past:
            self.durations.observe(kind, None, seconds)
        return len(past)

    # --- generations ---------------------------------------------------------------------------------
    def kind_of(self, state: EngineState, key: CellKey, job: JobView) -> str:
        column = state.column(key[1])
        kind = job.canonical_type
        return column.generation_type if column is not None and kind == vocab.UNKNOWN else kind

    def check_in(self, state: EngineState, key: CellKey, job: JobView, models: Mapping[str, str]) -> float:
        """Seconds from now until this generation should be read again."""
        kind = self.kind_of(state, key, job)
        started = job.started_at
        age = max(0.0, self.wall() - started) if started else 0.0
        window = self.durations.window(kind, models.get(job.id))
        return next_check(age, window, self.cadence.dense(kind), self.cadence.sparse)

    def reschedule(self, state: EngineState, now: float, models: Mapping[str, str], *, fresh: bool = False) -> None:
        """Next check of each generation in flight; `fresh`: all were just observed (an engine read)."""
        keep: dict[str, float] = {}
        for key, job in state.in_flight():
            previous = None if fresh else self.due.get(job.id)
            # not just observed: it keeps its due time, late or not (a budget-held check stays due)
            keep[job.id] = previous if previous is not None else now + self.check_in(state, key, job, models)
        self.due = keep

    def due_generations(self, state: EngineState, now: float) -> list[tuple[str, CellKey, JobView]]:
        """Generations due now, the longest overdue first (a budget that cannot read all reads those)."""
        out = [(job.id, key, job) for key, job in state.in_flight() if self.due.get(job.id, 0.0) <= now]
        out.sort(key=lambda item: self.due.get(item[0], 0.0))
        return out

    def view_age(self, now: float) -> float:
        """How far behind its plan the view is: the longest a due generation has waited (0: on time)."""
        late = [now - due for due in self.due.values() if due < now]
        return max(late, default=0.0)

    # --- the engine and the focused cell -------------------------------------------------------------
    def discovery_gap(self, busy: bool, read_seconds: float) -> float:
        """Seconds between engine re-reads: paced by their measured cost and the CPU of reading them."""
        p = self.policy
        paced = self.cost.pace(ENGINE)  # its own share of the budget
        if busy:
            return min(MAX_DISCOVERY_GAP, max(p.discovery_floor, paced, read_seconds / p.read_share))
        return max(p.engine_idle, paced, read_seconds / p.idle_read_share)

    def engine_read(self, now: float, busy: bool, read_seconds: float) -> None:
        self.engine_at, self.forced = now, False
        self.engine_due = now + self.discovery_gap(busy, read_seconds)
        self.engine_ready = now + read_seconds / self.policy.read_share

    def replaces_generation_reads(self, due: int) -> bool:
        """One engine read is cheaper, in budget terms, than `due` generation reads (and CPU allows it)."""
        engine, generation = self.cost.cost(ENGINE), self.cost.cost(GENERATION)
        budget = self.cost.budget
        weigh = lambda c: max(c[0] / budget.bytes_per_second, c[1] / budget.server_share)  # noqa: E731
        return due > 1 and weigh(engine) <= due * weigh(generation)

    def focus_is_due(self, now: float) -> bool:
        return self.focus is not None and now >= self.focus_due
