"""The free `/v1` routes: discovery, organizations, engine reads and cell edits.

Each handler takes the simulator and the request and answers a Response or raises ApiError;
the app wraps them with stats, faults and the lazy world advance.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from gentui.sim import errors
from gentui.sim.context import (
    authenticate,
    flag,
    int_id,
    json_response,
    parse_json,
    require_agent,
    require_cell,
    require_engine,
    require_plan,
    text_response,
)
from gentui.sim.model import Cell

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator


async def me(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    return json_response(sim.serializer.me())


async def workspaces(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    return json_response([sim.serializer.workspace()])


async def agents(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    workspace = request.query_params.get("workspace_id")
    agent = sim.world.agent
    if agent is None or (workspace not in (None, "") and int_id(workspace) != agent.organization_id):
        return json_response([])
    return json_response([sim.serializer.agent()])


async def agent(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = sim.world.agent
    if found is None or int_id(request.path_params["agent_id"]) != found.id:
        raise errors.agent_not_found()
    return json_response(sim.serializer.agent())


async def organizations(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    return json_response([sim.serializer.organization()])


async def organization(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    if int_id(request.path_params["organization_id"]) != sim.world.organization_id:
        raise errors.ApiError(422, "organization_not_found", "Organization not found")
    return json_response(sim.serializer.organization())


async def engines(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = require_agent(sim, request)
    require_plan(sim)
    mine = [e for e in sim.world.engines.values() if e.agent_id == found.id]
    return json_response([sim.serializer.engine_summary(e) for e in mine])


async def engine(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = require_engine(sim, request, require_agent(sim, request))
    require_plan(sim)
    return text_response(sim.serializer.engine_text(found, flag(request, "with_execution_cost")))


async def rows(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = require_engine(sim, request, require_agent(sim, request))
    require_plan(sim)
    return text_response(sim.serializer.rows_text(found, flag(request, "with_execution_cost")))


async def columns(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = require_engine(sim, request, require_agent(sim, request))
    require_plan(sim)
    return json_response([sim.serializer.column(sim.world.columns[c]) for c in found.column_ids])


async def global_variables(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    found = require_engine(sim, request, require_agent(sim, request))
    require_plan(sim)
    return json_response(sim.serializer.variables_answer(found))


async def _cell_request(sim: Simulator, request: Request) -> tuple[Cell, Any]:
    """Auth, body, agent (query or body), engine, cell, plan: the common start of every cell route."""
    authenticate(sim, request)
    body, ok = parse_json(await request.body())
    found = require_engine(sim, request, require_agent(sim, request, body if ok else None))
    cell = require_cell(sim, request, found)
    if not ok:
        raise errors.validation("the body is not valid JSON")
    require_plan(sim)
    return cell, body


def _answer_cell(sim: Simulator, request: Request, cell: Cell) -> Response:
    return json_response(sim.serializer.cell(cell, flag(request, "with_execution_cost")))


async def get_cell(sim: Simulator, request: Request) -> Response:
    cell, _ = await _cell_request(sim, request)
    return _answer_cell(sim, request, cell)


def _changes(item: Any) -> dict[str, Any]:
    """`{value?, additional_attributes?}` from a wrapped or unwrapped cell body (422 if malformed)."""
    if not isinstance(item, dict):
        raise errors.validation("a cell update must be an object")
    for wrapper in ("spreadsheet_cell", "cell"):
        if isinstance(item.get(wrapper), dict):
            item = item[wrapper]
            break
    changes = {k: item[k] for k in ("value", "additional_attributes") if k in item}
    if "additional_attributes" in changes and not isinstance(changes["additional_attributes"], dict):
        raise errors.validation("additional_attributes must be an object")
    if isinstance(changes.get("value"), dict | list):
        raise errors.validation("value must be a string, a number or null")
    return changes


async def patch_cell(sim: Simulator, request: Request) -> Response:
    cell, body = await _cell_request(sim, request)
    sim.world.edit(cell, _changes(body), sim.clock.now())
    return _answer_cell(sim, request, cell)


async def mass_update(sim: Simulator, request: Request) -> Response:
    authenticate(sim, request)
    body, ok = parse_json(await request.body())
    found = require_engine(sim, request, require_agent(sim, request, body if ok else None))
    items = body.get("cells") if ok and isinstance(body, dict) else None
    if not isinstance(items, list):
        raise errors.validation('the body must be {"cells": [{"id": ..., "value": ...}, ...]}')
    require_plan(sim)
    updates = []
    for item in items:
        cid = int_id(item.get("id")) if isinstance(item, dict) else None
        cell = sim.world.cell_in(found, cid) if cid is not None else None
        if cell is None:
            raise errors.not_found(f"Cell not found: {item.get('id') if isinstance(item, dict) else item!r}")
        updates.append((cell, _changes(item)))
    now = sim.clock.now()
    for cell, changes in updates:
        sim.world.edit(cell, changes, now)
    return json_response([sim.serializer.cell(cell) for cell, _ in updates])


async def set_default_user_job(sim: Simulator, request: Request) -> Response:
    cell, body = await _cell_request(sim, request)
    if isinstance(body, dict) and isinstance(body.get("spreadsheet_cell"), dict):
        body = body["spreadsheet_cell"]
    raw = body.get("user_job_id") if isinstance(body, dict) else None
    gid = int_id(raw)
    if gid is None:
        raise errors.validation("user_job_id is required")
    gen = sim.world.generations.get(gid)
    if gen is None:
        raise errors.not_found("User job not found")
    if gen.cell_id != cell.id:
        raise errors.validation("user_job_id is not one of this cell's user_jobs")
    sim.world.pin(cell, gen, sim.clock.now())
    return _answer_cell(sim, request, cell)
