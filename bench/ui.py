"""UI: first paint, the full grid, a 300-cell poll, key presses while polling, idle CPU, memory.

gentui runs against `gentui sim` in another process; starts are warm (bytecode compiled into a
cache first). Figures:

- first paint of `gentui --demo`: process start to the first frame with text on a pseudo-terminal
  (200x50), median of 5 starts;
- full grid: from the engine GET's answer (the client's request record) to a 500x8 grid with every
  row, repainted (the real app, headless, in this process);
- a poll changing 300 cells: the state applying 300 generation answers, the screen patching the
  grid, and the first frame after it (300 cells drawn at random from the engine, as a poll's
  changes are; `--only worst` adds the case where all 300 are on screen);
- key presses while polling (300 generations in flight): from the key event to its action having
  run, p95 of 100 presses (`j`/`k` move the cursor, which also loads the cell's history);
- idle CPU and memory: the real `gentui` on a pseudo-terminal watching a 500x8 engine with 10
  history entries per cell and nothing in flight, CPU over 65 s (one idle engine refresh included),
  VmRSS / VmHWM from /proc.

    python bench/ui.py [--only paint,grid,poll,keys,idle]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import pty
import select
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import (
    PYTHON,
    ROOT,
    bench_env,
    compile_bytecode,
    line,
    note,
    percentile,
    proc_cpu_seconds,
    proc_memory_mb,
    sim_process,
)

SIZE = (200, 50)


# --- processes on a pseudo-terminal ------------------------------------------------------------------
class PtyProcess:
    """A command on a pseudo-terminal; its output is drained by a thread (timestamps of the first frame kept)."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import fcntl
        import termios

        self.started = time.perf_counter()
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", SIZE[1], SIZE[0], 0, 0))
        self.process = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, env=env, cwd=ROOT,
                                        start_new_session=True)
        os.close(slave)
        self.master = master
        self.first_frame: float | None = None
        self.bytes = 0
        self._stop = False
        self.thread = threading.Thread(target=self._drain, daemon=True)
        self.thread.start()

    def _drain(self) -> None:
        seen = b""
        while not self._stop:
            ready, _, _ = select.select([self.master], [], [], 0.05)
            if not ready:
                continue
            try:
                data = os.read(self.master, 65536)
            except OSError:
                return
            if not data:
                return
            self.bytes += len(data)
            if self.first_frame is None:
                seen = (seen + data)[-4096:]
                # a frame: the cursor moved to the top-left, then printable text followed
                if b"\x1b[1;1H" in seen and any(32 < c < 127 and c != 0x1B for c in seen.split(b"\x1b[1;1H", 1)[1][:400]
                                                 if c not in b"[;0123456789m"):
                    self.first_frame = time.perf_counter()

    def stop(self) -> None:
        self._stop = True
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.thread.join(2)
        os.close(self.master)


def app_env(tmp: str, **extra: str) -> dict[str, str]:
    return bench_env(TERM="xterm-256color", COLUMNS=str(SIZE[0]), LINES=str(SIZE[1]), XDG_CONFIG_HOME=f"{tmp}/config",
                     XDG_STATE_HOME=f"{tmp}/state", XDG_DATA_HOME=f"{tmp}/data", **extra)


def first_paint(runs: int = 5) -> float:
    times = []
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):  # the first start only warms caches
            proc = PtyProcess([PYTHON, "-m", "gentui", "--demo"], app_env(tmp))
            deadline = time.perf_counter() + 15
            while proc.first_frame is None and time.perf_counter() < deadline:
                time.sleep(0.005)
            if proc.first_frame is not None:
                times.append(proc.first_frame - proc.started)
            proc.stop()
            time.sleep(0.3)
    times = times[1:]
    note(f"first paint samples: {', '.join(f'{t:.3f}' for t in times)}")
    return statistics.median(times)


def idle_and_memory(seconds: float = 65.0) -> tuple[float, float, float, float]:
    """(CPU share while idle, VmRSS MB, VmHWM MB, engine MB) for the real gentui on a terminal."""
    with sim_process("--rows", "500", "--columns", "8", "--history", "10", "--in-flight", "0") as sim, \
            tempfile.TemporaryDirectory() as tmp:
        env = app_env(tmp, GEN_API_KEY=sim.api_key)
        proc = PtyProcess([PYTHON, "-m", "gentui", "--base-url", sim.base_url, "--agent", sim.agent_id,
                           "--engine", sim.engine_id], env)
        try:
            deadline = time.monotonic() + 30
            while sim.stats().get("GET /v1/vidsheet/{id}", 0) < 1 and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(6)  # the first load read and drawn
            rss_loaded, _ = proc_memory_mb(proc.process.pid)
            cpu0, t0 = proc_cpu_seconds(proc.process.pid), time.monotonic()
            time.sleep(seconds)
            cpu = (proc_cpu_seconds(proc.process.pid) - cpu0) / (time.monotonic() - t0)
            rss, hwm = proc_memory_mb(proc.process.pid)
            gets = sim.stats()
            note(f"idle: {gets} requests in all; RSS after load {rss_loaded:.0f} MB, after {seconds:.0f} s idle "
                 f"{rss:.0f} MB (peak {hwm:.0f} MB)")
        finally:
            proc.stop()
    return cpu, rss, hwm, 0.0


# --- the real app, headless, in this process ------------------------------------------------------------
async def headless(rows: int, in_flight: int, worst: bool = False) -> dict[str, object]:
    from textual import events

    from gentui.api.models import Generation
    from gentui.commands.cockpit import build_launch
    from gentui.core.events import EngineChanged
    from gentui.ui.app import GentuiApp
    from gentui.ui.widgets.grid import EngineGrid

    out: dict[str, object] = {}
    with sim_process("--rows", str(rows), "--columns", "8", "--in-flight", str(in_flight), "--seed", "7") as sim, \
            tempfile.TemporaryDirectory() as tmp:
        os.environ.update({k: v for k, v in app_env(tmp, GEN_API_KEY=sim.api_key).items() if k.startswith(("XDG", "GEN"))})
        args = argparse.Namespace(base_url=sim.base_url, agent_id=sim.agent_id, engine_id=sim.engine_id, demo=False)
        launch = build_launch(args)
        answered: list[float] = []

        def on_request(record) -> None:
            if record.method == "GET" and "/vidsheet/" in record.path and "/cells/" not in record.path:
                answered.append(time.perf_counter())

        app = GentuiApp(launch)
        app.request_observers.append(on_request)
        async with app.run_test(size=SIZE) as pilot:
            grid = app.main.query_one(EngineGrid)
            deadline = time.perf_counter() + 60
            while grid.row_count < rows and time.perf_counter() < deadline:
                await asyncio.sleep(0.005)
            await pilot.pause()
            full = time.perf_counter()
            out["grid"] = full - answered[0]
            timing = app.session.engine_timing
            note(f"full grid: {grid.row_count} rows x {len(grid.columns) - 1} columns, engine "
                 f"{app.session.state.engine_chars / 1e6:.1f} MB; answer to state {timing[3]:.2f} s "
                 f"({timing[1]:.2f} s CPU reading), state to painted grid {out['grid'] - timing[3]:.2f} s")

            # key presses while polling: j / k move the cursor (and load the cell's history)
            done: list[float] = []
            for name in ("cursor_down", "cursor_up"):
                original = getattr(grid, f"action_{name}")

                def wrapped(original=original) -> None:
                    original()
                    done.append(time.perf_counter())

                setattr(grid, f"action_{name}", wrapped)
            latencies = []
            polls_before = app.poller.rounds
            for i in range(100):
                sent = time.perf_counter()
                count = len(done)
                app._driver.send_message(events.Key("j" if i % 2 == 0 else "k", "j" if i % 2 == 0 else "k"))
                while len(done) == count and time.perf_counter() - sent < 5:
                    await asyncio.sleep(0.001)
                latencies.append((done[-1] if len(done) > count else time.perf_counter()) - sent)
                await asyncio.sleep(0.15)
            out["keys"] = latencies
            note(f"keys: {len(latencies)} presses during {app.poller.rounds - polls_before} poll rounds; "
                 f"{len(app.session.state.in_flight())} generations still in flight; max {max(latencies) * 1000:.0f} ms")

            # a poll that changes 300 cells: 300 generation answers applied, the grid patched, repainted
            app.poller.stop()
            await asyncio.sleep(0.5)
            state, main = app.session.state, app.main
            import random

            frames: list[float] = []
            display = app._display

            def timed_display(*a, **k):  # when a frame reaches the (headless) terminal
                result = display(*a, **k)
                frames.append(time.perf_counter())
                return result

            app._display = timed_display
            samples: list[tuple[float, float, float, float]] = []
            with_jobs = [k for k in state.cells if state.cells[k].latest is not None]
            for attempt, status in enumerate(("failed", "completed", "stopped", "failed", "completed")):
                keys = random.Random(7 + attempt).sample(with_jobs, 300)
                if worst:  # every changed cell on screen
                    keys = with_jobs[:300]
                answers = [Generation.model_validate({"id": state.cells[k].latest.id, "status": status,
                                                       "failed_reason": "bench"}) for k in keys]
                await pilot.pause(0.3)
                frames.clear()
                started = time.perf_counter()
                changes = None
                for key, gen in zip(keys, answers, strict=True):
                    one = state.apply_generation(gen, key)
                    if changes is None:
                        changes = one
                    else:
                        changes.cells |= one.cells
                applied = time.perf_counter()
                main.engine_changed(EngineChanged(changes))
                handled = time.perf_counter()
                while not frames and time.perf_counter() - handled < 5:
                    await asyncio.sleep(0.001)
                painted = frames[0] if frames else time.perf_counter()
                samples.append((painted - started, applied - started, handled - applied, painted - handled))
            samples.sort()
            total, state_s, patch_s, paint_s = samples[len(samples) // 2]
            out["poll"] = total
            note(f"poll of 300 cells ({'all on screen' if worst else 'anywhere in the engine'}), median of "
                 f"{len(samples)}: state {1000 * state_s:.0f} ms, grid patch {1000 * patch_s:.0f} ms, repaint "
                 f"{1000 * paint_s:.0f} ms; all: {', '.join(f'{1000 * t[0]:.0f}' for t in samples)} ms")
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default="paint,grid,keys,poll,idle")
    args = parser.parse_args()
    only = set(args.only.split(","))
    compile_bytecode()
    ok = True
    if "paint" in only:
        paint = first_paint()
        ok &= paint <= 0.6
        line("first paint of gentui --demo", f"{paint:.2f} s (median of 5)", "<= 0.6 s", paint <= 0.6)
    if only & {"grid", "keys", "poll"}:
        result = asyncio.run(headless(500, 300))
        grid = result["grid"]
        line("full grid of a 500x8 engine", f"{grid:.2f} s after the engine answer", "<= 1.5 s", grid <= 1.5)
        keys = result["keys"]
        p95 = percentile(keys, 95)
        line("key press while polling", f"p50 {1000 * percentile(keys, 50):.0f} ms / p95 {1000 * p95:.0f} ms",
             "p95 <= 50 ms", p95 <= 0.05)
        poll = result["poll"]
        line("applying a poll that changes 300 cells", f"{1000 * poll:.0f} ms (median of 5: state, grid patch, repaint)",
             "<= 80 ms", poll <= 0.08)
        if "worst" in only:
            worst = asyncio.run(headless(500, 0, worst=True))["poll"]
            line("  same, all 300 cells on screen", f"{1000 * worst:.0f} ms", "<= 80 ms", worst <= 0.08)
        ok &= grid <= 1.5 and p95 <= 0.05 and poll <= 0.08
    if "idle" in only:
        cpu, rss, hwm, _ = idle_and_memory()
        line("idle CPU watching an unchanging 500x8 engine", f"{100 * cpu:.1f}% of a core", "<= 2%", cpu <= 0.02)
        line("RSS with 500x8 cells, 10 history entries each", f"{rss:.0f} MB (peak {hwm:.0f} MB)", "<= 150 MB",
             rss <= 150)
        ok &= cpu <= 0.02 and rss <= 150
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
