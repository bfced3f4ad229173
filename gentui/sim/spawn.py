"""`POST /_sim/spawn`: generations started elsewhere (the web app, a teammate), not through gentui.

`{"count": n}` starts n generations on idle cells of the first engine (chosen by a seeded draw,
cells whose stored card cannot be generated as-is are skipped); `{"cells": [ids]}` starts one on
each named cell (422 if one is unknown, busy or not generatable). Charged as a generate is, not
counted in `requests`. Answers `{"generation_ids": [...]}` in the dialect's id type.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from gentui.api import vocab
from gentui.sim import cards, errors
from gentui.sim.context import require_balance, require_plan
from gentui.sim.model import RUNNING, Cell

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator

MAX_SPAWN = 1000


def _idle(sim: Simulator, cell: Cell) -> bool:
    return not any(sim.world.generations[g].status in RUNNING for g in cell.jobs)


def _last_kind(sim: Simulator, cell: Cell) -> str | None:
    for gid in reversed(cell.jobs):
        kind = sim.world.generations[gid].kind
        if kind != vocab.RENDER:
            return kind
    return None


def _start(sim: Simulator, cell: Cell) -> int:
    """One generation on the cell with its stored card, charged; raises ApiError when it cannot be."""
    world = sim.world
    engine = world.engines[cell.engine_id]
    resolved = cards.resolve({}, cell, world.column_of(cell), _last_kind(sim, cell), world.variables(engine))
    require_plan(sim)
    require_balance(sim, resolved.precharge)
    gen = world.create(cell, resolved.kind, resolved.model, resolved.data, resolved.precharge, sim.time)
    cell.card_type, cell.card = resolved.kind, resolved.card
    return gen.id


def _named(sim: Simulator, ids: Any) -> list[Cell]:
    if not isinstance(ids, list) or not ids or len(ids) > MAX_SPAWN:
        raise errors.validation(f"cells must be a list of 1 to {MAX_SPAWN} cell ids")
    out = []
    for raw in ids:
        try:
            cell = sim.world.cells.get(int(str(raw)))
        except ValueError:
            cell = None
        if cell is None:
            raise errors.validation(f"unknown cell {str(raw)[:40]!r}")
        if not _idle(sim, cell):
            raise errors.validation(f"cell {cell.id} already has a generation in flight")
        out.append(cell)
    return out


def spawn(sim: Simulator, body: dict[str, Any]) -> dict[str, Any]:
    """Start the generations the body asks for; the answer of `POST /_sim/spawn`."""
    started: list[int] = []
    if "cells" in body:
        for cell in _named(sim, body["cells"]):
            started.append(_start(sim, cell))
    else:
        count = body.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_SPAWN:
            raise errors.validation(f"count must be an integer from 1 to {MAX_SPAWN}")
        world = sim.world
        engine = world.engines[world.engine_ids[0]]
        rng = random.Random(f"{world.seed}:spawn:{len(world.generations)}")
        candidates = [c for r in engine.row_ids for c in world.rows[r].cell_ids]
        rng.shuffle(candidates)
        for cell_id in candidates:
            if len(started) == count:
                break
            cell = world.cells[cell_id]
            if not _idle(sim, cell):
                continue
            try:
                started.append(_start(sim, cell))
            except errors.ApiError as error:
                if error.status == 422 and error.code in ("validation_error",):
                    continue  # this cell's card cannot be generated as-is: another one
                raise
    return {"generation_ids": [sim.serializer.id(g) for g in started]}
