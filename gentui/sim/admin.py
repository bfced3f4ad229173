"""The admin surface under `/_sim/` (CONTRACTS.md section 4): no key, never faulted, not counted.

Every POST answers 200 with the new state; partial bodies merge; a bad body is 422 validation_error.
"""

from __future__ import annotations

import math
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gentui.sim import errors
from gentui.sim import spawn as spawning
from gentui.sim.context import error_response, json_response, parse_json
from gentui.sim.ledger import money_text

if TYPE_CHECKING:
    from gentui.sim.simulator import Simulator


async def _body(request: Request) -> dict[str, Any]:
    body, ok = parse_json(await request.body())
    if not ok or not isinstance(body, dict):
        raise errors.validation("the body must be a JSON object")
    return body


def _amount(name: str, value: Any) -> Decimal:
    if isinstance(value, bool):
        raise errors.validation(f"{name} must be a number or a decimal string")
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise errors.validation(f"{name} must be a number or a decimal string") from None
    if not amount.is_finite():
        raise errors.validation(f"{name} must be finite")
    return amount


def credits_state(sim: Simulator) -> dict[str, Any]:
    ledger = sim.world.ledger
    return {"generic": money_text(ledger.generic), "aura": money_text(ledger.aura), "active": ledger.active}


async def world(sim: Simulator, request: Request) -> Response:
    return json_response(sim.world_info())


async def stats(sim: Simulator, request: Request) -> Response:
    return json_response(sim.stats.snapshot(sim.world.ledger))


async def faults(sim: Simulator, request: Request) -> Response:
    sim.faults.faults.merge(await _body(request))
    return json_response(sim.faults.faults.as_dict())


async def credits(sim: Simulator, request: Request) -> Response:
    body = await _body(request)
    ledger = sim.world.ledger
    generic = _amount("generic", body["generic"]) if "generic" in body else ledger.generic
    aura = _amount("aura", body["aura"]) if "aura" in body else ledger.aura
    active = body.get("active", ledger.active)
    if not isinstance(active, bool):
        raise errors.validation("active must be true or false")
    ledger.generic, ledger.aura, ledger.active = generic, aura, active
    return json_response(credits_state(sim))


async def speed(sim: Simulator, request: Request) -> Response:
    body = await _body(request)
    if "speed" in body:
        try:
            value = float(body["speed"])
        except (TypeError, ValueError):
            raise errors.validation("speed must be a number") from None
        if not math.isfinite(value) or value < 0:
            raise errors.validation("speed must not be negative")
        sim.time.set_speed(value)
    return json_response({"speed": sim.time.speed})


async def api_key(sim: Simulator, request: Request) -> Response:
    body = await _body(request)
    if "api_key" in body:
        key = body["api_key"]
        if not isinstance(key, str) or not key.strip():
            raise errors.validation("api_key must be a non-empty string")
        sim.api_key = key.strip()
    return json_response({"api_key": sim.api_key})


async def reset(sim: Simulator, request: Request) -> Response:
    body = await _body(request)
    quiet = body.get("quiet", sim.options.quiet)
    if not isinstance(quiet, bool):
        raise errors.validation("quiet must be true or false")
    sim.reset(quiet)
    return json_response({**sim.world_info(), "quiet": quiet})


async def spawn(sim: Simulator, request: Request) -> Response:
    return json_response(spawning.spawn(sim, await _body(request)))


def admin_routes(sim: Simulator) -> list[Route]:
    def wrap(handler: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            try:
                sim.advance()
                return await handler(sim, request)
            except errors.ApiError as error:
                return error_response(error)

        return endpoint

    table = [
        ("GET", "/_sim/world", world),
        ("GET", "/_sim/stats", stats),
        ("POST", "/_sim/faults", faults),
        ("POST", "/_sim/credits", credits),
        ("POST", "/_sim/speed", speed),
        ("POST", "/_sim/api-key", api_key),
        ("POST", "/_sim/reset", reset),
        ("POST", "/_sim/spawn", spawn),
    ]
    return [Route(path, wrap(handler), methods=[method]) for method, path, handler in table]
