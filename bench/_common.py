"""Shared by the bench scripts: a simulator in another process, /proc readings, percentiles, output lines.

Every script prints one summary line per figure, `figure: value (target: ...) PASS|MISS`, so the
README's table can be copied from a run. Nothing here is imported by gentui or by the unit tests.
"""

from __future__ import annotations

import contextlib
import json
import os
import shlex
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
#: compiled bytecode for the measured processes lives here (the checkout may forbid __pycache__)
PYCACHE = Path(os.environ.get("GENTUI_BENCH_PYCACHE", "/tmp/gentui-bench-pycache"))


def bench_env(**extra: str) -> dict[str, str]:
    """The environment of a measured process: bytecode compiled and kept (warm starts), no user config."""
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    for name in ("GEN_API_KEY", "GEN_API_BASE_URL"):
        env.pop(name, None)
    env.update(extra)
    return env


@dataclass
class Sim:
    """`gentui sim` running in its own process."""

    process: subprocess.Popen
    base_url: str
    api_key: str
    agent_id: str
    engine_id: str

    @property
    def root(self) -> str:
        return self.base_url.rsplit("/v1", 1)[0]

    def admin(self, path: str, body: dict | None = None) -> dict:
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(self.root + path, data=data, method="POST" if body is not None else "GET",
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            return json.loads(answer.read())

    def stats(self) -> dict[str, int]:
        return dict(self.admin("/_sim/stats")["requests"])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextlib.contextmanager
def sim_process(*args: str) -> Iterator[Sim]:
    """Start `gentui sim --port 0 ARGS`, wait for its four lines, stop it after the block."""
    process = subprocess.Popen([PYTHON, "-m", "gentui", "sim", "--port", "0", *args], cwd=ROOT, env=bench_env(),
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    values: dict[str, str] = {}
    try:
        while len(values) < 4:
            line = process.stdout.readline()
            if not line:
                raise RuntimeError(f"the simulator did not start: {process.stderr.read()[-2000:]}")
            if "=" in line:
                key, _, value = line.strip().removeprefix("export ").partition("=")
                values[key] = shlex.split(value)[0] if value else value
        sim = Sim(process, values["GEN_API_BASE_URL"], values["GEN_API_KEY"], values["GENTUI_AGENT_ID"],
                  values["GENTUI_ENGINE_ID"])
        deadline = time.monotonic() + 30
        while True:  # it prints before it listens
            try:
                sim.admin("/_sim/world")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        yield sim
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank; NaN for no values."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, min(len(ordered), int(-(-q * len(ordered) // 100))))
    return ordered[rank - 1]


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def proc_memory_mb(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MB."""
    out = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(("VmRSS:", "VmHWM:")):
            out[line.split(":")[0]] = int(line.split()[1]) / 1024
    return out.get("VmRSS", float("nan")), out.get("VmHWM", float("nan"))


def line(figure: str, value: str, target: str, ok: bool | None) -> str:
    verdict = "" if ok is None else (" PASS" if ok else " MISS")
    text = f"{figure}: {value} (target: {target}){verdict}"
    print(text, flush=True)
    return text


def note(text: str) -> None:
    print(f"  # {text}", file=sys.stderr, flush=True)


def compile_bytecode() -> None:
    """Compile gentui and its dependencies into PYCACHE once, so measured starts are warm."""
    modules = ("gentui.cli, gentui.commands.cockpit, gentui.ui.app, gentui.ui.screens.main, gentui.sim.app, "
               "gentui.commands.sim, textual.widgets")
    subprocess.run([PYTHON, "-c", f"import {modules}"], cwd=ROOT, env=bench_env(), check=True)


def wait_until(predicate, timeout: float, step: float = 0.01) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False
