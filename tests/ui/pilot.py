"""Shared helpers for the tests that drive the real app with Pilot against the in-process simulator.

Test modules import from here (never from one another); `conftest.py` holds only the fixtures.
"""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal

import httpx

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards
from gentui.core.journal import Journal
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.widgets.grid import EngineGrid

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
                         sleep=no_sleep)

    async def balance(self) -> Decimal:
        org = (await self.admin.get(f"/v1/organizations/{self.info['organization_id']}",
                                    headers={"X-API-Key": self.info["api_key"]})).json()
        return Decimal(str(org["available_credit"]["generic"]))

    async def post(self, path: str, body: dict) -> dict:
        return (await self.admin.post(f"/_sim/{path}", json=body)).json()

    async def stats(self) -> dict:
        return (await self.admin.get("/_sim/stats")).json()


async def no_sleep(_: float) -> None:
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


SIZE = (160, 48)


def loaded(app) -> bool:
    """The engine and the balance are in, and the grid has drawn them (core events arrive as messages)."""
    if app.session is None or not app.session.state.loaded or app.session.ledger.generic is None:
        return False
    return app.main is not None and app.main.query_one(EngineGrid).row_count > 0


async def goto(pilot, app, generation_type: str, row: int = 0):
    """Put the grid cursor on the first cell of the first column of a type; returns its key."""
    state = app.session.state
    index = next(i for i, c in enumerate(state.columns) if c.generation_type == generation_type)
    grid = app.screen.query_one(EngineGrid)
    grid.focus()
    grid.move_cursor(row=row, column=index + 1, animate=False)
    await pilot.pause()
    return grid.current_key


def terminal_output(app: GentuiApp) -> str:
    """What the app would write to the terminal for a full repaint of the current screen stack."""
    update = app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    return update.render_segments(app.console) if update is not None else ""


BASE_URL = "http://sim/v1"


def dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


async def crashed_gentuis_journal(world: World, path, cells: int) -> tuple[Session, Journal, list[str]]:
    """A journal owned by a gentui that died, holding unsent mass-regenerate intents for `cells` image cells."""
    session = Session(world.client(), str(world.info["agent_id"]), str(world.info["engine_ids"][0]))
    await session.load_engine()
    column = next(c.id for c in session.state.columns if c.generation_type == vocab.IMAGE_FROM_TEXT)
    keys = [(r, column) for r in session.state.rows][:cells]
    dead = Journal(path, base_url=BASE_URL, agent_id=session.agent_id, engine_id=session.engine_id)
    dead.pid, dead.started = dead_pid(), 1.0  # the crashed gentui
    idems = [dead.begin("mass_regenerate", k, session.state.cells[k].cell_id, session.state.card(k),
                        estimate=Decimal(5)) for k in keys]
    return session, dead, idems
