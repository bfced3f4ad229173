"""Soak: the live app against a faulty simulator for N minutes, thousands of generations; counts what broke.

`gentui sim` runs in its own process with 20 % of `/v1` requests faulted (8 % 500/502/503, 4 % 429
with and without Retry-After, 4 % connections dropped after the server acted, 3 % malformed JSON,
1 % latency spikes of 11 s) over a scaled world, and once a minute a 4-second burst of 90 % 5xx.
The real `GentuiApp` runs headless in this
process (Textual's Pilot), with its poller and a journal, and is driven the way a person drives it:
mass regenerates through the main screen's batch path (paused batches are resumed), and single
regenerates, stops and continues through the screen's action workers. At the end the faults are
cleared, paused batches are finished, and it prints one line per figure:

    crashes, unhandled worker errors, double charges, lost intents, peak RSS, CPU seconds

Double charges come from the simulator's `charges_by_idempotency_key` (a key created more than
once). A lost intent is a charge the app cannot account for: a journal intent still open whose key
the server charged, a charge whose key is not in the journal, or an intent of a batch left unsent.

    python bench/soak.py [--minutes 10] [--rate 5] [--no-bursts]

`tests/ui/test_soak_short.py` runs the same `Soak` driver for a few seconds in-process.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import line, note, proc_cpu_seconds, proc_memory_mb, sim_process

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards, Refusal
from gentui.core.batch import plan_batch
from gentui.core.journal import Journal
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch

Admin = Callable[[str, "dict | None"], Awaitable[dict]]
FAULTS = {"error_rate": 0.08, "rate_limit_rate": 0.04, "drop_rate": 0.04, "malformed_rate": 0.03,
          "spike_rate": 0.01, "spike_ms": 11_000, "latency_ms": 5}
NO_FAULTS = {"error_rate": 0, "rate_limit_rate": 0, "drop_rate": 0, "malformed_rate": 0, "spike_rate": 0,
             "spike_ms": 0, "latency_ms": 0, "retry_after": None}
#: never a confirm dialog, never a low-balance pause: the driver is the person saying yes
GUARDS = Guards(confirm="costly", confirm_above=Decimal(10**12), low_balance_warning=Decimal(0))


@dataclass
class Counts:
    crashes: int = 0
    worker_errors: int = 0
    double_charges: int = 0
    lost_intents: int = 0
    batches: int = 0
    batch_items: int = 0
    resumes: int = 0
    pauses: int = 0  # pressed by the "person" (server trouble pauses on its own)
    singles: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    details: dict[str, object] = field(default_factory=dict)


class Soak:
    """Drives one `GentuiApp` (restarted after a crash) until `done()` says stop, then counts."""

    def __init__(self, make_client: Callable[[], GenClient], admin: Admin, *, agent_id: str, engine_id: str,
                 base_url: str, journal: Journal, done: Callable[[], bool], rate: float = 5.0,
                 batch_size: int = 100, tick: float = 0.2, on_tick: Callable[[], None] | None = None,
                 monotonic: Callable[[], float] = time.monotonic, seed: int = 1,
                 bursts: tuple[float, float] | None = (60.0, 4.0), error_rate: float = FAULTS["error_rate"],
                 pause_chance: float = 0.1,
                 **launch: object) -> None:
        self.make_client, self.admin = make_client, admin
        self.agent_id, self.engine_id, self.base_url = agent_id, engine_id, base_url
        self.journal, self.done, self.rate, self.batch_size, self.tick = journal, done, rate, batch_size, tick
        self.on_tick = on_tick or (lambda: None)
        self.monotonic = monotonic
        self.rng = random.Random(seed)
        self.launch = launch
        self.counts = Counts()
        self.started = monotonic()
        self._paused_since: float | None = None
        #: (every, for how long) seconds: a burst of 90 % 5xx, so batches pause and get resumed
        self.bursts, self.error_rate, self.pause_chance = bursts, error_rate, pause_chance
        self._burst_until: float | None = None
        self._next_burst = self.started + (bursts[0] / 2 if bursts else 0)

    # --- the app --------------------------------------------------------------------------------------
    def hook(self, message: object) -> None:
        from textual.worker import Worker, WorkerState

        if isinstance(message, Worker.StateChanged) and message.state == WorkerState.ERROR:
            self.counts.worker_errors += 1
            self.counts.errors.append(f"worker {message.worker.name or message.worker.group}: {message.worker.error!r}")

    async def run(self) -> Counts:
        while not self.done():
            app = GentuiApp(Launch(client=self.make_client(), agent_id=self.agent_id, engine_id=self.engine_id,
                                   guards=GUARDS, journal=self.journal, base_url=self.base_url, **self.launch))
            try:
                async with app.run_test(size=(160, 48), message_hook=self.hook) as pilot:
                    await self._drive(app, pilot)
                    if app.is_running:
                        await self._finish(app, pilot)
                        return self.counts
            except Exception as exc:  # noqa: BLE001 - a crash is what we count
                self.counts.errors.append(f"crash: {exc!r}")
            self.counts.crashes += 1
        return self.counts

    async def _drive(self, app: GentuiApp, pilot) -> None:
        while not (app.session and app.session.state.loaded and app.main):
            if not app.is_running:
                return
            await pilot.pause(0.05)
        keys = [k for k in app.session.state.cells
                if app.session.state.card(k).generation_type not in (vocab.UNKNOWN, vocab.RENDER)]
        while not self.done() and app.is_running:
            self.on_tick()
            await self._burst_step()
            await pilot.pause(self.tick)
            self._batch_step(app, keys)
            self._single_step(app, keys)

    async def _burst_step(self) -> None:
        if self.bursts is None:
            return
        now = self.monotonic()
        if self._burst_until is not None and now >= self._burst_until:
            self._burst_until = None
            await self.admin("faults", {"error_rate": self.error_rate})
        elif self._burst_until is None and now >= self._next_burst:
            self._burst_until, self._next_burst = now + self.bursts[1], now + self.bursts[0]
            self.counts.details["bursts"] = int(self.counts.details.get("bursts", 0)) + 1
            await self.admin("faults", {"error_rate": 0.9})

    # --- what a person does ----------------------------------------------------------------------------
    def _started(self) -> int:
        return self.counts.batch_items + self.counts.singles["regenerate"]

    def _batch_step(self, app: GentuiApp, keys: list) -> None:
        main, batch = app.main, app.main.batch_bar.runner
        if batch is not None and batch.state == "paused":
            now = self.monotonic()
            self._paused_since = self._paused_since or now
            if now - self._paused_since >= 4 * self.tick:  # the person notices, then presses Resume
                self._paused_since = None
                self.counts.resumes += 1
                main.batch_bar.control("resume")
            return
        if batch is not None and batch.state == "running":
            if self.rng.random() < 0.02:  # now and then the person pauses a batch (and resumes it later)
                self.counts.pauses += 1
                main.batch_bar.control("pause")
            return
        if self._started() > self.rate * (self.monotonic() - self.started):
            return  # ahead of the wanted rate
        picked = self.rng.sample(keys, min(self.batch_size, len(keys)))
        try:
            plan = plan_batch(app.session, app.actions, picked)
        except Refusal as exc:
            self.counts.errors.append(f"batch refused: {exc}")
            return
        self.counts.batches += 1
        self.counts.batch_items += len(plan.items)
        main.mass.start_batch(plan)
        if self.rng.random() < self.pause_chance:  # paused at once: the rest waits for the resume
            self.counts.pauses += 1
            main.batch_bar.control("pause")

    def _single_step(self, app: GentuiApp, keys: list) -> None:
        state, actions, main = app.session.state, app.actions, app.main
        kind = self.rng.choices(("regenerate", "stop", "continue", None), (3, 3, 2, 2))[0]
        if kind is None:
            return
        if kind == "regenerate":
            key = self.rng.choice(keys)
            make = actions.plan_regenerate
        elif kind == "stop":
            flying = state.in_flight()
            if not flying:
                return
            key, make = self.rng.choice(flying)[0], actions.plan_stop
        else:
            stopped = [k for k in keys if state.cells[k].latest is not None and state.cells[k].latest.status == "stopped"]
            if not stopped:
                return
            key, make = self.rng.choice(stopped), actions.plan_continue
        try:
            main.cells.confirm_and_run(make(key))
        except Refusal:
            self.counts.singles[f"{kind} refused"] += 1
            return
        self.counts.singles[kind] += 1

    # --- the end: no faults, finish what is open, count -------------------------------------------------
    async def _finish(self, app: GentuiApp, pilot) -> None:
        await self.admin("faults", NO_FAULTS)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            batch = app.main.batch_bar.runner if app.main else None
            if batch is not None and batch.state == "paused":
                self.counts.resumes += 1
                app.main.batch_bar.control("resume")
            busy = [w for w in app.workers if w.group in ("actions", "batch", "resend") and w.is_running]
            lost_answers = app.actions.uncertain if app.actions else {}  # the app resends them (same keys)
            if not busy and not lost_answers and (batch is None or batch.state in ("done", "cancelled")):
                break
            self.on_tick()
            await pilot.pause(self.tick)
        stats = await self.admin("stats", None)
        charges: dict[str, int] = stats["charges_by_idempotency_key"]
        intents = self.journal.all()
        recorded = {i.idempotency_key for i in intents}
        open_intents = [i for i in intents if i.state == "intent"]
        c = self.counts
        c.double_charges = sum(1 for n in charges.values() if n > 1)
        open_charged = [i for i in open_intents if i.idempotency_key in charges]
        unrecorded = [k for k in charges if k not in recorded]
        unsent = [i for i in app.main.batch_bar.runner.plan.items if i.state in ("queued", "sending")] if app.main.batch_bar.runner else []
        c.lost_intents = len(open_charged) + len(unrecorded) + len(unsent)  # the app cannot say which generation
        c.details.update({
            "generations created": len(charges), "journal intents": len(intents),
            "by state": dict(Counter(i.state for i in intents)),
            "open, charged": [(i.action, (i.error or "")[:70]) for i in open_charged][:5] or 0,
            "charged, not in the journal": len(unrecorded),
            "batch items left unsent": len(unsent),
            "open, never reached the server (a toast said so; offered again at the next start)":
                len(open_intents) - len(open_charged),
            "why intents failed (4xx, nothing charged)": dict(Counter(
                (i.action, (i.error or "")[:60]) for i in intents if i.state == "failed").most_common(4)),
            "faulted requests": sum(stats.get("faulted", {}).values()),
            "requests": sum(stats.get("requests", {}).values()),
        })
        app.exit()


# --- the bench ---------------------------------------------------------------------------------------------
async def bench(minutes: float, rate: float, seed: int, bursts: bool = True) -> int:
    faults = [f"--{k.replace('_', '-')}={v}" for k, v in FAULTS.items()]
    with sim_process("--rows", "120", "--columns", "8", "--in-flight", "40", "--history", "1", "--seed", str(seed),
                     "--speed", "8", *faults) as sim, tempfile.TemporaryDirectory() as tmp:
        async def admin(path: str, body: dict | None) -> dict:
            return await asyncio.to_thread(sim.admin, f"/_sim/{path}", body)

        await admin("credits", {"generic": "1000000000", "active": True})
        journal = Journal(Path(tmp) / "journal.sqlite3")
        deadline = time.monotonic() + minutes * 60
        retry_after = [None, 1.0]
        last_flip = [time.monotonic()]

        def on_tick() -> None:  # 429s with and without Retry-After, a minute each
            if time.monotonic() - last_flip[0] > 60:
                last_flip[0] = time.monotonic()
                retry_after.reverse()
                sim.admin("/_sim/faults", {"retry_after": retry_after[0]})
                rss, hwm = proc_memory_mb(os.getpid())
                note(f"{(time.monotonic() - deadline) / 60 + minutes:.0f} min: RSS {rss:.0f} MB (peak {hwm:.0f}), "
                     f"sim RSS {proc_memory_mb(sim.process.pid)[0]:.0f} MB")

        cpu0 = proc_cpu_seconds(os.getpid())
        soak = Soak(lambda: GenClient(sim.base_url, sim.api_key), admin, agent_id=sim.agent_id,
                    engine_id=sim.engine_id, base_url=sim.base_url, journal=journal,
                    done=lambda: time.monotonic() > deadline, rate=rate, on_tick=on_tick, seed=seed,
                    bursts=(60.0, 4.0) if bursts else None)
        counts = await soak.run()
        cpu = proc_cpu_seconds(os.getpid()) - cpu0
        sim_cpu = proc_cpu_seconds(sim.process.pid)
        journal.close()
    for name, value in counts.details.items():
        note(f"{name}: {value}")
    note(f"batches {counts.batches} ({counts.batch_items} cells, {counts.pauses} paused by hand, {counts.resumes} "
         f"resumes); singles "
         f"{dict(counts.singles)}; simulator CPU {sim_cpu:.0f} s")
    for error in counts.errors[:10]:
        note(error)
    _, hwm = proc_memory_mb(os.getpid())
    ok = [line("crashes", str(counts.crashes), "0", counts.crashes == 0),
          line("unhandled worker errors", str(counts.worker_errors), "0", counts.worker_errors == 0),
          line("double charges", str(counts.double_charges), "0", counts.double_charges == 0),
          line("lost intents", str(counts.lost_intents), "0", counts.lost_intents == 0),
          line("peak RSS", f"{hwm:.0f} MB (app + driver, {minutes:g} min, "
               f"{counts.details.get('generations created', 0)} generations)", "bounded", None),
          line("CPU", f"{cpu:.0f} s over {minutes * 60:.0f} s ({100 * cpu / (minutes * 60):.0f} % of a core)",
               "reference", None)]
    return 0 if all(" PASS" in text for text in ok[:4]) else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=5.0, help="generations started per second (about)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--bursts", action=argparse.BooleanOptionalAction, default=True,
                        help="a 4-second burst of 90 %% 5xx once a minute (default on)")
    args = parser.parse_args()
    return asyncio.run(bench(args.minutes, args.rate, args.seed, args.bursts))


if __name__ == "__main__":
    sys.exit(main())
