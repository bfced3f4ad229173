"""Idempotency-Key on generate, render and continue: replays charge nothing; misuse is 422."""

from __future__ import annotations

from decimal import Decimal

from .conftest import Sim

START = Decimal("5000.00")
BODY = {"generation_type": "video_from_text", "data": {"duration": 8}}


async def test_a_replay_returns_the_same_answer_and_charges_nothing(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    first = await quiet.generate(cell, BODY, key="k-1")
    again = await quiet.generate(cell, BODY, key="k-1")
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    assert await quiet.balance() == START - 480
    stats = await quiet.admin("stats")
    assert stats["charges_by_idempotency_key"] == {"k-1": 1}
    assert stats["requests"]["POST /v1/vidsheet/{id}/cells/{cell_id}/generate"] == 2


async def test_the_same_body_spelled_differently_is_a_replay(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    url = quiet.path(f"cells/{cell.id}/generate")
    headers = {"Idempotency-Key": "k-2", "Content-Type": "application/json"}
    a = await quiet.client.post(url, content=b'{"generation_type":"video_from_text","data":{"duration":8}}', headers=headers)
    b = await quiet.client.post(url, content=b'{ "data": {"duration": 8}, "generation_type": "video_from_text" }',
                                headers=headers)
    assert a.json() == b.json()
    assert await quiet.balance() == START - 480


async def test_the_same_key_with_another_body_is_a_validation_error(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    await quiet.generate(cell, BODY, key="k-3")
    response = await quiet.generate(cell, {"generation_type": "video_from_text", "data": {"duration": 5}}, key="k-3")
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    assert await quiet.balance() == START - 480


async def test_the_same_key_on_another_path_is_a_validation_error(quiet: Sim) -> None:
    await quiet.generate(quiet.cell(0, "VIDEO"), BODY, key="k-4")
    response = await quiet.generate(quiet.cell(1, "VIDEO"), BODY, key="k-4")
    assert (response.status_code, response.json()["error_code"]) == (422, "validation_error")
    response = await quiet.generate(quiet.cell(0, "VIDEO"), BODY, key="k-4", prefix="autocontentengine")
    assert response.status_code == 422


async def test_errors_are_not_remembered_so_a_retry_after_a_top_up_works(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    await quiet.admin("credits", {"generic": "10"})
    refused = await quiet.generate(cell, BODY, key="k-5")
    assert refused.json()["error_code"] == "insufficient_credits_for_job"
    await quiet.admin("credits", {"generic": "1000"})
    accepted = await quiet.generate(cell, BODY, key="k-5")
    assert accepted.status_code == 201
    again = await quiet.generate(cell, BODY, key="k-5")
    assert again.json() == accepted.json()
    assert await quiet.balance() == Decimal(1000 - 480)
    assert (await quiet.admin("stats"))["charges_by_idempotency_key"] == {"k-5": 1}


async def test_generations_without_a_key_are_not_counted_by_key(quiet: Sim) -> None:
    await quiet.generate(quiet.cell(0, "VIDEO"), BODY)
    assert (await quiet.admin("stats"))["charges_by_idempotency_key"] == {}


async def test_a_replayed_continue_recharges_once_and_is_not_a_creation(quiet: Sim) -> None:
    gid = (await quiet.generate(quiet.cell(0, "VIDEO"), BODY)).json()["generation_id"]
    await quiet.client.post(f"/v1/generations/{gid}/stop")
    headers = {"Idempotency-Key": "c-1"}
    first = await quiet.client.post(f"/v1/generations/{gid}/continue", headers=headers)
    again = await quiet.client.post(f"/v1/generations/{gid}/continue", headers=headers)
    assert first.status_code == again.status_code == 200
    assert first.content == again.content
    assert await quiet.balance() == START - 480
    stats = await quiet.admin("stats")
    assert stats["ledger"]["recharged"] == "480.00"
    assert stats["charges_by_idempotency_key"] == {}


async def test_a_replayed_render_charges_once(quiet: Sim) -> None:
    url = quiet.path(f"cells/{quiet.cell(2, 'VIDEO').id}/render")
    first = await quiet.client.post(url, headers={"Idempotency-Key": "r-1"})
    again = await quiet.client.post(url, headers={"Idempotency-Key": "r-1"})
    assert first.status_code == 201 and first.json() == again.json()
    assert await quiet.balance() == START - 50
    assert (await quiet.admin("stats"))["charges_by_idempotency_key"] == {"r-1": 1}


async def test_a_replay_still_needs_the_key(quiet: Sim) -> None:
    cell = quiet.cell(0, "VIDEO")
    await quiet.generate(cell, BODY, key="k-6")
    response = await quiet.client.post(quiet.path(f"cells/{cell.id}/generate"), json=BODY,
                                       headers={"Idempotency-Key": "k-6", "X-API-Key": "wrong"})
    assert response.status_code == 401


async def test_reset_forgets_the_keys(quiet: Sim) -> None:
    await quiet.generate(quiet.cell(0, "VIDEO"), BODY, key="k-7")
    await quiet.admin("reset", {"quiet": True})
    response = await quiet.generate(quiet.cell(0, "SCRIPT"), {}, key="k-7")  # another path: 422 if remembered
    assert response.status_code == 201
    assert (await quiet.admin("stats"))["charges_by_idempotency_key"] == {"k-7": 1}
