"""Every credit rule, with exact Decimal balances on a quiet world (CONTRACTS.md section 4, "Credits")."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import costs

from .conftest import Sim, d

START = Decimal("5000.00")
VIDEO = Decimal(480)  # veo_3_1_fast, 8 s: the VIDEO column's card


async def _video(world: Sim, row: int = 0, **force) -> str:
    response = await world.generate(world.cell(row, "VIDEO"))
    assert response.status_code == 201, response.text
    gid = response.json()["generation_id"]
    if force:
        world.force(gid, **force)
    return gid


async def test_a_generate_precharges_the_documented_estimate(quiet: Sim) -> None:
    await _video(quiet)
    assert costs.estimate("video_from_text", "veo_3_1_fast", 8).credits == VIDEO
    assert await quiet.balance() == START - VIDEO
    ledger = (await quiet.admin("stats"))["ledger"]
    assert ledger["precharged"] == "480.00" and ledger["generic"] == "4520.00"


async def test_completion_reconciles_to_the_estimate_times_the_factor_charging_extra(quiet: Sim) -> None:
    gid = await _video(quiet, factor="1.2")
    await quiet.finish()
    assert (await quiet.generation(gid))["execution_cost"] == "576.00"
    assert await quiet.balance() == START - d("576.00")
    assert (await quiet.admin("stats"))["ledger"]["reconciled"] == "96.00"


async def test_completion_reconciles_to_the_estimate_times_the_factor_refunding_the_difference(quiet: Sim) -> None:
    gid = await _video(quiet, factor="0.83")
    await quiet.finish()
    assert (await quiet.generation(gid))["execution_cost"] == "398.40"
    assert await quiet.balance() == START - d("398.40")
    assert (await quiet.admin("stats"))["ledger"]["reconciled"] == "-81.60"


async def test_the_seeded_factor_is_between_0_8_and_1_2_and_decides_the_final_cost(quiet: Sim) -> None:
    gid = await _video(quiet, fails=False)
    await quiet.finish()
    factor = quiet.sim.world.generations[int(gid)].factor
    assert Decimal("0.8") <= factor <= Decimal("1.2")
    final = (VIDEO * factor).quantize(Decimal("0.01"))
    assert d((await quiet.generation(gid))["execution_cost"]) == final
    assert await quiet.balance() == START - final


async def test_reconciling_may_take_the_balance_below_zero(quiet: Sim) -> None:
    await quiet.admin("credits", {"generic": "480"})
    await _video(quiet, factor="1.1")
    assert await quiet.balance() == 0
    await quiet.finish()
    assert await quiet.balance() == d("-48.00")
    org = (await quiet.client.get("/v1/organizations/10")).json()
    assert org["available_credit"]["generic"] == "-48.00"


async def test_a_failure_refunds_in_full(quiet: Sim) -> None:
    gid = await _video(quiet, fails=True, reason="Model timed out")
    await quiet.finish()
    gen = await quiet.generation(gid)
    assert (gen["status"], gen["failed_reason"], gen["execution_cost"]) == ("failed", "Model timed out", "0.00")
    assert await quiet.balance() == START
    assert (await quiet.admin("stats"))["ledger"]["refunded"] == "480.00"


async def test_stop_refunds_in_full_and_answers_the_whole_generation_in_docs(quiet: Sim) -> None:
    gid = await _video(quiet)
    response = await quiet.client.post(f"/v1/generations/{gid}/stop")
    assert response.status_code == 200
    assert response.json()["id"] == gid and response.json()["status"] == "stopped"
    assert await quiet.balance() == START


async def test_stop_answers_id_and_status_in_sdk(sdk: Sim) -> None:
    gid = await _video(sdk)
    response = await sdk.client.post(f"/v1/generations/{gid}/stop")
    assert response.json() == {"generation_id": gid, "status": "stopped"}
    assert await sdk.balance() == START


async def test_stop_works_while_processing_too(quiet: Sim) -> None:
    gid = await _video(quiet)
    gen = quiet.sim.world.generations[int(gid)]
    quiet.clock.advance(gen.pending_for + 0.01)
    assert (await quiet.generation(gid))["status"] == "processing"
    assert (await quiet.client.post(f"/v1/generations/{gid}/stop")).json()["status"] == "stopped"
    assert await quiet.balance() == START


async def test_continue_recharges_the_original_precharge_and_goes_back_to_pending(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    gid = await _video(quiet)
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json={"additional_attributes": {"duration": 10}})
    response = await quiet.client.post(f"/v1/generations/{gid}/continue")
    assert response.status_code == 200
    assert response.json()["status"] == "pending"
    assert await quiet.balance() == START - VIDEO
    ledger = (await quiet.admin("stats"))["ledger"]
    assert (ledger["precharged"], ledger["refunded"], ledger["recharged"]) == ("480.00", "480.00", "480.00")


async def test_continue_answers_id_and_status_in_sdk(sdk: Sim) -> None:
    gid = await _video(sdk)
    await sdk.client.post(f"/v1/generations/{gid}/stop")
    response = await sdk.client.post(f"/v1/generations/{gid}/continue")
    assert response.json() == {"generation_id": gid, "status": "pending"}


async def test_a_continued_generation_reconciles_like_any_other(quiet: Sim) -> None:
    gid = await _video(quiet, factor="1.05")
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    await quiet.client.post(f"/v1/generations/{gid}/continue")
    await quiet.finish()
    assert await quiet.balance() == START - d("504.00")


async def test_continue_without_enough_credit_is_422_and_charges_nothing(quiet: Sim) -> None:
    gid = await _video(quiet)
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    await quiet.admin("credits", {"generic": "479.99"})
    response = await quiet.client.post(f"/v1/generations/{gid}/continue")
    assert (response.status_code, response.json()["error_code"]) == (422, "insufficient_credits_for_job")
    assert await quiet.balance() == d("479.99")
    assert (await quiet.generation(gid))["status"] == "stopped"


async def test_continue_without_a_plan_is_422_usable_gen_credit_required(quiet: Sim) -> None:
    gid = await _video(quiet)
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    await quiet.admin("credits", {"active": False})
    response = await quiet.client.post(f"/v1/generations/{gid}/continue")
    assert (response.status_code, response.json()["error_code"]) == (422, "usable_gen_credit_required")


async def test_continue_on_a_generation_that_is_not_stopped_is_a_validation_error(quiet: Sim) -> None:
    gid = await _video(quiet, fails=False)
    response = await quiet.client.post(f"/v1/generations/{gid}/continue")
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    await quiet.finish()
    response = await quiet.client.post(f"/v1/generations/{gid}/continue")
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert (await quiet.admin("stats"))["ledger"]["recharged"] == "0.00"


async def test_stopping_a_finished_job_is_validation_error_in_docs(quiet: Sim) -> None:
    gid = await _video(quiet, fails=False)
    await quiet.finish()
    before = await quiet.balance()
    response = await quiet.client.post(f"/v1/generations/{gid}/stop")
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert await quiet.balance() == before


async def test_stopping_a_finished_job_is_job_cannot_be_stopped_in_sdk(sdk: Sim) -> None:
    gid = await _video(sdk, fails=True)
    await sdk.finish()
    response = await sdk.client.post(f"/v1/generations/{gid}/stop")
    assert (response.status_code, response.json()["error_code"]) == (422, "job_cannot_be_stopped")
    assert await sdk.balance() == START


async def test_stopping_twice_refunds_once(quiet: Sim) -> None:
    gid = await _video(quiet)
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    assert (await quiet.client.post(f"/v1/generations/{gid}/stop")).status_code == 422
    assert await quiet.balance() == START


async def test_a_new_generation_on_the_same_cell_is_an_independent_charge(quiet: Sim) -> None:
    first = await _video(quiet, factor="1.0")
    second = await _video(quiet, factor="1.0")
    assert first != second
    assert await quiet.balance() == START - 2 * VIDEO
    await quiet.client.post(f"/v1/generations/{first}/stop")
    assert await quiet.balance() == START - VIDEO
    await quiet.finish()
    assert await quiet.balance() == START - VIDEO


async def test_without_an_active_plan_every_engine_call_is_refused_but_discovery_works(quiet: Sim) -> None:
    await quiet.admin("credits", {"active": False})
    cell = quiet.cell(0, "SCRIPT")
    for method, url in [("GET", quiet.path()), ("GET", quiet.path(f"cells/{cell.id}")), ("GET", quiet.path("rows")),
                        ("PATCH", quiet.path(f"cells/{cell.id}")), ("GET", "/v1/vidsheet?agent_id=42")]:
        response = await quiet.client.request(method, url, json={"value": "x"})
        assert (response.status_code, response.json()["error_code"]) == (422, "usable_gen_credit_required"), url
    assert (await quiet.client.get("/v1/me")).status_code == 200
    org = (await quiet.client.get("/v1/organizations/10")).json()
    assert org["credit_plan"] is None


async def test_a_zero_balance_refuses_only_charged_calls(quiet: Sim) -> None:
    await quiet.admin("credits", {"generic": 0})
    cell = quiet.cell(0, "SCRIPT")
    assert (await quiet.client.get(quiet.path())).status_code == 200
    assert (await quiet.client.patch(quiet.path(f"cells/{cell.id}"), json={"value": "free edit"})).status_code == 200
    response = await quiet.generate(cell)
    assert (response.status_code, response.json()["error_code"]) == (422, "insufficient_credits_for_job")
    response = await quiet.client.post(quiet.path(f"cells/{cell.id}/render"))
    assert (response.status_code, response.json()["error_code"]) == (422, "insufficient_credits_for_job")


async def test_execution_cost_is_null_while_running_and_the_final_cost_when_completed(quiet: Sim) -> None:
    gid = await _video(quiet, factor="0.9")
    assert (await quiet.generation(gid))["execution_cost"] is None
    await quiet.finish()
    assert (await quiet.generation(gid))["execution_cost"] == "432.00"
    cell = (await quiet.client.get(quiet.path(f"cells/{quiet.cell(0, 'VIDEO').id}") + "&with_execution_cost=true"))
    jobs = cell.json()["user_jobs"]
    completed = [d(j["execution_cost"]) for j in jobs if j["status"] == "completed"]
    assert d(cell.json()["execution_cost"]) == sum(completed)


async def test_render_charges_the_render_estimate_on_the_rows_final_video_cell(quiet: Sim) -> None:
    cell = quiet.cell(3, "SCRIPT")
    response = await quiet.client.post(quiet.path(f"cells/{cell.id}/render"), json={"agent_id": "42"})
    assert response.status_code == 201
    gid = int(response.json()["generation_id"])
    assert quiet.sim.world.generations[gid].cell_id == quiet.cell(3, "FINAL VIDEO").id
    assert await quiet.balance() == START - costs.RENDER_COST
    assert (await quiet.generation(gid))["user_job_type"] == "render"


async def test_the_credits_admin_takes_strings_or_numbers_and_merges(quiet: Sim) -> None:
    assert await quiet.admin("credits", {"generic": "100.5"}) == {"generic": "100.50", "aura": "250.00", "active": True}
    assert await quiet.admin("credits", {"aura": 7}) == {"generic": "100.50", "aura": "7.00", "active": True}
    assert (await quiet.client.post("/_sim/credits", json={"generic": "lots"})).status_code == 422
