"""Request helpers shared by the `/v1` routes: JSON in and out, auth, and the lookups in validation order."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response

from gentui.sim import errors
from gentui.sim.dialect import dumps
from gentui.sim.model import Agent, Cell, Engine

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator


def json_response(data: Any, status: int = 200) -> Response:
    return Response(dumps(data).encode(), status_code=status, media_type="application/json")


def text_response(text: str, status: int = 200) -> Response:
    """An answer whose JSON text is already made (big engines)."""
    return Response(text.encode(), status_code=status, media_type="application/json")


def error_response(error: errors.ApiError) -> Response:
    return json_response(error.body(), error.status)


def parse_json(raw: bytes) -> tuple[Any, bool]:
    """(parsed body, ok); an empty body is `{}`."""
    if not raw.strip():
        return {}, True
    try:
        return json.loads(raw), True
    except (ValueError, UnicodeDecodeError):
        return None, False


def int_id(value: Any) -> int | None:
    """An id from a path, query or body: integer or numeric string; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip() if value is not None else ""
    return int(text) if text.isdigit() else None


def flag(request: Request, name: str) -> bool:
    return request.query_params.get(name, "").strip().lower() in ("1", "true", "yes")


def origin_of(request: Request) -> str:
    """scheme://host[:port] the client reached the simulator at (its Host header)."""
    return f"{request.url.scheme}://{request.url.netloc}"


def authenticate(sim: Simulator, request: Request) -> None:
    """`X-API-Key: <key>` or `Authorization: Bearer <key>`; anything else is 401.

    Every `/v1` route authenticates first, so this is also where the answer's origin is noted:
    media URLs are written on the origin the client reached (`http://demo.sim` in-process,
    `http://127.0.0.1:PORT` over HTTP)."""
    sim.serializer.origin = origin_of(request)
    key = request.headers.get("x-api-key", "").strip()
    if not key:
        auth = request.headers.get("authorization", "")
        scheme, _, token = auth.partition(" ")
        key = token.strip() if scheme.lower() == "bearer" else ""
    if not key or key != sim.api_key:
        raise errors.unauthorized()


def require_agent(sim: Simulator, request: Request, body: Any = None) -> Agent:
    """`agent_id` from the query or the body (422 agent_not_found, as the API does)."""
    raw = request.query_params.get("agent_id")
    if raw is None and isinstance(body, dict):
        raw = body.get("agent_id")
    if raw is None or raw == "":
        raise errors.agent_not_found("agent_id is required")
    agent = sim.world.agent
    if agent is None or int_id(raw) != agent.id:
        raise errors.agent_not_found()
    return agent


def require_engine(sim: Simulator, request: Request, agent: Agent) -> Engine:
    engine_id = int_id(request.path_params.get("id"))
    engine = sim.world.engine_for(agent.id, engine_id) if engine_id is not None else None
    if engine is None:
        raise errors.not_found("Spreadsheet not found")
    return engine


def require_cell(sim: Simulator, request: Request, engine: Engine) -> Cell:
    cell_id = int_id(request.path_params.get("cell_id"))
    cell = sim.world.cell_in(engine, cell_id) if cell_id is not None else None
    if cell is None:
        raise errors.not_found("Cell not found")
    return cell


def require_plan(sim: Simulator) -> None:
    if not sim.world.ledger.active:
        raise errors.credit_required()


def require_balance(sim: Simulator, amount: Any) -> None:
    if not sim.world.ledger.can_afford(amount):
        raise errors.insufficient_credits()
