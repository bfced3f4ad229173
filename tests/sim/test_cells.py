"""Cell edits (free): PATCH wrapped or not, attribute merging, mass_update, pinning; cards and variables."""

from __future__ import annotations

from decimal import Decimal

from .conftest import Sim


async def _cell(world: Sim, cell) -> dict:
    return (await world.client.get(world.path(f"cells/{cell.id}"))).json()


async def test_patch_takes_a_wrapped_value(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    response = await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json={"spreadsheet_cell": {"value": "new"}})
    assert response.status_code == 200 and response.json()["value"] == "new"
    assert (await _cell(quiet, cell))["value"] == "new"


async def test_patch_takes_an_unwrapped_value_with_agent_id_in_the_body(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    engine = quiet.sim.world.engine_ids[0]
    response = await quiet.client.patch(f"/v1/vidsheet/{engine}/cells/{cell.id}", json={"agent_id": 42, "value": "mcp"})
    assert response.status_code == 200 and response.json()["value"] == "mcp"


async def test_patch_merges_additional_attributes(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    body = {"spreadsheet_cell": {"additional_attributes": {"model": "sora_2", "duration": 10}}}
    attrs = (await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json=body)).json()["additional_attributes"]
    assert attrs["model"] == "sora_2" and attrs["duration"] == 10
    assert attrs["ratio"] == "9:16" and "prompt" in attrs
    assert await quiet.balance() == Decimal("5000.00")


async def test_patched_attributes_drive_the_next_as_is_generate(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json={"additional_attributes": {"duration": 5}})
    assert (await quiet.generate(cell)).status_code == 201
    assert await quiet.balance() == Decimal(5000 - 300)


async def test_patch_refuses_a_non_object_attributes(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    response = await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json={"additional_attributes": "x"})
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")


async def test_mass_update_changes_every_listed_cell(quiet: Sim) -> None:
    a, b = quiet.cell(0, "SCRIPT"), quiet.cell(1, "SCRIPT")
    body = {"cells": [{"id": a.id, "value": "one"}, {"id": str(b.id), "value": "two"}]}
    response = await quiet.client.put(quiet.path("cells/mass_update"), json=body)
    assert response.status_code == 200
    assert [c["value"] for c in response.json()] == ["one", "two"]
    assert (await _cell(quiet, b))["value"] == "two"


async def test_mass_update_with_an_unknown_cell_changes_nothing(quiet: Sim) -> None:
    a = quiet.cell(0, "SCRIPT")
    before = (await _cell(quiet, a))["value"]
    body = {"cells": [{"id": a.id, "value": "one"}, {"id": 1, "value": "two"}]}
    response = await quiet.client.put(quiet.path("cells/mass_update"), json=body)
    assert response.status_code == 404
    assert (await _cell(quiet, a))["value"] == before


async def test_set_default_user_job_pins_an_older_take(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    older = (await quiet.generate(cell)).json()["generation_id"]
    quiet.force(older, fails=False)
    await quiet.finish()
    newer = (await quiet.generate(cell)).json()["generation_id"]
    quiet.force(newer, fails=False)
    await quiet.finish()
    assert (await _cell(quiet, cell))["user_job_id"] == newer
    url = quiet.path(f"cells/{cell.id}/set_default_user_job")
    pinned = (await quiet.client.patch(url, json={"user_job_id": older})).json()
    assert pinned["user_job_id"] == older and pinned["default_user_job"]["id"] == older
    assert pinned["value"] == (await quiet.generation(older))["result"]


async def test_a_pin_survives_work_started_before_it(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    oldest = cell.jobs[0]
    running = (await quiet.generate(cell)).json()["generation_id"]
    quiet.force(running, fails=False)
    await quiet.client.patch(quiet.path(f"cells/{cell.id}/set_default_user_job"), json={"user_job_id": oldest})
    await quiet.finish()
    assert (await _cell(quiet, cell))["user_job_id"] == oldest


async def test_a_generation_started_after_the_pin_replaces_it_when_it_completes(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    oldest = cell.jobs[0]
    await quiet.client.patch(quiet.path(f"cells/{cell.id}/set_default_user_job"), json={"user_job_id": oldest})
    assert (await _cell(quiet, cell))["user_job_id"] == oldest
    newer = (await quiet.generate(cell)).json()["generation_id"]
    quiet.force(newer, fails=False)
    await quiet.finish()
    assert (await _cell(quiet, cell))["user_job_id"] == newer


async def test_set_default_user_job_with_an_unknown_job_is_404(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    response = await quiet.client.patch(quiet.path(f"cells/{cell.id}/set_default_user_job"), json={"user_job_id": 1})
    assert (response.status_code, response.json()["error_code"]) == (404, "not_found")


async def test_set_default_user_job_with_another_cells_job_is_a_validation_error(quiet: Sim) -> None:
    cell, other = quiet.cell(0, "SCRIPT"), quiet.cell(1, "SCRIPT")
    url = quiet.path(f"cells/{cell.id}/set_default_user_job")
    response = await quiet.client.patch(url, json={"user_job_id": other.jobs[-1]})
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")


async def test_variables_in_a_prompt_are_expanded_from_the_engines_global_variables(quiet: Sim) -> None:
    cell = quiet.cell(12, "SCRIPT")
    body = {"generation_type": "text", "data": {"prompt": "A script for {{brand_name}}: {{unknown}}"}}
    gid = (await quiet.generate(cell, body)).json()["generation_id"]
    assert quiet.sim.world.generations[int(gid)].data["prompt"] == "A script for Northwind Coffee: {{unknown}}"
    quiet.force(gid, fails=False)
    await quiet.finish()
    assert "A script for Northwind Coffee" in (await quiet.generation(gid))["result"]


async def test_variables_given_in_the_data_win_over_the_engines(quiet: Sim) -> None:
    body = {"generation_type": "text", "data": {"prompt": "Hi {{brand_name}}", "variables": {"brand_name": "Acme"}}}
    gid = (await quiet.generate(quiet.cell(12, "SCRIPT"), body)).json()["generation_id"]
    assert quiet.sim.world.generations[int(gid)].data["prompt"] == "Hi Acme"


async def test_the_stored_card_prompt_is_expanded_too(quiet: Sim) -> None:
    gid = (await quiet.generate(quiet.cell(0, "SCRIPT"))).json()["generation_id"]
    prompt = quiet.sim.world.generations[int(gid)].data["prompt"]
    assert "Northwind Coffee" in prompt and "{{" not in prompt


async def test_an_as_is_regenerate_reuses_the_last_card_sent(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    edited = {"generation_type": "video_from_text", "data": {"prompt": "a lighthouse", "model": "sora_2", "duration": 10}}
    await quiet.generate(cell, edited)
    gid = (await quiet.generate(cell)).json()["generation_id"]
    gen = quiet.sim.world.generations[int(gid)]
    assert gen.data["prompt"] == "a lighthouse"
    assert gen.model == "veo_3_1_fast"  # the cell's configured model still wins over the last card's
