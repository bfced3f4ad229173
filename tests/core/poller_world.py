"""A poller on a simulated world with hand-driven clocks, for the poller tests (not a test module)."""

from __future__ import annotations

import httpx

from gentui.api.client import GenClient
from gentui.core.poller import Poller, PollPolicy
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions


class Mono:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _no_sleep(_: float) -> None:
    return None


def setup(options: SimOptions, policy: PollPolicy | None = None, *, measure: bool = True):
    clock = ManualClock()
    app = create_app(options, clock=clock)
    info = app.state.sim.world_info()
    transport = httpx.ASGITransport(app=app)
    client = GenClient("http://sim/v1", info["api_key"], transport=transport, sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]), clock=clock.now)
    mono = Mono()
    poller = Poller(session, policy or PollPolicy(), monotonic=mono, measure=measure)
    return app, clock, session, poller, mono
