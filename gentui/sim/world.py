"""The simulator's world: organization, agent, engines, cells and generations, and how they change.

The world is advanced lazily (`advance`, called on each request): only generations in flight are
looked at, so a 500 x 8 engine with 40,000 past generations costs nothing per request.
"""

from __future__ import annotations

from collections import deque
from decimal import Decimal
from typing import Any

from gentui.sim.clock import SimTime
from gentui.sim.ledger import CreditLedger
from gentui.sim.lifecycle import complete_output, fate, final_cost, output_resources, output_seconds, value_of
from gentui.sim.model import (
    COMPLETED,
    FAILED,
    PENDING,
    PROCESSING,
    RUNNING,
    STOPPED,
    Agent,
    Blob,
    Cell,
    Column,
    Engine,
    Generation,
    Organization,
    Row,
    Upload,
)

#: first id of each kind (separate counters keep ids readable and stable per seed)
ID_BASES = {"engine": 101, "column": 201, "row": 501, "cell": 3001, "generation": 90001, "variables": 601,
            "upload": 16001, "blob": 1}


class World:
    """Everything the simulator knows, keyed by integer id, plus the credit ledger."""

    def __init__(self, seed: int, failure_rate: float, ledger: CreditLedger) -> None:
        self.seed = seed
        self.failure_rate = failure_rate
        self.ledger = ledger
        self.organization: Organization | None = None
        self.agent: Agent | None = None
        self.user: dict[str, Any] = {}
        self.engines: dict[int, Engine] = {}
        self.columns: dict[int, Column] = {}
        self.rows: dict[int, Row] = {}
        self.cells: dict[int, Cell] = {}
        self.generations: dict[int, Generation] = {}
        self.in_flight: set[int] = set()
        #: content resources that are not outputs (seeded library items and uploads), by id
        self.uploads: dict[int, Upload] = {}
        #: direct uploads by key, and the content resource ids deleted (outputs included)
        self.blobs: dict[str, Blob] = {}
        self.deleted: set[int] = set()
        #: (media name, whether a key was sent) of the last media requests
        self.media_log: deque[tuple[str, bool]] = deque(maxlen=1000)
        self._next = dict(ID_BASES)

    # --- ids and lookups ----------------------------------------------------------------------

    def next_id(self, kind: str) -> int:
        value = self._next[kind]
        self._next[kind] = value + 1
        return value

    @property
    def organization_id(self) -> int:
        assert self.organization is not None
        return self.organization.id

    @property
    def agent_id(self) -> int:
        assert self.agent is not None
        return self.agent.id

    @property
    def engine_ids(self) -> list[int]:
        return list(self.engines)

    def engine_for(self, agent_id: int, engine_id: int) -> Engine | None:
        engine = self.engines.get(engine_id)
        return engine if engine is not None and engine.agent_id == agent_id else None

    def cell_in(self, engine: Engine, cell_id: int) -> Cell | None:
        cell = self.cells.get(cell_id)
        return cell if cell is not None and cell.engine_id == engine.id else None

    def column_of(self, cell: Cell) -> Column:
        return self.columns[cell.column_id]

    def row_of(self, cell: Cell) -> Row:
        return self.rows[cell.row_id]

    def variables(self, engine: Engine) -> dict[str, str]:
        return dict(engine.variables or ())

    def row_number(self, gen: Generation) -> int:
        """The 1-based row of a generation's cell (drawn on its media)."""
        cell = self.cells.get(gen.cell_id)
        row = self.rows.get(cell.row_id) if cell is not None else None
        return row.position if row is not None else 0

    def outputs(self, gen: Generation) -> list[dict[str, Any]]:
        """A completed generation's `output_resources` (urls as paths on the simulator's origin)."""
        return output_resources(gen.id, gen.kind, gen.outputs, self.row_number(gen), output_seconds(gen.kind, gen.data))

    def cell_cost(self, cell: Cell) -> Decimal:
        total = Decimal(0)
        for gid in cell.jobs:
            gen = self.generations[gid]
            if gen.status == COMPLETED and gen.final_cost is not None:
                total += gen.final_cost
        return total

    # --- changes ------------------------------------------------------------------------------

    def touch(self, cell: Cell, when: float) -> None:
        cell.rev += 1
        cell.updated_at = max(cell.updated_at, when)

    def add_generation(self, gen: Generation, cell: Cell) -> None:
        """Put a generation (new or from the seeded past) into the world and its cell's history."""
        self.generations[gen.id] = gen
        cell.jobs.append(gen.id)
        if gen.status in RUNNING:
            self.in_flight.add(gen.id)

    def create(
        self,
        cell: Cell,
        kind: str,
        model: str | None,
        data: dict[str, Any],
        precharge: Decimal,
        time: SimTime,
        *,
        idempotency_key: str | None = None,
        charge: bool = True,
        elapsed: float = 0.0,
    ) -> Generation:
        """A new pending generation on a cell, pre-charged (or, for work running at start, held)."""
        gid = self.next_id("generation")
        f = fate(self.seed, gid, kind, self.failure_rate)
        elapsed = min(elapsed, 0.8 * (f.pending_for + f.processing_for))  # still running at start
        wall = time.clock.now() - elapsed / (time.speed or 1.0)  # simulated seconds run, in wall seconds
        gen = Generation(
            id=gid,
            engine_id=cell.engine_id,
            cell_id=cell.id,
            kind=kind,
            model=model,
            data=data,
            status=PENDING,
            created_at=wall,
            updated_at=wall,
            precharge=precharge,
            factor=f.factor,
            fails=f.fails,
            failed_reason=f.failed_reason,
            phase_start=time.now() - elapsed,
            pending_for=f.pending_for,
            processing_for=f.processing_for,
            idempotency_key=idempotency_key,
        )
        if charge:
            self.ledger.precharge(gen)
        else:
            gen.held = precharge
        self.add_generation(gen, cell)
        self.touch(cell, wall)
        return gen

    def advance(self, time: SimTime) -> None:
        """Move every generation in flight along its lifecycle, up to the simulated now."""
        if not self.in_flight:
            return
        now = time.now()
        for gid in sorted(self.in_flight):
            gen = self.generations[gid]
            started = gen.phase_start + gen.pending_for
            if gen.status == PENDING and now >= started:
                gen.status = PROCESSING
                gen.updated_at = max(gen.updated_at, time.wall_at(started))
                self.touch(self.cells[gen.cell_id], gen.updated_at)
            ends = started + gen.processing_for
            if gen.status == PROCESSING and now >= ends:
                self.finish(gen, max(gen.updated_at, time.wall_at(ends)))

    def finish(self, gen: Generation, when: float) -> None:
        """Completion (reconciled to the final cost) or failure (full refund)."""
        if gen.fails:
            gen.status = FAILED
            self.ledger.refund(gen)
        else:
            gen.status = COMPLETED
            gen.result, gen.outputs = complete_output(gen.id, gen.kind, gen.data)
            gen.final_cost = final_cost(gen.precharge, gen.factor)
            self.ledger.reconcile(gen, gen.final_cost)
        gen.updated_at = when
        self.in_flight.discard(gen.id)
        cell = self.cells[gen.cell_id]
        self.touch(cell, when)
        self.refresh_display(cell)

    def stop(self, gen: Generation, when: float) -> None:
        gen.status = STOPPED
        gen.updated_at = when
        self.ledger.refund(gen)
        self.in_flight.discard(gen.id)
        self.touch(self.cells[gen.cell_id], when)

    def resume(self, gen: Generation, time: SimTime) -> None:
        """Continue a stopped generation: re-charged, back to pending, same fate."""
        self.ledger.recharge(gen)
        gen.status = PENDING
        gen.phase_start = time.now()
        gen.updated_at = time.clock.now()
        self.in_flight.add(gen.id)
        self.touch(self.cells[gen.cell_id], gen.updated_at)

    def newest_completed(self, cell: Cell) -> Generation | None:
        for gid in reversed(cell.jobs):
            gen = self.generations[gid]
            if gen.status == COMPLETED:
                return gen
        return None

    def refresh_display(self, cell: Cell) -> None:
        """The displayed job: the pinned one, until a job newer than the pin completes; else the newest completed."""
        newest = self.newest_completed(cell)
        if cell.pinned is not None and newest is not None and newest.id > cell.pin_floor:
            cell.pinned = None
        target = cell.pinned if cell.pinned is not None else (newest.id if newest else None)
        if target == cell.displayed:
            return
        cell.displayed = target
        if target is not None:
            gen = self.generations[target]
            value = value_of(gen.kind, gen.result, self.outputs(gen))
            if value is not None:
                cell.value = value
        cell.rev += 1

    def pin(self, cell: Cell, gen: Generation, when: float) -> None:
        cell.pinned = gen.id
        cell.pin_floor = max(cell.jobs)
        self.refresh_display(cell)
        self.touch(cell, when)

    def edit(self, cell: Cell, changes: dict[str, Any], when: float) -> None:
        """PATCH / mass_update: `value` replaces, `additional_attributes` merges."""
        if "value" in changes:
            cell.value = changes["value"]
        attrs = changes.get("additional_attributes")
        if isinstance(attrs, dict):
            cell.additional_attributes = {**cell.additional_attributes, **attrs}
        self.touch(cell, when)
