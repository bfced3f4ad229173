"""The charged and lifecycle `/v1` routes: generate, render, get, stop and continue a generation.

Generate validates in the order of CONTRACTS.md section 4: auth, agent, engine/cell, body, active
plan, balance, then creates (201). Generate, render and continue honour `Idempotency-Key`: a 2xx
answer is remembered and replayed without charging; the same key with another body or path is 422.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from gentui.api import costs, vocab
from gentui.sim import cards, content, errors
from gentui.sim.bookkeeping import fingerprint
from gentui.sim.context import (
    authenticate,
    int_id,
    json_response,
    parse_json,
    require_agent,
    require_balance,
    require_cell,
    require_engine,
    require_plan,
)
from gentui.sim.model import RUNNING, STOPPED, Cell, Generation

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator


class _Charged:
    """One charged request: its raw body, parsed body and Idempotency-Key."""

    def __init__(self, sim: Simulator, request: Request, raw: bytes) -> None:
        self.sim = sim
        self.request = request
        self.key = request.headers.get("idempotency-key") or None
        self.print = fingerprint(raw)
        self.body, self.ok = parse_json(raw)

    def replay(self) -> Response | None:
        if self.key is None:
            return None
        hit = self.sim.idempotency.lookup(self.key, self.request.method, self.request.url.path, self.print)
        if hit is None:
            return None
        return Response(hit.body, status_code=hit.status, media_type="application/json")

    def answer(self, data: Any, status: int, *, created: bool) -> Response:
        response = json_response(data, status)
        if self.key is not None:
            self.sim.idempotency.remember(self.key, self.request.method, self.request.url.path, self.print,
                                          status, bytes(response.body))
            if created:
                self.sim.stats.charges_by_idempotency_key[self.key] += 1
        return response


async def _start(sim: Simulator, request: Request) -> tuple[_Charged, Response | None]:
    raw = await request.body()
    authenticate(sim, request)
    charged = _Charged(sim, request, raw)
    return charged, charged.replay()


def _created(sim: Simulator, gen: Generation) -> dict[str, Any]:
    return {"generation_id": sim.serializer.id(gen.id), "status": gen.status}


def _last_kind(sim: Simulator, cell: Cell) -> str | None:
    for gid in reversed(cell.jobs):
        kind = sim.world.generations[gid].kind
        if kind != vocab.RENDER:
            return kind
    return None


async def generate(sim: Simulator, request: Request) -> Response:
    charged, replay = await _start(sim, request)
    if replay is not None:
        return replay
    body = charged.body if charged.ok else None
    found = require_engine(sim, request, require_agent(sim, request, body))
    cell = require_cell(sim, request, found)
    if not charged.ok:
        raise errors.validation("the body is not valid JSON")
    world = sim.world
    resolved = cards.resolve(body, cell, world.column_of(cell), _last_kind(sim, cell), world.variables(found),
                             content.known(world))
    require_plan(sim)
    require_balance(sim, resolved.precharge)
    gen = world.create(cell, resolved.kind, resolved.model, resolved.data, resolved.precharge, sim.time,
                       idempotency_key=charged.key)
    cell.card_type, cell.card = resolved.kind, resolved.card
    return charged.answer(_created(sim, gen), 201, created=True)


async def render(sim: Simulator, request: Request) -> Response:
    """Render the row's final video: charged like a generation, on the row's final_video cell."""
    charged, replay = await _start(sim, request)
    if replay is not None:
        return replay
    found = require_engine(sim, request, require_agent(sim, request, charged.body if charged.ok else None))
    cell = require_cell(sim, request, found)
    world = sim.world
    target = next((world.cells[c] for c in world.row_of(cell).cell_ids if world.cells[c].role == "final_video"), None)
    if target is None:
        raise errors.validation("this row has no final_video column to render into")
    require_plan(sim)
    precharge = costs.estimate(vocab.RENDER).credits
    require_balance(sim, precharge)
    gen = world.create(target, vocab.RENDER, None, {}, precharge, sim.time, idempotency_key=charged.key)
    return charged.answer(_created(sim, gen), 201, created=True)


def _generation(sim: Simulator, request: Request) -> Generation:
    gid = int_id(request.path_params.get("generation_id"))
    gen = sim.world.generations.get(gid) if gid is not None else None
    if gen is None:
        raise errors.not_found("Generation not found")
    return gen


async def get_generation(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    return json_response(sim.serializer.generation(_generation(sim, request)))


async def stop(sim: Simulator, request: Request) -> Response:
    """Stop a pending or processing generation: full refund. Anything else is 422 (dialect's code)."""
    authenticate(sim, request)
    gen = _generation(sim, request)
    if gen.status not in RUNNING:
        if sim.serializer.sdk:
            raise errors.ApiError(422, "job_cannot_be_stopped", f"Generation is already {gen.status}")
        raise errors.validation(f"Generation is {gen.status} and cannot be stopped")
    sim.world.stop(gen, sim.clock.now())
    return json_response(sim.serializer.status_answer(gen))


async def continue_(sim: Simulator, request: Request) -> Response:
    """Continue a stopped generation: re-charges its original pre-charge, back to pending."""
    charged, replay = await _start(sim, request)
    if replay is not None:
        return replay
    gen = _generation(sim, request)
    if gen.status != STOPPED:
        raise errors.validation(f"Generation is {gen.status}; only a stopped generation can be continued")
    require_plan(sim)
    require_balance(sim, gen.precharge)
    sim.world.resume(gen, sim.time)
    return charged.answer(sim.serializer.status_answer(gen), 200, created=False)
