"""The soak, short: the real app under 20 % faults drives a few hundred generations; counts only, never timings.

The same `Soak` driver as `bench/soak.py`, against the simulator in-process on a hand-driven clock
(each tick moves it one second, so generations finish and stopped ones can continue) with the
client's and the simulator's sleeps injected, so retries and latency spikes cost no wall time.
Connections dropped after the server acted exist only over real HTTP (the bench has them); here a
malformed answer after acting plays the same ambiguous part. Bursts of 90 % 5xx come every 20
simulated seconds: a single regenerate whose answer was lost and whose retries all failed stays
uncertain until the app sends it again with the same key (on reconnect, or every 15 s), and the end
of the soak waits for that, so such a charge is never lost.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from gentui.core.journal import Journal
from tests.ui.pilot import World

BENCH = Path(__file__).resolve().parents[2] / "bench" / "soak.py"


def load_soak():
    spec = importlib.util.spec_from_file_location("gentui_bench_soak", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


async def _no_sleep(_: float) -> None:
    return None


async def test_a_short_soak_under_faults_has_no_crash_no_double_charge_and_no_lost_intent(tmp_path: Path) -> None:
    soak_module = load_soak()
    world = World(rows=40, columns=8, in_flight=10, history=1, seed=3, error_rate=0.08, rate_limit_rate=0.04,
                  retry_after=1.0, malformed_rate=0.06, spike_rate=0.02, spike_ms=11_000)
    world.app.state.sim.sleep = _no_sleep
    await world.post("credits", {"generic": "1000000000", "active": True})

    async def admin(path: str, body: dict | None) -> dict:
        answer = await (world.admin.get(f"/_sim/{path}") if body is None else world.admin.post(f"/_sim/{path}", json=body))
        assert answer.status_code == 200, answer.text
        return answer.json()

    ticks = [0]

    def on_tick() -> None:
        ticks[0] += 1
        world.clock.advance(1.0)

    journal = Journal(tmp_path / "journal.sqlite3")
    soak = soak_module.Soak(world.client, admin, agent_id=str(world.info["agent_id"]),
                            engine_id=str(world.info["engine_ids"][0]), base_url="http://sim/v1", journal=journal,
                            done=lambda: ticks[0] >= 80, rate=3.0, batch_size=30, tick=0.05, on_tick=on_tick,
                            monotonic=world.clock.now, bursts=(20.0, 4.0), pause_chance=0.5,
                            clock=world.clock.now)
    counts = await soak.run()
    journal.close()

    assert counts.crashes == 0, counts.errors
    assert counts.worker_errors == 0, counts.errors
    assert counts.double_charges == 0, counts.details
    assert counts.lost_intents == 0, counts.details
    # it did soak: many generations, stops and continues, under faults that really fired
    assert counts.details["generations created"] >= 100, counts.details
    assert counts.details["faulted requests"] > 0, counts.details
    assert int(counts.details.get("bursts", 0)) >= 2, counts.details
    assert counts.singles["stop"] > 0 and counts.batches >= 2, (counts.singles, counts.batches)
    assert counts.resumes > 0, counts  # paused batches went on with their keys
