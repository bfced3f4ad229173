"""The helpers other test suites use: `gentui.sim.testing`."""

from __future__ import annotations

from decimal import Decimal

from gentui.sim.testing import admin, balance, cell_of, engine_path, force_outcome, quiet_app, sim_client


async def test_the_helpers_drive_a_quiet_simulator_end_to_end() -> None:
    app, clock = quiet_app()
    async with sim_client(app) as client:
        assert (await admin(client, "world"))["engine_ids"][0] == app.state.sim.world.engine_ids[0]
        cell = cell_of(app, 0, "SCRIPT")
        response = await client.post(engine_path(app, f"cells/{cell.id}/generate"), json={})
        assert response.status_code == 201
        force_outcome(app, response.json()["generation_id"], factor="1.5")
        assert balance(app) == Decimal("4998.00")
        clock.advance(60)
        await client.get("/v1/me")
        assert balance(app) == Decimal("4997.00")
        assert (await admin(client, "credits", {"generic": "1"}))["generic"] == "1.00"
    async with sim_client(app, key="") as anonymous:
        assert (await anonymous.get("/v1/me")).status_code == 401


async def test_quiet_app_takes_any_option() -> None:
    app, _ = quiet_app(dialect="sdk", prefix="autocontentengine", seed=3)
    async with sim_client(app) as client:
        path = engine_path(app)
        assert path.startswith("/v1/autocontentengine/")
        assert "rows" in (await client.get(path)).json()
