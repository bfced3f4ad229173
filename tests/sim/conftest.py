"""Fixtures for the simulator's tests: an in-process simulator on a hand-driven clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.model import Cell
from gentui.sim.options import SimOptions
from gentui.sim.simulator import Simulator
from gentui.sim.testing import cell_of, engine_path, force_outcome


class Sim:
    """One simulator, its clock and a client that sends the key."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("quiet", True)
        self.clock = ManualClock()
        self.app = create_app(SimOptions(**options), clock=self.clock)
        self.sim: Simulator = self.app.state.sim
        self.client = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sim",
                                        headers={"X-API-Key": self.sim.api_key})

    def path(self, rest: str = "", *, engine: int = 0, prefix: str | None = None) -> str:
        return engine_path(self.app, rest, engine=engine, prefix=prefix)

    def cell(self, row: int, title: str, *, engine: int = 0) -> Cell:
        return cell_of(self.app, row, title, engine=engine)

    async def generate(self, cell: Cell, body: dict[str, Any] | None = None, *, key: str | None = None,
                       prefix: str | None = None) -> httpx.Response:
        headers = {"Idempotency-Key": key} if key else {}
        return await self.client.post(self.path(f"cells/{cell.id}/generate", prefix=prefix),
                                      json={} if body is None else body, headers=headers)

    async def balance(self) -> Decimal:
        org = (await self.client.get(f"/v1/organizations/{self.sim.world.organization_id}")).json()
        return Decimal(str(org["available_credit"]["generic"]))

    async def generation(self, gid: Any) -> dict[str, Any]:
        response = await self.client.get(f"/v1/generations/{gid}")
        assert response.status_code == 200, response.text
        return response.json()

    async def admin(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await (self.client.get(f"/_sim/{path}") if body is None
                          else self.client.post(f"/_sim/{path}", json=body))
        assert response.status_code == 200, response.text
        return response.json()

    def force(self, gid: Any, **kwargs: Any) -> None:
        force_outcome(self.app, gid, **kwargs)

    async def finish(self, seconds: float = 600.0) -> None:
        """Let every generation in flight end (clock forward, then one request to advance the world)."""
        self.clock.advance(seconds)
        await self.client.get("/v1/me")


@pytest.fixture
async def quiet() -> AsyncIterator[Sim]:
    world = Sim()
    async with world.client:
        yield world


@pytest.fixture
async def sdk() -> AsyncIterator[Sim]:
    world = Sim(dialect="sdk")
    async with world.client:
        yield world


@pytest.fixture
async def demo() -> AsyncIterator[Sim]:
    world = Sim(quiet=False)
    async with world.client:
        yield world


def d(text: str) -> Decimal:
    return Decimal(text)
