"""Authentication: X-API-Key or Bearer; missing, wrong or revoked keys are 401 with the documented body."""

from __future__ import annotations

from .conftest import Sim

UNAUTHORIZED = {"error": "Unauthorized", "error_code": "unauthorized"}


async def test_the_x_api_key_header_is_accepted(quiet: Sim) -> None:
    assert (await quiet.client.get("/v1/me", headers={"X-API-Key": "sim-key"})).status_code == 200


async def test_a_bearer_token_is_accepted(quiet: Sim) -> None:
    response = await quiet.client.get("/v1/me", headers={"X-API-Key": "", "Authorization": "Bearer sim-key"})
    assert response.status_code == 200


async def test_a_missing_key_is_401_unauthorized(quiet: Sim) -> None:
    response = await quiet.client.get("/v1/me", headers={"X-API-Key": ""})
    assert response.status_code == 401
    assert response.json() == UNAUTHORIZED


async def test_a_wrong_key_is_401_unauthorized(quiet: Sim) -> None:
    for headers in ({"X-API-Key": "nope"}, {"X-API-Key": "", "Authorization": "Bearer nope"},
                    {"X-API-Key": "", "Authorization": "Basic sim-key"}):
        response = await quiet.client.get("/v1/organizations", headers=headers)
        assert (response.status_code, response.json()) == (401, UNAUTHORIZED)


async def test_a_revoked_key_stops_working_and_the_new_one_works(quiet: Sim) -> None:
    assert await quiet.admin("api-key", {"api_key": "fresh"}) == {"api_key": "fresh"}
    assert (await quiet.client.get("/v1/me")).status_code == 401
    assert (await quiet.client.get("/v1/me", headers={"X-API-Key": "fresh"})).status_code == 200
    assert (await quiet.admin("world"))["api_key"] == "fresh"


async def test_every_v1_route_needs_the_key(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    no_key = {"X-API-Key": ""}
    calls = [
        ("GET", quiet.path()), ("GET", quiet.path(f"cells/{cell.id}")), ("PATCH", quiet.path(f"cells/{cell.id}")),
        ("POST", quiet.path(f"cells/{cell.id}/generate")), ("POST", quiet.path(f"cells/{cell.id}/render")),
        ("GET", "/v1/generations/1"), ("POST", "/v1/generations/1/stop"), ("POST", "/v1/generations/1/continue"),
        ("PUT", quiet.path("cells/mass_update")), ("GET", "/v1/agents/42"),
    ]
    for method, url in calls:
        response = await quiet.client.request(method, url, json={}, headers=no_key)
        assert response.status_code == 401, (method, url)
