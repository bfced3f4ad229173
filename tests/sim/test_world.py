"""The seeded worlds: the demo's shape and hostile strings, determinism, reset, and scaled engines."""

from __future__ import annotations

import unicodedata

import pytest

from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions

from .conftest import Sim

COLUMNS = [
    ("SCRIPT", "text", "ingredient", {"generation_type": "text", "model": "gemini_2_0_flash"}),
    ("VOICE", "audio", "ingredient", {"generation_type": "speech_from_text"}),
    ("B-ROLL", "image", "ingredient", {"generation_type": "image_from_text", "model": "gemini_image", "ratio": "9:16"}),
    ("VIDEO", "video", "video",
     {"generation_type": "video_from_text", "model": "veo_3_1_fast", "ratio": "9:16", "duration": 8}),
    ("CAPTIONS", "text", "ingredient", {"generation_type": "captions", "model": "gemini"}),
    ("MOTION", "video", "video", {"generation_type": "video_from_image", "model": "kling_2_6", "ratio": "9:16", "duration": 5}),
    ("FINAL VIDEO", "video", "final_video", {}),
]


def _engine_text(options: SimOptions, engine: int = 0) -> str:
    app = create_app(options, clock=ManualClock())
    sim = app.state.sim
    return sim.serializer.engine_text(sim.world.engines[sim.world.engine_ids[engine]], True)


async def test_the_demo_world_is_demo_studio_with_two_engines(demo: Sim) -> None:
    info = await demo.admin("world")
    assert info["organization_id"] == 10 and info["agent_id"] == 42 and len(info["engine_ids"]) >= 2
    assert info["api_key"] == "sim-key"
    org = (await demo.client.get("/v1/organizations/10")).json()
    assert (org["name"], org["available_credit"]) == ("Demo Studio", {"generic": "5000.00", "aura": "250.00"})


async def test_the_main_engine_has_14_rows_and_the_documented_columns_and_motion(demo: Sim) -> None:
    engine = (await demo.client.get(demo.path())).json()
    columns = [(c["title"], c["type"], c["column_role"], c["additional_attributes"]) for c in engine["spreadsheet_columns"]]
    assert columns == COLUMNS
    assert len(engine["spreadsheet_rows"]) == 14
    video = engine["spreadsheet_rows"][0]["spreadsheet_cells"][3]
    assert {"model": "veo_3_1_fast", "ratio": "9:16", "duration": 8}.items() <= video["additional_attributes"].items()
    assert video["additional_attributes"]["prompt"]


async def test_the_demo_has_completed_failed_and_stopped_history(demo: Sim) -> None:
    engine = (await demo.client.get(demo.path())).json()
    jobs = [j for r in engine["spreadsheet_rows"] for c in r["spreadsheet_cells"] for j in c["user_jobs"]]
    statuses = {j["status"] for j in jobs}
    assert {"completed", "failed", "stopped", "pending"} <= statuses
    assert all(j["failed_reason"] for j in jobs if j["status"] == "failed")


async def test_the_demo_carries_hostile_strings(quiet: Sim) -> None:
    texts = [
        (await quiet.client.get(quiet.path())).text,
        (await quiet.client.get(quiet.path(engine=1))).text,
        (await quiet.client.get("/v1/vidsheet?agent_id=42")).text,
    ]
    everything = "\n".join(texts)
    assert "[/]" in everything and "[@click=app.quit]" in everything
    assert "[bold]markup[/bold]" in everything
    assert "\\u001b[31m" in everything  # ESC, escaped by JSON
    engine2 = (await quiet.client.get(quiet.path(engine=1))).json()
    assert "\x1b[31m" in engine2["title"]
    assert any("\x1b[31m" in c["title"] for c in engine2["spreadsheet_columns"])
    values = [c["value"] for r in (await quiet.client.get(quiet.path())).json()["spreadsheet_rows"]
              for c in r["spreadsheet_cells"] if isinstance(c["value"], str)]
    assert any(any(unicodedata.combining(ch) for ch in v) and any(unicodedata.east_asian_width(ch) == "W" for ch in v)
               for v in values)


async def test_the_same_seed_gives_the_same_world_and_another_seed_another() -> None:
    assert _engine_text(SimOptions()) == _engine_text(SimOptions())
    assert _engine_text(SimOptions(seed=7)) != _engine_text(SimOptions())
    assert _engine_text(SimOptions(rows=30, columns=7, seed=3)) == _engine_text(SimOptions(rows=30, columns=7, seed=3))


async def test_the_same_seed_decides_the_same_fates_for_new_generations() -> None:
    results = []
    for _ in range(2):
        world = Sim()
        async with world.client:
            ids = [(await world.generate(world.cell(r, "VIDEO"))).json()["generation_id"] for r in range(8)]
            await world.finish()
            results.append([(await world.generation(i))["status"] for i in ids] + [str(await world.balance())])
    assert results[0] == results[1]


async def test_reset_restores_the_seeded_world_with_the_same_ids_and_key(demo: Sim) -> None:
    before = (await demo.client.get(demo.path())).json()
    info = await demo.admin("world")
    await demo.generate(demo.cell(0, "VIDEO"))
    await demo.client.patch(demo.path(f"cells/{demo.cell(0, 'SCRIPT').id}"), json={"value": "changed"})
    await demo.admin("credits", {"generic": 1, "active": False})
    await demo.admin("api-key", {"api_key": "other"})
    answer = await demo.admin("reset", {"quiet": False})
    assert answer["quiet"] is False and answer["api_key"] == "sim-key"
    assert await demo.admin("world") == info
    after = (await demo.client.get(demo.path())).json()
    assert after == before
    assert (await demo.admin("stats"))["requests"] == {"GET /v1/vidsheet/{id}": 1}
    assert await demo.balance() == 5000


async def test_a_quiet_reset_has_nothing_running(demo: Sim) -> None:
    assert demo.sim.world.in_flight
    await demo.admin("reset", {"quiet": True})
    assert not demo.sim.world.in_flight
    await demo.admin("reset", {"quiet": False})
    assert demo.sim.world.in_flight


async def test_a_scaled_world_has_the_asked_dimensions_and_work_in_flight() -> None:
    world = Sim(quiet=False, rows=40, columns=9, in_flight=12, seed=5)
    async with world.client:
        engine = (await world.client.get(world.path())).json()
        assert len(engine["spreadsheet_rows"]) == 40 and len(engine["spreadsheet_columns"]) == 9
        assert engine["spreadsheet_columns"][-1]["column_role"] == "final_video"
        assert all(len(r["spreadsheet_cells"]) == 9 for r in engine["spreadsheet_rows"])
        assert len(world.sim.world.in_flight) == 12
        counts = [len(c["user_jobs"]) for r in engine["spreadsheet_rows"] for c in r["spreadsheet_cells"]]
        assert min(counts) >= 0 and max(counts) <= 11 and len(set(counts)) > 3
        kinds = {world.sim.world.generations[g].kind for g in world.sim.world.in_flight}
        assert len(kinds) >= 3
        assert len(world.sim.world.engine_ids) >= 2


async def test_a_quiet_scaled_world_has_nothing_in_flight() -> None:
    world = Sim(rows=5, columns=3, in_flight=4)
    assert not world.sim.world.in_flight


async def test_a_500_by_8_engine_with_10_jobs_per_cell_builds_and_serves_the_same_answer_twice() -> None:
    """What it builds and serves; how fast is bench/sim_world.py's business (no timed unit tests)."""
    world = Sim(rows=500, columns=8, history=10)
    async with world.client:
        response = await world.client.get(world.path())
        assert response.status_code == 200
        assert len(response.content) > 15_000_000
        again = await world.client.get(world.path())
        assert again.content == response.content
    rows = response.json()["spreadsheet_rows"]
    assert len(rows) == 500 and all(len(c["user_jobs"]) == 10 for r in rows for c in r["spreadsheet_cells"])


def test_a_slowed_server_dates_its_history_and_its_running_work_at_its_own_pace() -> None:
    """History took as long as the lifecycle takes now, and work running at start is as old, in wall
    seconds, as the simulated time it has run: a client learning durations learns this server's."""
    from gentui.sim.clock import SimTime
    from gentui.sim.lifecycle import DURATIONS
    from gentui.sim.model import COMPLETED
    from gentui.sim.seed import build_world

    speed = 0.5
    clock = ManualClock()
    time = SimTime(clock, speed)
    world = build_world(SimOptions(rows=30, columns=8, in_flight=20, seed=3, speed=speed), time, False)
    past = [g for g in world.generations.values() if g.status == COMPLETED]
    assert len(past) > 100
    for gen in past:
        low, high = DURATIONS[gen.kind]
        assert low / speed <= gen.updated_at - gen.created_at <= high / speed
    assert max(g.updated_at - g.created_at for g in past if g.kind == "text") > DURATIONS["text"][1]  # slowed, not speed 1
    assert len(world.in_flight) == 20
    for gid in world.in_flight:
        gen = world.generations[gid]
        ran = time.now() - gen.phase_start  # simulated seconds
        assert ran > 0
        assert clock.now() - gen.created_at == pytest.approx(ran / speed)
