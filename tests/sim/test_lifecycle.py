"""The generation lifecycle on the scaled clock: pending, processing, completed or failed; speed and freezing."""

from __future__ import annotations

import re

import pytest

from gentui.api import vocab
from gentui.sim.lifecycle import DURATIONS

from .conftest import Sim

EPS = 0.01


async def _start(world: Sim, row: int = 0, title: str = "SCRIPT", body: dict | None = None, fails: bool = False):
    response = await world.generate(world.cell(row, title), body)
    assert response.status_code == 201, response.text
    gid = response.json()["generation_id"]
    world.force(gid, fails=fails)
    return gid, world.sim.world.generations[int(gid)]


async def _status(world: Sim, gid) -> str:
    return (await world.generation(gid))["status"]


async def test_a_generation_goes_pending_then_processing_then_completed_on_the_clock(quiet: Sim) -> None:
    gid, gen = await _start(quiet)
    quiet.clock.advance(gen.pending_for - EPS)
    assert await _status(quiet, gid) == "pending"
    quiet.clock.advance(2 * EPS)
    assert await _status(quiet, gid) == "processing"
    quiet.clock.advance(gen.processing_for - 2 * EPS)
    assert await _status(quiet, gid) == "processing"
    quiet.clock.advance(2 * EPS)
    done = await quiet.generation(gid)
    assert done["status"] == "completed"
    assert done["created_at_ts"] < done["updated_at_ts"]


async def test_a_failing_generation_ends_failed_with_a_reason(quiet: Sim) -> None:
    gid, _ = await _start(quiet, fails=True)
    await quiet.finish()
    gen = await quiet.generation(gid)
    assert gen["status"] == "failed" and gen["failed_reason"]
    assert gen["result"] is None and gen["output_resources"] == []


async def test_speed_two_halves_every_duration(quiet: Sim) -> None:
    await quiet.admin("speed", {"speed": 2})
    gid, gen = await _start(quiet)
    total = gen.pending_for + gen.processing_for
    quiet.clock.advance(total / 2 - EPS)
    assert await _status(quiet, gid) == "processing"
    quiet.clock.advance(2 * EPS)
    assert await _status(quiet, gid) == "completed"


async def test_speed_zero_freezes_the_lifecycle(quiet: Sim) -> None:
    gid, gen = await _start(quiet)
    assert await quiet.admin("speed", {"speed": 0}) == {"speed": 0.0}
    quiet.clock.advance(100_000)
    assert await _status(quiet, gid) == "pending"
    await quiet.admin("speed", {"speed": 1})
    quiet.clock.advance(gen.pending_for + gen.processing_for + EPS)
    assert await _status(quiet, gid) == "completed"


async def test_simulated_time_is_continuous_across_speed_changes(quiet: Sim) -> None:
    gid, gen = await _start(quiet)
    total = gen.pending_for + gen.processing_for
    quiet.clock.advance(total / 2)
    await quiet.admin("speed", {"speed": 4})
    quiet.clock.advance(total / 2 / 4 - EPS)
    assert await _status(quiet, gid) == "processing"
    quiet.clock.advance(2 * EPS)
    assert await _status(quiet, gid) == "completed"


async def test_a_bad_speed_is_refused(quiet: Sim) -> None:
    for body in ({"speed": -1}, {"speed": "fast"}):
        assert (await quiet.client.post("/_sim/speed", json=body)).status_code == 422


@pytest.mark.parametrize(
    ("title", "kind"),
    [("SCRIPT", vocab.TEXT), ("B-ROLL", vocab.IMAGE_FROM_TEXT), ("VOICE", vocab.SPEECH_FROM_TEXT),
     ("CAPTIONS", vocab.CAPTIONS), ("VIDEO", vocab.VIDEO_FROM_TEXT)],
)
async def test_durations_fit_the_kind(quiet: Sim, title: str, kind: str) -> None:
    low, high = DURATIONS[kind]
    for row in range(6):
        _, gen = await _start(quiet, row, title)
        assert gen.kind == kind
        assert low <= gen.pending_for + gen.processing_for <= high + EPS


async def test_a_completed_text_fills_result_and_the_cells_value(quiet: Sim) -> None:
    cell = quiet.cell(12, "SCRIPT")
    gid, _ = await _start(quiet, 12, "SCRIPT")
    await quiet.finish()
    gen = await quiet.generation(gid)
    assert isinstance(gen["result"], str) and gen["result"]
    shown = (await quiet.client.get(quiet.path(f"cells/{cell.id}"))).json()
    assert shown["value"] == gen["result"]
    assert shown["user_job_id"] == gid and shown["default_user_job"]["id"] == gid


async def test_completed_captions_carry_word_timings(quiet: Sim) -> None:
    gid, _ = await _start(quiet, 0, "CAPTIONS")
    await quiet.finish()
    captions = (await quiet.generation(gid))["result"]["captions"]
    assert captions and all(set(c) == {"word", "start", "end"} and c["end"] > c["start"] for c in captions)


@pytest.mark.parametrize(("title", "ext", "object_type"),
                         [("VIDEO", "mp4", "video"), ("B-ROLL", "png", "image"), ("VOICE", "mp3", "audio")])
async def test_completed_media_carry_output_resources(quiet: Sim, title: str, ext: str, object_type: str) -> None:
    gid, _ = await _start(quiet, 0, title)
    await quiet.finish()
    gen = await quiet.generation(gid)
    assert gen["result"] is None
    [out] = gen["output_resources"]
    assert set(out) == {"id", "url", "thumbnail_url", "object_type", "type"}
    assert re.fullmatch(rf"http://sim/_sim/media/{object_type}-r1-{out['id']}(-\d+s)?\.{ext}", out["url"])
    thumb = out["thumbnail_url"]
    assert thumb is None if object_type == "audio" else thumb == f"http://sim/_sim/media/{object_type}-r1-{out['id']}.thumb.png"
    assert (out["object_type"], out["type"]) == (object_type, "output")
    cell = (await quiet.client.get(quiet.path(f"cells/{quiet.cell(0, title).id}"))).json()
    assert cell["value"] == out["url"]


async def test_number_of_images_gives_that_many_outputs(quiet: Sim) -> None:
    body = {"generation_type": "image_from_text", "data": {"number_of_images": 2}}
    gid, _ = await _start(quiet, 0, "B-ROLL", body)
    assert await quiet.balance() == 5000 - 10
    await quiet.finish()
    assert len((await quiet.generation(gid))["output_resources"]) == 2


async def test_the_displayed_job_becomes_the_newest_completed_one(quiet: Sim) -> None:
    cell = quiet.cell(0, "SCRIPT")
    before = cell.displayed
    first, _ = await _start(quiet)
    second, _ = await _start(quiet, fails=True)
    assert cell.displayed == before
    await quiet.finish()
    shown = (await quiet.client.get(quiet.path(f"cells/{cell.id}"))).json()
    assert shown["user_job_id"] == first  # the newer one failed
    assert [j["id"] for j in shown["user_jobs"]][:2] == [second, first]


async def test_the_demo_is_alive_several_generations_finish_in_the_first_20_seconds(demo: Sim) -> None:
    running = set(demo.sim.world.in_flight)
    assert len(running) >= 8
    demo.clock.advance(20)
    await demo.client.get("/v1/me")
    finished = running - demo.sim.world.in_flight
    assert len(finished) >= 4
    assert demo.sim.world.in_flight  # videos and the render still running


async def test_generations_running_at_start_hold_their_precharge_already(demo: Sim) -> None:
    assert await demo.balance() == 5000
    demo.clock.advance(1000)
    await demo.client.get("/v1/me")
    ledger = demo.sim.world.ledger
    assert not demo.sim.world.in_flight
    assert ledger.precharged == 0 and ledger.generic == 5000 + ledger.refunded - ledger.reconciled
