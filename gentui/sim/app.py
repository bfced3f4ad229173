"""The simulator as a Starlette app: `create_app(options, clock=...)`, with the `Simulator` at `app.state.sim`.

The world advances lazily on every request (no background task, no lifespan), so the app works
in-process through `httpx.ASGITransport` as well as over real HTTP.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response
from starlette.routing import Route

from gentui.sim import admin, content, generate, routes
from gentui.sim.clock import Clock
from gentui.sim.context import error_response, json_response
from gentui.sim.errors import ApiError
from gentui.sim.options import SimOptions
from gentui.sim.simulator import Simulator

__all__ = ["Handler", "Simulator", "create_app", "v1_routes"]

Handler = Callable[[Simulator, Request], Awaitable[Response]]


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
        *content.v1_table(),
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
    app = Starlette(routes=[*v1_routes(sim), *admin.admin_routes(sim), *content.storage_routes(sim)],
                    exception_handlers={HTTPException: _http_error})
    app.state.sim = sim
    return app
