"""Fault injection on /v1 (errors, 429, latency, spikes, malformed bodies, drops) and never on /_sim."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from .conftest import Sim

GENERATE = "POST /v1/vidsheet/{id}/cells/{cell_id}/generate"


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


async def test_an_injected_error_answers_before_acting_and_charges_nothing(quiet: Sim) -> None:
    await quiet.admin("faults", {"error_rate": 1, "error_statuses": [503]})
    response = await quiet.generate(quiet.cell(0, "VIDEO"))
    assert response.status_code == 503
    assert response.json()["error_code"] == "service_unavailable"
    await quiet.admin("faults", {"error_rate": 0})
    assert await quiet.balance() == Decimal("5000.00")
    stats = await quiet.admin("stats")
    assert stats["faulted"] == {GENERATE: 1}


async def test_error_statuses_are_drawn_from_the_list(quiet: Sim) -> None:
    await quiet.admin("faults", {"error_rate": 1})
    seen = {(await quiet.client.get("/v1/me")).status_code for _ in range(40)}
    assert seen == {500, 502, 503}


async def test_a_rate_limit_is_429_rate_limited_with_retry_after_when_set(quiet: Sim) -> None:
    await quiet.admin("faults", {"rate_limit_rate": 1, "retry_after": 2.5})
    response = await quiet.client.get("/v1/me")
    assert response.status_code == 429
    assert response.json() == {"error": "Rate limit exceeded", "error_code": "rate_limited"}
    assert response.headers["Retry-After"] == "2.5"


async def test_a_rate_limit_without_retry_after_sends_no_header(quiet: Sim) -> None:
    await quiet.admin("faults", {"rate_limit_rate": 1})
    response = await quiet.client.get("/v1/me")
    assert response.status_code == 429 and "retry-after" not in response.headers


async def test_latency_and_spikes_are_slept_through_the_injected_sleep(quiet: Sim) -> None:
    sleeps = Sleeps()
    quiet.sim.sleep = sleeps
    await quiet.client.get("/v1/me")
    assert sleeps.calls == []
    await quiet.admin("faults", {"latency_ms": 120})
    await quiet.client.get("/v1/me")
    await quiet.admin("faults", {"spike_rate": 1, "spike_ms": 500})
    await quiet.client.get("/v1/me")
    assert sleeps.calls == [pytest.approx(0.12), pytest.approx(0.62)]


async def test_a_malformed_answer_comes_after_the_server_acted(quiet: Sim) -> None:
    await quiet.admin("faults", {"malformed_rate": 1})
    response = await quiet.generate(quiet.cell(0, "VIDEO"))
    assert response.status_code == 201
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.content)
    await quiet.admin("faults", {"malformed_rate": 0})
    assert await quiet.balance() == Decimal(5000 - 480)
    assert (await quiet.admin("stats"))["faulted"] == {GENERATE: 1}


async def test_a_malformed_get_is_a_2xx_with_broken_json(quiet: Sim) -> None:
    await quiet.admin("faults", {"malformed_rate": 1})
    response = await quiet.client.get(quiet.path())
    assert response.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        response.json()


async def test_drops_are_skipped_in_process(quiet: Sim) -> None:
    await quiet.admin("faults", {"drop_rate": 1})
    response = await quiet.client.get("/v1/me")
    assert response.status_code == 200 and response.json()["id"] == 1234
    assert (await quiet.admin("stats"))["faulted"] == {}


async def test_the_admin_surface_is_never_faulted(quiet: Sim) -> None:
    sleeps = Sleeps()
    quiet.sim.sleep = sleeps
    everything = {"error_rate": 1, "rate_limit_rate": 1, "latency_ms": 1000, "malformed_rate": 1, "drop_rate": 1}
    await quiet.admin("faults", everything)
    for _ in range(5):
        assert (await quiet.admin("world"))["agent_id"] == 42
        assert "requests" in await quiet.admin("stats")
    assert sleeps.calls == []


async def test_stats_count_v1_routes_by_template_and_never_the_admin(quiet: Sim) -> None:
    await quiet.admin("world")
    await quiet.client.get("/v1/me")
    await quiet.client.get("/v1/generations/123")
    await quiet.client.get("/v1/generations/456")
    await quiet.generate(quiet.cell(0, "SCRIPT"))
    await quiet.generate(quiet.cell(0, "SCRIPT"), prefix="autocontentengine")
    stats = await quiet.admin("stats")
    assert stats["requests"] == {
        "GET /v1/me": 1,
        "GET /v1/generations/{generation_id}": 2,
        GENERATE: 1,
        "POST /v1/autocontentengine/{id}/cells/{cell_id}/generate": 1,
    }


async def test_faults_can_be_set_from_the_options() -> None:
    world = Sim(error_rate=1.0, error_statuses=(502,))
    async with world.client:
        assert (await world.client.get("/v1/me")).status_code == 502
        assert (await world.admin("world"))["agent_id"] == 42


async def test_the_faults_admin_merges_and_answers_the_whole_state(quiet: Sim) -> None:
    state = await quiet.admin("faults", {"latency_ms": 30})
    assert state["latency_ms"] == 30 and state["error_rate"] == 0 and state["error_statuses"] == [500, 502, 503]
    state = await quiet.admin("faults", {"error_rate": 0.5})
    assert (state["latency_ms"], state["error_rate"]) == (30, 0.5)
    state = await quiet.admin("faults", {"latency_ms": 0, "error_rate": 0})
    assert (state["latency_ms"], state["error_rate"]) == (0, 0.0)


@pytest.mark.parametrize("body", [{"error_rate": 2}, {"error_statuses": [404]}, {"nonsense": 1}, {"latency_ms": "x"}])
async def test_bad_fault_settings_are_refused_and_change_nothing(quiet: Sim, body: dict) -> None:
    response = await quiet.client.post("/_sim/faults", json=body)
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert (await quiet.client.get("/v1/me")).status_code == 200


async def test_reset_clears_the_faults(quiet: Sim) -> None:
    await quiet.admin("faults", {"error_rate": 1})
    await quiet.admin("reset", {})
    assert (await quiet.client.get("/v1/me")).status_code == 200
