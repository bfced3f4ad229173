"""Batches: mass regenerate of 200 cells against the simulator with a 200 ms round trip.

`gentui sim --rows 100 --columns 8 --quiet --latency-ms 200` in its own process; the 200 cells
are the engine's two text columns. First a sequential loop (one generate after the other, the
baseline), then gentui's `BatchRunner` at the default cap (4) and at cap 8 (the `batch_concurrency`
setting, 1-16), the world reset between runs. The simulator's stats prove every cell was charged
once per run; the runner's `max_in_flight` proves the cap was never passed.

    python bench/batch.py [--cells 200] [--latency-ms 200]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import line, note, sim_process

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards
from gentui.core.batch import BatchRunner, plan_batch
from gentui.core.session import Session

GENERATE = "POST /v1/vidsheet/{id}/cells/{cell_id}/generate"


async def open_session(sim) -> Session:
    client = GenClient(sim.base_url, sim.api_key)
    session = Session(client, sim.agent_id, sim.engine_id)
    await session.load_engine()
    await session.load_credits()
    return session


def text_keys(session: Session, count: int) -> list:
    columns = [c.id for c in session.state.columns if c.generation_type == vocab.TEXT]
    keys = [k for k in session.state.cells if k[1] in columns]
    return keys[:count]


def fresh(sim) -> None:
    sim.admin("/_sim/reset", {"quiet": True})
    sim.admin("/_sim/credits", {"generic": "10000000", "active": True})


async def sequential(sim, count: int) -> float:
    fresh(sim)
    session = await open_session(sim)
    keys = text_keys(session, count)
    started = time.perf_counter()
    for key in keys:
        generation_type, data = session.state.card(key).body()
        await session.client.generate(session.agent_id, session.engine_id, session.state.cells[key].cell_id,
                                      generation_type, data)
    elapsed = time.perf_counter() - started
    await session.client.aclose()
    sent = sim.stats().get(GENERATE, 0)
    note(f"sequential: {len(keys)} generates in {elapsed:.1f} s; the simulator counted {sent}")
    return elapsed


async def batched(sim, count: int, cap: int) -> tuple[float, int, int]:
    fresh(sim)
    session = await open_session(sim)
    keys = text_keys(session, count)
    actions = Actions(session, Guards(low_balance_warning=Decimal(0), confirm="costly", confirm_above=Decimal(10**9)))
    plan = plan_batch(session, actions, keys)
    runner = BatchRunner(session, actions, plan, concurrency=cap)
    started = time.perf_counter()
    progress = await runner.run()
    elapsed = time.perf_counter() - started
    await session.client.aclose()
    stats = sim.admin("/_sim/stats")
    charges = stats["charges_by_idempotency_key"]
    once = len(charges) == progress.sent and set(charges.values()) <= {1}
    note(f"batch cap {cap}: {progress.sent} sent, {progress.failed} failed in {elapsed:.1f} s; max in flight "
         f"{runner.max_in_flight}; each cell charged once: {once}")
    return elapsed, runner.max_in_flight, progress.sent


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=200)
    parser.add_argument("--latency-ms", type=int, default=200)
    args = parser.parse_args()
    rows = max(1, -(-args.cells // 2))
    with sim_process("--rows", str(rows), "--columns", "8", "--quiet", "--latency-ms", str(args.latency_ms)) as sim:
        base = await sequential(sim, args.cells)
        results = {cap: await batched(sim, args.cells, cap) for cap in (4, 8)}
    line("sequential loop", f"{base:.1f} s for {args.cells} cells", "reference", None)
    ok = True
    for cap, (elapsed, peak, sent) in results.items():
        speedup = base / elapsed
        passed = speedup >= 5 and peak <= cap and sent == args.cells
        ok = ok and (passed or cap == 4)
        line(f"mass regenerate, cap {cap}{' (default)' if cap == 4 else ''}",
             f"{elapsed:.1f} s, {speedup:.1f}x faster, max {peak} in flight",
             f">= 5x, never above {cap}", passed)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
