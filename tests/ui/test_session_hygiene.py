"""SIGTERM, SIGHUP and a lost terminal end the real `gentui --demo` cleanly within 5 s, leaving nothing behind.

Each case runs the real command on its own pseudo-terminal, in its own session (so any process it
left would still carry the session id), waits for the first frame, then ends it. The four run side
by side to keep the test short. "Cleanly" means: the exit code says which signal (128 + n), the
journal was closed (SQLite removes the `-wal` file when the last connection closes), and no
process of the session is left.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXIT_WITHIN = 5.0


class Cockpit:
    """`gentui --demo` on a pty; `ctty` makes the pty its controlling terminal (as under ssh)."""

    def __init__(self, tmp: Path, *, ctty: bool) -> None:
        self.tmp = tmp
        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        env = {k: v for k, v in os.environ.items() if not k.startswith(("GEN_", "GENTUI_"))}
        env.update(TERM="xterm-256color", TMPDIR=str(tmp), XDG_CONFIG_HOME=str(tmp / "config"),
                   XDG_STATE_HOME=str(tmp / "state"), XDG_DATA_HOME=str(tmp / "data"))

        def take_terminal() -> None:
            # a runner started under `nohup` passes SIGHUP on ignored, and an ignored signal stays ignored
            # across exec: the app would rightly keep ignoring it. The test is about a normal login shell.
            signal.signal(signal.SIGHUP, signal.SIG_DFL)
            if ctty:
                fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.process = subprocess.Popen([sys.executable, "-m", "gentui", "--demo"], stdin=slave, stdout=slave,
                                        stderr=slave, cwd=ROOT, env=env, start_new_session=True,
                                        preexec_fn=take_terminal)  # noqa: PLW1509 - one ioctl, then exec
        os.close(slave)
        self.master: int | None = master
        self.output = b""

    def drain(self, timeout: float) -> None:
        if self.master is None:  # the terminal is gone: wait for what the loop waits for, the exit
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout)
            return
        ready, _, _ = select.select([self.master], [], [], timeout)
        if ready:
            with contextlib.suppress(OSError):
                self.output += os.read(self.master, 1 << 16)

    def painted(self) -> bool:
        return b"\x1b[1;1H" in self.output and len(self.output) > 5000

    def lose_terminal(self) -> None:
        assert self.master is not None
        os.close(self.master)
        self.master = None

    def session_processes(self) -> list[int]:
        """Live (not zombie) processes whose session is the one the cockpit started."""
        sid = self.process.pid
        out = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[3]) == sid and stat[0] != "Z":
                out.append(int(entry.name))
        return out

    def journal_left_open(self) -> list[Path]:
        return list(self.tmp.glob("gentui-demo-*/data/**/*-wal"))

    def close(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(5)
        if self.master is not None:
            os.close(self.master)


CASES = {"sigterm": (True, signal.SIGTERM), "sighup": (True, signal.SIGHUP),
         "lost terminal (controlling tty)": (True, None), "lost terminal (no controlling tty)": (False, None)}


@pytest.mark.skipif(sys.platform != "linux", reason="/proc and pty semantics of Linux")
def test_sigterm_sighup_and_a_lost_terminal_end_the_app_cleanly_within_5_s(tmp_path: Path) -> None:
    cockpits = {}
    try:
        for i, (name, (ctty, _)) in enumerate(CASES.items()):
            (tmp_path / str(i)).mkdir()
            cockpits[name] = Cockpit(tmp_path / str(i), ctty=ctty)
        deadline = time.monotonic() + 60
        while not all(c.painted() for c in cockpits.values()):
            assert time.monotonic() < deadline, {n: c.output[-300:] for n, c in cockpits.items() if not c.painted()}
            assert all(c.process.poll() is None for c in cockpits.values()), {n: c.output[-2000:] for n, c in cockpits.items()}
            for c in cockpits.values():
                c.drain(0.01)
        sent = {}
        for name, cockpit in cockpits.items():
            sig = CASES[name][1]
            if sig is None:
                cockpit.lose_terminal()
            else:
                cockpit.process.send_signal(sig)
            sent[name] = time.monotonic()
        ended: dict[str, tuple[int | None, float]] = {}
        while len(ended) < len(cockpits) and time.monotonic() - min(sent.values()) < EXIT_WITHIN + 1:
            for name, cockpit in cockpits.items():
                if name not in ended and cockpit.process.poll() is not None:
                    ended[name] = (cockpit.process.returncode, time.monotonic() - sent[name])
                cockpit.drain(0.005)
        for name, cockpit in cockpits.items():
            assert name in ended, f"{name}: still running {EXIT_WITHIN + 1} s later"
            code, took = ended[name]
            assert took < EXIT_WITHIN, f"{name}: took {took:.1f} s"
            assert code == 128 + (CASES[name][1] or signal.SIGHUP), f"{name}: exit code {code}"
            assert cockpit.session_processes() == [], f"{name}: processes left"
            assert cockpit.journal_left_open() == [], f"{name}: the journal was not closed"
    finally:
        for cockpit in cockpits.values():
            cockpit.close()
