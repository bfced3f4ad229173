"""The simulator as a Starlette app: `create_app(options, clock=...)`, with the `Simulator` at `app.state.sim`.

The world advances lazily on every request (no background task, no lifespan), so the app works
in-process through `httpx.ASGITransport` as well as over real HTTP.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from gentui.sim import admin, generate, routes
from gentui.sim.bookkeeping import IdempotencyCache, Stats
from gentui.sim.clock import Clock, SimTime, WallClock
from gentui.sim.context import error_response, json_response
from gentui.sim.dialect import Serializer
from gentui.sim.errors import ApiError
from gentui.sim.faults import FaultInjector, Faults
from gentui.sim.options import SimOptions
from gentui.sim.seed import build_world
from gentui.sim.world import World

Handler = Callable[["Simulator", Request], Awaitable[Response]]


class Simulator:
    """The simulator's state: options, clock and scaled time, world, faults, stats, idempotency cache."""

    def __init__(self, options: SimOptions, clock: Clock | None = None) -> None:
        self.options = options
        self.clock: Clock = clock or WallClock()
        self.time = SimTime(self.clock, options.speed)
        self.api_key = options.api_key
        self.stats = Stats()
        self.idempotency = IdempotencyCache()
        self.faults = FaultInjector(Faults.from_options(options), random.Random(f"{options.seed}:faults"),
                                    self._count_fault)
        #: set by the real-HTTP servers: dropped connections exist only there
        self.real_http = False
        self.quiet = options.quiet
        self.world: World = build_world(options, self.time, options.quiet)
        self.serializer = Serializer(options.dialect, self.world)

    def _count_fault(self, route: str) -> None:
        self.stats.faulted[route] += 1

    @property
    def sleep(self) -> Callable[[float], Awaitable[Any]]:
        return self.faults.sleep

    @sleep.setter
    def sleep(self, value: Callable[[float], Awaitable[Any]]) -> None:
        self.faults.sleep = value

    def advance(self) -> None:
        self.world.advance(self.time)

    def world_info(self) -> dict[str, Any]:
        """`GET /_sim/world`: the ids a client needs, in the dialect's id type, and the current key."""
        ids = self.serializer.id
        return {
            "organization_id": ids(self.world.organization_id),
            "agent_id": ids(self.world.agent_id),
            "engine_ids": [ids(e) for e in self.world.engine_ids],
            "api_key": self.api_key,
            "dialect": self.options.dialect,
            "prefixes": list(self.options.prefixes),
        }

    def reset(self, quiet: bool | None = None) -> None:
        """The seeded world again (same seed, same ids, the key given at start); faults, stats and
        idempotency cache back to how they were at start. Speed and clock carry on."""
        self.quiet = self.options.quiet if quiet is None else quiet
        self.api_key = self.options.api_key
        self.stats = Stats()
        self.idempotency = IdempotencyCache()
        self.faults.faults = Faults.from_options(self.options)
        self.faults.rng = random.Random(f"{self.options.seed}:faults")
        self.world = build_world(self.options, self.time, self.quiet)
        self.serializer = Serializer(self.options.dialect, self.world)


def _v1(sim: Simulator, method: str, path: str, handler: Handler) -> Route:
    """A `/v1` route: counted per template, subject to faults, world advanced, errors as JSON."""
    key = f"{method} {path}"

    async def endpoint(request: Request) -> Response:
        sim.stats.requests[key] += 1
        early = await sim.faults.before(key)
        if early is not None:
            return early
        sim.advance()
        try:
            response = await handler(sim, request)
        except ApiError as error:
            response = error_response(error)
        except ClientDisconnect:  # the client gave up while sending its body: nobody reads an answer
            return Response(status_code=499)
        return sim.faults.after(key, response, sim.real_http)

    return Route(path, endpoint, methods=[method])


def v1_routes(sim: Simulator) -> list[Route]:
    table: list[tuple[str, str, Handler]] = [
        ("GET", "/v1/me", routes.me),
        ("GET", "/v1/workspaces", routes.workspaces),
        ("GET", "/v1/agents", routes.agents),
        ("GET", "/v1/agents/{agent_id}", routes.agent),
        ("GET", "/v1/organizations", routes.organizations),
        ("GET", "/v1/organizations/{organization_id}", routes.organization),
        ("GET", "/v1/generations/{generation_id}", generate.get_generation),
        ("POST", "/v1/generations/{generation_id}/stop", generate.stop),
        ("POST", "/v1/generations/{generation_id}/continue", generate.continue_),
    ]
    for prefix in sim.options.prefixes:
        p = f"/v1/{prefix}"
        table += [
            ("GET", p, routes.engines),
            ("GET", p + "/{id}", routes.engine),
            ("GET", p + "/{id}/rows", routes.rows),
            ("GET", p + "/{id}/columns", routes.columns),
            ("GET", p + "/{id}/global_variables", routes.global_variables),
            ("PUT", p + "/{id}/cells/mass_update", routes.mass_update),
            ("GET", p + "/{id}/cells/{cell_id}", routes.get_cell),
            ("PATCH", p + "/{id}/cells/{cell_id}", routes.patch_cell),
            ("PATCH", p + "/{id}/cells/{cell_id}/set_default_user_job", routes.set_default_user_job),
            ("POST", p + "/{id}/cells/{cell_id}/generate", generate.generate),
            ("POST", p + "/{id}/cells/{cell_id}/render", generate.render),
        ]
    return [_v1(sim, method, path, handler) for method, path, handler in table]


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    if exc.status_code == 404:
        return error_response(ApiError(404, "not_found", "Not found"))
    code = "method_not_allowed" if exc.status_code == 405 else "http_error"
    return json_response({"error": str(exc.detail), "error_code": code}, exc.status_code)


def create_app(options: SimOptions | None = None, *, clock: Clock | None = None) -> Starlette:
    """The simulator app; `clock` defaults to the wall clock (tests pass a ManualClock)."""
    sim = Simulator(options or SimOptions(), clock)
    app = Starlette(routes=[*v1_routes(sim), *admin.admin_routes(sim)],
                    exception_handlers={HTTPException: _http_error})
    app.state.sim = sim
    return app
