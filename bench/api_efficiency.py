"""API efficiency (issue 17): the real gentui core watcher against the SDK's way, in requests, wire bytes
and server CPU, on a compressing and on a non-compressing server, plus finish-to-seen and discovery delays.

Every run is a fresh `gentui sim --rows 500 --columns 8 --in-flight 300 --seed 7 --speed 0.35` in its
own process (the same seeded world each time), watched by one watcher at a time, over real HTTP:

- sdk: the official SDK's `waitForGeneration` for every generation in flight: GET /v1/generations/{id},
  then again every 2 s until it is finished (it is told about the outside work too, to be fair);
- gentui: the core's `Session` + `Poller` with their defaults (what the cockpit runs), started on the
  engine (its first engine read is start-up, before the window).

During the window, work is started elsewhere with `POST /_sim/spawn` a few at a time (admin: not
counted). Measured from the simulator: requests and wire bytes (`/_sim/stats`: `requests`,
`bytes_by_route`, the answers as sent, compressed or not) and its CPU (/proc/<pid>/stat) over the window.
Delays: a generation's finish is its `updated_at` on the wire (read after the window); "seen" is when
the watcher first showed it terminal. Discovery: from the spawn to the watcher showing the new
generation in flight. Then a 14 x 6 engine, gentui only, for the small-engine discovery target.

    python bench/api_efficiency.py [--seconds 60] [--in-flight 300] [--speed 0.35]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import note, percentile, proc_cpu_seconds, sim_process

from gentui.api import errors, vocab
from gentui.api.client import GenClient
from gentui.core.engine_state import EngineState
from gentui.core.events import EngineChanged
from gentui.core.poller import Poller, PollPolicy
from gentui.core.session import Session
from gentui.core.wire_cost import WireBudget

SEED = 7
TARGET_FAST, TARGET_SLOW = 3.0, 6.0  # p95 finish-to-seen: text and image; video
DISCOVERY_BIG, DISCOVERY_SMALL = 10.0, 3.0  # p95 outside work to in flight on screen: 500 x 8; 14 x 6
SHARE = 1 / 5  # requests, bytes, CPU: at most this share of the SDK way's (compressing server)
SHARE_PLAIN = 1 / 2  # bytes on a server that does not compress
VERDICTS: list[bool] = []
POLICY = PollPolicy()  # the cockpit's defaults (the flags below may try another budget)
TRACE = False  # --trace: describe each late or missed generation on stderr


def category(kind: str) -> str:
    if kind in (vocab.TEXT, vocab.IMAGE_FROM_TEXT):
        return "text/image"
    if kind in vocab.VIDEO_TYPES:
        return "video"
    return "other"


def verdict(name: str, value: str, target: str, ok: bool | None) -> None:
    if ok is not None:
        VERDICTS.append(ok)
    mark = "" if ok is None else (" PASS" if ok else " FAIL")
    print(f"{name}: {value} (target: {target}){mark}", flush=True)


@dataclass
class Run:
    requests: int = 0
    wire: int = 0
    cpu: float = 0.0
    client_cpu: float = 0.0
    seconds: float = 0.0
    by_route: dict[str, tuple[int, int]] = field(default_factory=dict)
    delays: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    missed: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    discovery: list[float] = field(default_factory=list)
    undiscovered: int = 0
    unknown: dict[str, int] = field(default_factory=lambda: defaultdict(int))  # finished before the watcher knew
    notes: str = ""
    late: list[str] = field(default_factory=list)  # --trace: the late and missed ones, described


class Watch:
    """What a watcher showed, and when (wall time): first terminal sighting, first sighting at all."""

    def __init__(self) -> None:
        self.terminal: dict[str, float] = {}
        self.present: dict[str, float] = {}

    def saw(self, gen_id: str, status: str, when: float) -> None:
        self.present.setdefault(gen_id, when)
        if vocab.is_terminal(status):
            self.terminal.setdefault(gen_id, when)


async def sdk_watch(client: GenClient, gen_id: str, watch: Watch, stop: asyncio.Event,
                    polled: dict[str, list[float]]) -> None:
    """The SDK's waitForGeneration: GET, then every 2 s, until finished."""
    while not stop.is_set():
        with contextlib.suppress(errors.GenApiError):
            polled[gen_id].append(time.time())
            gen = await client.get_generation(gen_id)
            watch.saw(gen_id, gen.status.value, time.time())
            if gen.status.terminal:
                return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=2.0)


def counted(stats: dict) -> tuple[int, int, dict[str, tuple[int, int]]]:
    requests, wire = stats["requests"], stats.get("bytes_by_route", {})
    routes = {r: (requests.get(r, 0), wire.get(r, 0)) for r in set(requests) | set(wire)}
    return sum(requests.values()), sum(wire.values()), routes


async def one_run(watcher: str, *, compress: bool, rows: int, columns: int, in_flight: int, speed: float,
                  seconds: float, spawn_every: float, spawn_count: int) -> Run:
    args = ["--rows", str(rows), "--columns", str(columns), "--in-flight", str(in_flight), "--seed", str(SEED),
            "--speed", str(speed)]
    if not compress:
        args.append("--no-compress")
    run = Run()
    polled: dict[str, list[float]] = defaultdict(list)  # --trace: gentui's generation GETs and engine reads
    engine_reads: list[float] = []
    with sim_process(*args) as sim:
        sim.admin("/_sim/credits", {"generic": "100000000", "active": True})
        pid = sim.process.pid
        async with GenClient(sim.base_url, sim.api_key) as truth, GenClient(sim.base_url, sim.api_key) as client:
            watch = Watch()
            stop = asyncio.Event()
            tasks: list[asyncio.Task] = []
            poller: Poller | None = None
            if watcher == "sdk":
                world = EngineState(sim.engine_id)
                world.apply_engine(await truth.get_engine(sim.agent_id, sim.engine_id))  # before the window

                def follow(gen_id: str) -> None:
                    tasks.append(asyncio.create_task(sdk_watch(client, gen_id, watch, stop, polled)))

                start_ids = [job.id for _, job in world.in_flight()]
            else:
                def observe(event: object) -> None:
                    if not isinstance(event, EngineChanged):
                        return
                    now = time.time()
                    for key in event.changes.cells:
                        cell = session.state.cells.get(key)
                        for job in cell.jobs if cell else ():
                            watch.saw(job.id, job.status, now)

                session = Session(client, sim.agent_id, sim.engine_id, emit=observe)
                poller = Poller(session, POLICY)
                if TRACE:
                    raw_poll, raw_engine = session.poll_generation, session.load_engine

                    async def traced_poll(gen_id: str) -> object:
                        polled[gen_id].append(time.time())
                        return await raw_poll(gen_id)

                    async def traced_engine() -> object:
                        engine_reads.append(time.time())
                        return await raw_engine()

                    session.poll_generation = traced_poll  # type: ignore[method-assign]
                    session.load_engine = traced_engine  # type: ignore[method-assign]
                await poller.round()  # the first engine read is start-up, not watching
                start_ids = [job.id for _, job in session.state.in_flight()]
            watched, start_set = set(start_ids), set(start_ids)
            before, cpu0, client0 = sim.admin("/_sim/stats"), proc_cpu_seconds(pid), time.process_time()
            start = time.time()
            if watcher == "sdk":
                for gen_id in start_ids:
                    follow(gen_id)
            else:
                assert poller is not None
                tasks.append(asyncio.create_task(poller.run()))
            spawned: dict[str, float] = {}
            next_spawn = start + spawn_every
            while time.time() < start + seconds:
                if time.time() >= next_spawn and time.time() < start + seconds - 12:
                    ids = sim.admin("/_sim/spawn", {"count": spawn_count})["generation_ids"]
                    when = time.time()
                    for gen_id in map(str, ids):
                        spawned[gen_id] = when
                        watched.add(gen_id)
                        if watcher == "sdk":
                            follow(gen_id)
                    next_spawn += spawn_every
                await asyncio.sleep(0.05)
            end = time.time()
            after, cpu1, client1 = sim.admin("/_sim/stats"), proc_cpu_seconds(pid), time.process_time()
            stop.set()
            if poller is not None:
                poller.stop()
                run.notes = (f"budget spent {poller.cost.spent_bytes / 1e6:.2f} MB, "
                             f"{poller.cost.spent_seconds:.1f} server-s; engine read cost "
                             f"{poller.cost.cost('engine')[0] / 1e6:.2f} MB / {poller.cost.cost('engine')[1]:.2f} s; "
                             f"generation GET {poller.cost.cost('generation')[0]:.0f} B / "
                             f"{poller.cost.cost('generation')[1] * 1000:.0f} ms; view age at the end "
                             f"{poller.view_age():.1f} s")
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            n0, b0, r0 = counted(before)
            n1, b1, r1 = counted(after)
            run.requests, run.wire, run.seconds = n1 - n0, b1 - b0, end - start
            run.by_route = {r: (r1[r][0] - r0.get(r, (0, 0))[0], r1[r][1] - r0.get(r, (0, 0))[1]) for r in r1}
            run.cpu, run.client_cpu = cpu1 - cpu0, client1 - client0
            # the truth, read after the window (not counted): each watched generation's kind and finish
            ids = sorted(watched)
            per_kind: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # --trace: generations, GETs
            for chunk in range(0, len(ids), 50):
                gens = await asyncio.gather(*(truth.get_generation(g) for g in ids[chunk:chunk + 50]),
                                            return_exceptions=True)
                for gen in gens:
                    if not isinstance(gen, BaseException):
                        per_kind[gen.user_job_type or "?"][0] += 1
                        per_kind[gen.user_job_type or "?"][1] += sum(start <= t <= end for t in polled.get(gen.id, ()))
                    if isinstance(gen, BaseException) or not gen.status.terminal or gen.updated_at is None:
                        continue
                    finished = gen.updated_at.timestamp()
                    if not start + 2 <= finished <= end - 8:
                        continue
                    cat = category(vocab.canonical_type(gen.user_job_type or ""))
                    seen = watch.terminal.get(gen.id)
                    # the same rule for both watchers: a generation counts once the watcher knew it in
                    # flight (at the start, or seen in flight before it finished); one found only after
                    # it finished is a discovery delay (outside work), not a finish-to-seen one
                    known = gen.id in start_set or watch.present.get(gen.id, float("inf")) < finished
                    if not known:
                        run.unknown[cat] += 1
                        continue
                    if seen is None:
                        run.missed[cat] += 1
                    else:
                        run.delays[cat].append(max(0.0, seen - finished))
                    target = TARGET_FAST if cat == "text/image" else TARGET_SLOW
                    if TRACE and (seen is None or seen - finished > target):
                        rel = lambda t: f"{t - start:+.1f}"  # noqa: E731
                        checks = " ".join(rel(t) for t in polled.get(gen.id, [])) if watcher != "sdk" else ""
                        run.late.append(
                            f"{watcher} {gen.id} {gen.user_job_type} {gen.status.value} start={gen.id in start_ids} "
                            f"created {rel(gen.created_at.timestamp()) if gen.created_at else '?'} finished "
                            f"{rel(finished)} seen {rel(seen) if seen else 'never'} checks [{checks}]")
    if TRACE:
        run.late.append("GETs per kind: " + ", ".join(
            f"{k} {n} gens {c} GETs" for k, (n, c) in sorted(per_kind.items())))
    if TRACE and watcher != "sdk":
        run.late.append("engine reads: " + " ".join(f"{t - start:+.1f}" for t in engine_reads))
    for gen_id, when in spawned.items():
        seen = watch.present.get(gen_id)
        if seen is None:
            run.undiscovered += 1
        else:
            run.discovery.append(max(0.0, seen - when))
    return run


def fmt(values: list[float]) -> str:
    if not values:
        return "none"
    return f"p50 {percentile(values, 50):.2f} s / p95 {percentile(values, 95):.2f} s (n={len(values)})"


def report(label: str, sdk: Run, ours: Run, *, compress: bool) -> None:
    print(f"\n== {label} ==", flush=True)
    for name, run in (("sdk", sdk), ("gentui", ours)):
        routes = ", ".join(f"{r}: {n} req {b / 1e6:.2f} MB" for r, (n, b) in sorted(run.by_route.items()) if n)
        note(f"{name}: {run.seconds:.0f} s; {routes}")
        if run.notes:
            note(f"{name}: {run.notes}")
        for line in run.late:
            note(f"{name} late: {line}")
        note(f"{name}: watcher process CPU {run.client_cpu:.1f} s")
    print(f"SDK way: {sdk.requests} requests, {sdk.wire / 1e6:.2f} MB on the wire, simulator CPU {sdk.cpu:.1f} s")
    print(f"gentui:  {ours.requests} requests, {ours.wire / 1e6:.2f} MB on the wire, simulator CPU {ours.cpu:.1f} s")

    def ratio(a: float, b: float) -> float:
        return a / b if b else float("inf")

    r_req, r_wire, r_cpu = ratio(ours.requests, sdk.requests), ratio(ours.wire, sdk.wire), ratio(ours.cpu, sdk.cpu)
    if compress:
        verdict("requests gentui/SDK", f"{r_req:.3f}", f"<= {SHARE:.2f}", r_req <= SHARE)
        verdict("wire bytes gentui/SDK", f"{r_wire:.3f}", f"<= {SHARE:.2f}", r_wire <= SHARE)
        verdict("simulator CPU gentui/SDK", f"{r_cpu:.3f}", f"<= {SHARE:.2f}", r_cpu <= SHARE)
    else:
        verdict("requests gentui/SDK", f"{r_req:.3f}", "reported", None)
        verdict("wire bytes gentui/SDK", f"{r_wire:.3f}", f"<= {SHARE_PLAIN:.2f}", r_wire <= SHARE_PLAIN)
        verdict("simulator CPU gentui/SDK", f"{r_cpu:.3f}", "reported", None)
    for cat, target in (("text/image", TARGET_FAST), ("video", TARGET_SLOW), ("other", None)):
        for name, run in (("sdk", sdk), ("gentui", ours)):
            values = run.delays.get(cat, [])
            missed = run.missed.get(cat, 0)
            extra = f", {missed} never seen" if missed else ""
            if run.unknown.get(cat):
                extra += f"; {run.unknown[cat]} finished before it knew them (not counted)"
            ok = None if target is None or name == "sdk" else \
                (bool(values) and percentile(values, 95) <= target and not missed)
            verdict(f"finish to seen, {cat} ({name})", fmt(values) + extra,
                    f"p95 <= {target:.0f} s" if target else "none (speech, captions)", ok)
    values = ours.discovery
    extra = f", {ours.undiscovered} never seen" if ours.undiscovered else ""
    verdict("outside work to in flight, 500x8 (gentui)", fmt(values) + extra, f"p95 <= {DISCOVERY_BIG:.0f} s",
            bool(values) and percentile(values, 95) <= DISCOVERY_BIG and not ours.undiscovered)


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="watching window of each run (default 60)")
    parser.add_argument("--in-flight", type=int, default=300)
    parser.add_argument("--speed", type=float, default=0.35)
    parser.add_argument("--spawn-every", type=float, default=12.0, help="seconds between outside spawns")
    parser.add_argument("--spawn-count", type=int, default=3, help="generations per outside spawn")
    parser.add_argument("--budget-bytes", type=float, help="try another WireBudget.bytes_per_second")
    parser.add_argument("--server-share", type=float, help="try another WireBudget.server_share")
    parser.add_argument("--only", choices=("compress", "plain", "small"), help="run one part only")
    parser.add_argument("--trace", action="store_true", help="describe each late or missed generation on stderr")
    args = parser.parse_args()
    global POLICY, TRACE
    TRACE = args.trace
    if args.budget_bytes or args.server_share:
        d = WireBudget()
        POLICY = PollPolicy(budget=WireBudget(args.budget_bytes or d.bytes_per_second, args.server_share or d.server_share))
    print(f"gentui budget: {POLICY.budget.bytes_per_second / 1000:.0f} KB/s, server share {POLICY.budget.server_share:g}, "
          f"discovery share {POLICY.discovery_share:g}", flush=True)
    common = {"rows": 500, "columns": 8, "in_flight": args.in_flight, "speed": args.speed, "seconds": args.seconds,
              "spawn_every": args.spawn_every, "spawn_count": args.spawn_count}
    print(f"world: 500x8, {args.in_flight} in flight at start, seed {SEED}, speed {args.speed}, window "
          f"{args.seconds:.0f} s, {args.spawn_count} spawned elsewhere every {args.spawn_every:.0f} s", flush=True)
    for compress, label in ((True, "compressing server (default)"), (False, "server without compression")):
        if args.only and args.only != ("compress" if compress else "plain"):
            continue
        sdk = await one_run("sdk", compress=compress, **common)
        ours = await one_run("gentui", compress=compress, **common)
        report(label, sdk, ours, compress=compress)
    if not args.only or args.only == "small":
        small = await one_run("gentui", compress=True, rows=14, columns=6, in_flight=20, speed=args.speed,
                              seconds=min(args.seconds, 40.0), spawn_every=4.0, spawn_count=2)
        print("\n== 14x6 engine, compressing server ==", flush=True)
        print(f"gentui:  {small.requests} requests, {small.wire / 1e6:.2f} MB on the wire, "
              f"simulator CPU {small.cpu:.1f} s in {small.seconds:.0f} s")
        extra = f", {small.undiscovered} never seen" if small.undiscovered else ""
        verdict("outside work to in flight, 14x6 (gentui)", fmt(small.discovery) + extra,
                f"p95 <= {DISCOVERY_SMALL:.0f} s",
                bool(small.discovery) and percentile(small.discovery, 95) <= DISCOVERY_SMALL and not small.undiscovered)
    print(f"\n{sum(VERDICTS)} of {len(VERDICTS)} targets PASS", flush=True)
    return 0 if all(VERDICTS) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
