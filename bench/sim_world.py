"""How fast the simulator builds and serves a large engine (the timing tests/sim/test_world.py no longer asserts).

    python bench/sim_world.py    # ~10 s: a 500 x 8 engine with 10 generations per cell, built, then GET twice
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import httpx
from _common import line, note

from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions


async def main() -> int:
    started = time.perf_counter()
    app = create_app(SimOptions(rows=500, columns=8, history=10, quiet=True), clock=ManualClock())
    built = time.perf_counter() - started
    sim = app.state.sim
    info = sim.world_info()
    agent, engine = info["agent_id"], info["engine_ids"][0]
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim",
                                 headers={"X-API-Key": sim.api_key}, timeout=120) as client:
        path = f"/v1/vidsheet/{engine}"
        t0 = time.perf_counter()
        first = await client.get(path, params={"agent_id": agent})
        first_s = time.perf_counter() - t0
        t0 = time.perf_counter()
        again = await client.get(path, params={"agent_id": agent})
        again_s = time.perf_counter() - t0
    note(f"answer {len(first.content) / 1e6:.1f} MB, statuses {first.status_code} {again.status_code}")
    ok = [line("sim build 500x8x10", f"{built:.2f} s", "< 3.0 s", built < 3.0),
          line("sim first GET", f"{first_s:.2f} s", "none", None),
          line("sim second GET", f"{again_s:.2f} s", "< 2.0 s", again_s < 2.0)]
    return 0 if all("MISS" not in text for text in ok) else 1


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
