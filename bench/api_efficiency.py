"""API efficiency: gentui's poller against the official SDK's way, watching ~300 generations in flight.

Two runs, one after the other (never together: two loads on 2 cores distort each other), each on a
fresh `gentui sim --rows 500 --columns 8 --in-flight 300 --seed 7` in its own process:

1. naive: the SDK's `waitForGeneration` for every generation: GET /v1/generations/{id}, then again
   every 2 s until it is finished;
2. gentui: the core's `Session` + `Poller` with their defaults (what the cockpit runs).

In both runs a load driver keeps ~300 generations in flight: when one finishes (the simulator's
seeded fate tells when), it starts another on a random idle cell (the driver's POSTs are not
counted: only the watcher's requests are, from the simulator's `/_sim/stats`). gentui learns about
the driver's generations the way it learns about the web app's: from the engine.

Delay = when the watcher first shows a status at or past a transition (processing; completed /
failed) minus when the simulator made that transition (its creation time, from the wire, plus the
seeded fate's durations; the terminal time is checked against the wire's `updated_at`).

    python bench/api_efficiency.py [--seconds 90] [--in-flight 300]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import line, note, percentile, sim_process

from gentui.api import errors, vocab
from gentui.api.client import GenClient
from gentui.core.engine_state import EngineState
from gentui.core.events import EngineChanged
from gentui.core.poller import Poller, PollPolicy
from gentui.core.session import Session
from gentui.sim.lifecycle import fate

SEED = 7
FAILURE_RATE = 0.1  # SimOptions' default
RANK = {"pending": 0, "processing": 1, "completed": 2, "failed": 2, "stopped": 2}
TARGETS = {"text": 3.0, "image": 3.0, "video": 6.0}


def category(kind: str) -> str:
    if kind == vocab.TEXT:
        return "text"
    if kind == vocab.IMAGE_FROM_TEXT:
        return "image"
    if kind in vocab.VIDEO_TYPES:
        return "video"
    return "other"


@dataclass
class Tracked:
    kind: str
    key: tuple[str, str]
    created: float
    pending_for: float
    processing_for: float
    seen: dict[int, float] = field(default_factory=dict)  # rank -> first time the watcher showed it

    @property
    def done_at(self) -> float:
        return self.created + self.pending_for + self.processing_for

    def observe(self, status: str, when: float) -> None:
        rank = RANK.get(status)
        if rank is not None and rank not in self.seen:
            self.seen[rank] = when


class Driver:
    """Keeps `target` generations in flight on the engine by starting one whenever one finishes."""

    def __init__(self, client: GenClient, agent_id: str, engine_id: str, state: EngineState, target: int) -> None:
        self.client, self.agent_id, self.engine_id = client, agent_id, engine_id
        self.state, self.target = state, target
        self.tracked: dict[str, Tracked] = {}
        self.rng = random.Random(f"{SEED}:driver")
        self.busy: set[tuple[str, str]] = set()
        self.on_new = lambda gen_id: None
        self.samples: list[int] = []
        self.created = 0

    def adopt_running(self) -> None:
        for key, job in self.state.in_flight():
            kind = vocab.canonical_type(job.user_job_type) if job.user_job_type != "render" else vocab.RENDER
            f = fate(SEED, int(job.id), kind, FAILURE_RATE)
            self.tracked[job.id] = Tracked(kind, key, job.created_at, f.pending_for, f.processing_for)
            self.busy.add(key)

    def running(self, now: float) -> int:
        return sum(1 for t in self.tracked.values() if t.done_at > now)

    async def start_one(self) -> None:
        idle = [k for k in self.state.cells if k not in self.busy]
        key = self.rng.choice(idle)
        cell = self.state.cells[key]
        column = self.state.column(key[1])
        kind = column.generation_type if column else vocab.TEXT
        sent = time.time()
        if kind == vocab.RENDER:
            answer = await self.client.render(self.agent_id, self.engine_id, cell.cell_id)
        else:
            answer = await self.client.generate(self.agent_id, self.engine_id, cell.cell_id, kind, {})
        created = (sent + time.time()) / 2  # refined from the wire at the end
        f = fate(SEED, int(answer.generation_id), kind, FAILURE_RATE)
        self.tracked[answer.generation_id] = Tracked(kind, key, created, f.pending_for, f.processing_for)
        self.busy.add(key)
        self.created += 1
        self.on_new(answer.generation_id)

    async def run(self, until: float) -> None:
        while time.time() < until:
            now = time.time()
            for t in self.tracked.values():
                if t.done_at <= now:
                    self.busy.discard(t.key)
            missing = self.target - self.running(now)
            if missing > 0:
                await asyncio.gather(*(self.start_one() for _ in range(min(missing, 20))))
            self.samples.append(self.running(time.time()))
            await asyncio.sleep(0.1)


async def naive_watch(client: GenClient, gen_id: str, driver: Driver, stop: asyncio.Event) -> None:
    """The SDK's waitForGeneration: GET, then every 2 s, until finished."""
    tracked = driver.tracked[gen_id]
    while not stop.is_set():
        try:
            gen = await client.get_generation(gen_id)
        except errors.GenApiError:
            gen = None
        if gen is not None:
            tracked.observe(gen.status.value, time.time())
            if gen.status.terminal:
                return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)


async def one_run(mode: str, seconds: float, in_flight: int) -> dict:
    args = ("--rows", "500", "--columns", "8", "--in-flight", str(in_flight), "--seed", str(SEED))
    with sim_process(*args) as sim:
        sim.admin("/_sim/credits", {"generic": "100000000", "active": True})
        async with GenClient(sim.base_url, sim.api_key, generation_types="canonical") as driver_client, \
                GenClient(sim.base_url, sim.api_key) as watcher_client:
            world = EngineState(sim.engine_id)
            world.apply_engine(await driver_client.get_engine(sim.agent_id, sim.engine_id))
            driver = Driver(driver_client, sim.agent_id, sim.engine_id, world, in_flight)
            driver.adopt_running()
            stop = asyncio.Event()
            tasks: list[asyncio.Task] = []
            poller = None
            timings: list[tuple[float, float, int]] = []
            if mode == "naive":
                def spawn(gen_id: str) -> None:
                    tasks.append(asyncio.create_task(naive_watch(watcher_client, gen_id, driver, stop)))
                for gen_id in list(driver.tracked):
                    spawn(gen_id)
                driver.on_new = spawn
            else:
                def observe(event: object) -> None:
                    if not isinstance(event, EngineChanged):
                        return
                    now = time.time()
                    for key in event.changes.cells:
                        cell = session.state.cells.get(key)
                        for job in cell.jobs if cell else ():
                            tracked = driver.tracked.get(job.id)
                            if tracked is not None:
                                tracked.observe(job.status, now)

                session = Session(watcher_client, sim.agent_id, sim.engine_id, emit=observe)
                poller = Poller(session, PollPolicy())
                load = session.load_engine

                async def timed_load():  # records each engine GET's fetch and read times
                    changes = await load()
                    timings.append(session.engine_timing)
                    return changes

                session.load_engine = timed_load
                await poller.round()  # the first engine load is start-up, not watching
                tasks.append(asyncio.create_task(poller.run()))
            cpu0, start = time.process_time(), time.time()
            before = sim.stats()
            driving = asyncio.create_task(driver.run(start + seconds))
            await driving
            after = sim.stats()
            end, cpu = time.time(), time.process_time() - cpu0
            stop.set()
            if poller is not None:
                poller.stop()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            watched = {r: after.get(r, 0) - before.get(r, 0) for r in after if r.startswith("GET ")}
            total = sum(watched.values())
            # the truth: creation times and terminal times from the wire, lifecycles from the seeded fate
            check = [g for g, t in driver.tracked.items() if t.done_at < end]
            drift = []
            for chunk in range(0, len(check), 50):
                gens = await asyncio.gather(*(driver_client.get_generation(g) for g in check[chunk:chunk + 50]))
                for gen in gens:
                    t = driver.tracked[gen.id]
                    if gen.created_at is not None:
                        t.created = gen.created_at.timestamp()
                    if gen.status.terminal and gen.updated_at is not None:
                        drift.append(abs(gen.updated_at.timestamp() - t.done_at))
    delays: dict[str, list[float]] = defaultdict(list)
    missed: dict[str, int] = defaultdict(int)
    for t in driver.tracked.values():
        for rank, when in ((1, t.created + t.pending_for), (2, t.done_at)):
            if not start + 2 <= when <= end - 8:
                continue
            shown = min((w for r, w in t.seen.items() if r >= rank), default=None)
            if shown is None:
                missed[category(t.kind)] += 1
            else:
                delays[category(t.kind)].append(max(0.0, shown - when))
    minutes = (end - start) / 60
    if timings:
        fetches, reads, shown = ([t[i] for t in timings[1:]] for i in (0, 1, 3))
        note(f"{mode}: engine GETs {len(timings)}, {timings[-1][2] / 1e6:.1f} MB each; fetch p50 "
             f"{percentile(fetches, 50):.2f} s p95 {percentile(fetches, 95):.2f} s; read CPU p50 "
             f"{percentile(reads, 50):.2f} s p95 {percentile(reads, 95):.2f} s; answer to state p95 "
             f"{percentile(shown, 95):.2f} s")
    samples = driver.samples or [0]
    note(f"{mode}: {total} watching GETs in {end - start:.0f} s ({dict(sorted(watched.items()))}); "
         f"in flight avg {sum(samples) / len(samples):.0f} (min {min(samples)}); {driver.created} started; "
         f"process CPU {cpu:.1f} s; truth check: terminal times within {max(drift, default=0):.3f} s of the wire")
    return {"rate": total / minutes, "delays": delays, "missed": missed}


def fmt(values: list[float]) -> str:
    return f"p50 {percentile(values, 50):.2f} s / p95 {percentile(values, 95):.2f} s (n={len(values)})"


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=90.0, help="watching time of each run (default 90)")
    parser.add_argument("--in-flight", type=int, default=300)
    args = parser.parse_args()
    naive = await one_run("naive", args.seconds, args.in_flight)
    ours = await one_run("gentui", args.seconds, args.in_flight)
    line("naive poller (SDK waitForGeneration, 1 GET/generation/2 s)", f"{naive['rate']:.0f} requests/min",
         "reference", None)
    line("gentui poller", f"{ours['rate']:.0f} requests/min", f"<= {naive['rate'] / 10:.0f} (1/10 of naive)",
         ours["rate"] <= naive["rate"] / 10)
    ratio = ours["rate"] / naive["rate"] if naive["rate"] else float("nan")
    line("request ratio gentui/naive", f"{ratio:.4f} (1/{1 / ratio:.0f})" if ratio else "0", "<= 0.1", ratio <= 0.1)
    ok = True
    for cat in ("text", "image", "video", "other"):
        target = TARGETS.get(cat)
        for name, run in (("naive", naive), ("gentui", ours)):
            values = run["delays"].get(cat, [])
            p95 = percentile(values, 95)
            passed = None if target is None or name == "naive" else (p95 < target and not run["missed"].get(cat))
            ok = ok and passed is not False
            extra = f", {run['missed'][cat]} never shown" if run["missed"].get(cat) else ""
            line(f"delay {cat} ({name})", fmt(values) + extra,
                 f"p95 < {target:.0f} s" if target else "none (speech, captions)", passed)
    return 0 if ok and ratio <= 0.1 else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
