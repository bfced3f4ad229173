"""A generate's validation order: auth, agent, engine/cell, body, active plan, balance, create."""

from __future__ import annotations

from decimal import Decimal

import pytest

from .conftest import Sim

VIDEO_EXAMPLE = {  # the seed page's own example (seed-regenerate-workflow.txt)
    "generation_type": "video_from_text",
    "data": {"prompt": "... updated prompt ...", "model": "veo_3_1_fast", "aspect_ratio": "9:16", "duration": 10},
}


async def _post(world: Sim, *, agent: str = "42", cell: str | int | None = None, engine: str | int | None = None,
                body: object = None, key: str | None = "sim-key") -> tuple[int, str]:
    engine = world.sim.world.engine_ids[0] if engine is None else engine
    cell = world.cell(0, "VIDEO").id if cell is None else cell
    headers = {"X-API-Key": key or ""}
    response = await world.client.post(f"/v1/vidsheet/{engine}/cells/{cell}/generate?agent_id={agent}",
                                       json=VIDEO_EXAMPLE if body is None else body, headers=headers)
    return response.status_code, response.json().get("error_code", "")


async def test_auth_comes_before_everything(quiet: Sim) -> None:
    assert await _post(quiet, agent="7", cell=1, body={"generation_type": "nope"}, key=None) == (401, "unauthorized")


async def test_a_bad_agent_beats_a_bad_cell(quiet: Sim) -> None:
    assert await _post(quiet, agent="7", cell=1) == (422, "agent_not_found")


async def test_a_missing_agent_is_agent_not_found(quiet: Sim) -> None:
    assert await _post(quiet, agent="") == (422, "agent_not_found")


async def test_an_unknown_engine_is_404(quiet: Sim) -> None:
    assert await _post(quiet, engine=999) == (404, "not_found")


async def test_a_cell_of_another_engine_is_404(quiet: Sim) -> None:
    other = quiet.cell(0, "HEADLINE", engine=1).id
    assert await _post(quiet, cell=other) == (404, "not_found")


async def test_a_bad_cell_beats_a_bad_body(quiet: Sim) -> None:
    assert await _post(quiet, cell=1, body={"generation_type": "nope"}) == (404, "not_found")


async def test_an_unknown_generation_type_is_a_validation_error(quiet: Sim) -> None:
    assert await _post(quiet, body={"generation_type": "hologram", "data": {}}) == (422, "validation_error")


async def test_an_unknown_model_is_a_validation_error(quiet: Sim) -> None:
    body = {"generation_type": "video_from_text", "data": {"model": "gemini_image"}}
    assert await _post(quiet, body=body) == (422, "validation_error")


async def test_a_missing_required_field_without_a_stored_card_is_a_validation_error(quiet: Sim) -> None:
    final = quiet.cell(0, "FINAL VIDEO", engine=1)
    engine = quiet.sim.world.engine_ids[1]
    body = {"generation_type": "text", "data": {"model": "gpt_4o"}}
    assert await _post(quiet, engine=engine, cell=final.id, body=body) == (422, "validation_error")


async def test_missing_fields_are_filled_from_the_stored_card(quiet: Sim) -> None:
    assert (await _post(quiet, body={}))[0] == 201
    assert (await _post(quiet, body={"generation_type": "video_from_text"}))[0] == 201
    assert (await _post(quiet, body={"generation_type": "video_from_text", "data": {"prompt": ""}}))[0] == 201


@pytest.mark.parametrize("duration", [0, 11, -1, 8.5, "8.5", "ten", True, [8]])
async def test_a_duration_that_is_not_an_integer_from_1_to_10_is_a_validation_error(quiet: Sim, duration) -> None:
    body = {"generation_type": "video_from_text", "data": {"duration": duration}}
    assert await _post(quiet, body=body) == (422, "validation_error")


@pytest.mark.parametrize("duration", [1, 10, "10"])
async def test_durations_from_1_to_10_are_valid(quiet: Sim, duration) -> None:
    body = {"generation_type": "video_from_text", "data": {"duration": duration}}
    assert (await _post(quiet, body=body))[0] == 201


async def test_the_docs_own_example_is_valid_and_charges_its_estimate(quiet: Sim) -> None:
    assert (await _post(quiet))[0] == 201
    assert await quiet.balance() == Decimal("5000.00") - 600


async def test_a_bad_body_beats_a_missing_plan(quiet: Sim) -> None:
    await quiet.admin("credits", {"active": False})
    assert await _post(quiet, body={"generation_type": "hologram"}) == (422, "validation_error")


async def test_a_missing_plan_beats_a_low_balance(quiet: Sim) -> None:
    await quiet.admin("credits", {"active": False, "generic": 0})
    assert await _post(quiet) == (422, "usable_gen_credit_required")


async def test_a_low_balance_is_insufficient_credits_and_creates_nothing(quiet: Sim) -> None:
    await quiet.admin("credits", {"generic": "599.99"})
    jobs = len(quiet.cell(0, "VIDEO").jobs)
    assert await _post(quiet) == (422, "insufficient_credits_for_job")
    assert await quiet.balance() == Decimal("599.99")
    assert len(quiet.cell(0, "VIDEO").jobs) == jobs


async def test_a_balance_equal_to_the_estimate_is_enough(quiet: Sim) -> None:
    await quiet.admin("credits", {"generic": "600"})
    assert (await _post(quiet))[0] == 201
    assert await quiet.balance() == 0


async def test_a_body_that_is_not_json_is_a_validation_error(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    response = await quiet.client.post(quiet.path(f"cells/{cell.id}/generate"), content=b"{nope",
                                       headers={"Content-Type": "application/json"})
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
