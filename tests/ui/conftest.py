"""Helpers for driving the real app against the in-process simulator."""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal

import httpx
import pytest

from gentui.api.client import GenClient
from gentui.core.actions import Guards
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from gentui.ui.app import GentuiApp, Launch

FROZEN_NOW = 1_795_000_000.0  # the UI's clock in tests: elapsed times and "updated ago" stay put


class World:
    """A simulator in-process, its clock, and an admin client."""

    def __init__(self, **options) -> None:
        self.clock = ManualClock()
        self.app = create_app(SimOptions(**options), clock=self.clock)
        self.info = self.app.state.sim.world_info()
        self.admin = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sim")

    def client(self) -> GenClient:
        return GenClient("http://sim/v1", self.info["api_key"], transport=httpx.ASGITransport(app=self.app),
                         sleep=_no_sleep)

    async def balance(self) -> Decimal:
        org = (await self.admin.get(f"/v1/organizations/{self.info['organization_id']}",
                                    headers={"X-API-Key": self.info["api_key"]})).json()
        return Decimal(str(org["available_credit"]["generic"]))

    async def post(self, path: str, body: dict) -> dict:
        return (await self.admin.post(f"/_sim/{path}", json=body)).json()

    async def stats(self) -> dict:
        return (await self.admin.get("/_sim/stats")).json()


async def _no_sleep(_: float) -> None:
    return None


def make_app(world: World, *, guards: Guards | None = None, clock: Callable[[], float] | None = None,
             engine_index: int = 0, **launch) -> GentuiApp:
    return GentuiApp(Launch(
        client=world.client(),
        agent_id=str(world.info["agent_id"]),
        engine_id=str(world.info["engine_ids"][engine_index]),
        guards=guards or Guards(),
        clock=clock or world.clock.now,
        **launch,
    ))


async def wait_for(pilot, condition: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await pilot.pause(0.02)


@pytest.fixture
def quiet_world() -> World:
    return World(quiet=True)


@pytest.fixture
def demo_world() -> World:
    return World()
