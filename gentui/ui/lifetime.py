"""How the cockpit ends when its terminal or its parent goes away: SIGTERM, SIGHUP, a lost terminal.

Python's default for SIGTERM and SIGHUP kills the process at once: the terminal stays in the
alternate screen and raw mode, and the journal is never closed. A lost terminal without a
controlling tty (the pty master closed, no SIGHUP sent) is worse: Textual's output thread dies on
the first failed write, the next writes block the event loop for good, and the process lingers.

`ExitGuard` turns all three into one clean exit: the poller stops, the app exits (exit code 128 +
the signal), the caller closes the journal. A watchdog thread, started by the first signal, ends
the process after `grace` seconds whatever the event loop is doing (the journal closed first), so
the process is gone within 5 s. A small thread waits (in `poll`, no CPU) for the terminal to hang
up and raises SIGHUP on itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import select
import signal
import sys
import threading
from collections.abc import Callable
from typing import Any, Self

try:
    import termios
except ImportError:  # not a POSIX system: no terminal modes to put back
    termios = None  # type: ignore[assignment]

CLOSE_WITHIN = 1.0  # seconds the watchdog gives the journal to close before ending anyway
EXIT_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP") if hasattr(signal, name))


class ExitGuard:
    """Installed around `app.run()`: `with ExitGuard(app, close=journal.close): app.run()`."""

    def __init__(self, app: Any, *, close: Callable[[], None] | None = None, grace: float = 3.0,
                 terminal_fd: int | None = None) -> None:
        self.app = app
        self.close = close or (lambda: None)
        self.grace = grace
        self.terminal_fd = terminal_fd
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}
        self._closed = threading.Lock()
        self._done = False
        self._modes: list[Any] | None = None

    # --- install / remove ------------------------------------------------------------------------
    def __enter__(self) -> Self:
        for sig in EXIT_SIGNALS:
            if signal.getsignal(sig) is signal.SIG_IGN:
                continue  # `nohup gentui`: a hang-up was meant to be ignored
            with contextlib.suppress(ValueError, OSError):  # not the main thread: leave the defaults
                self._previous[sig] = signal.signal(sig, self._on_signal)
        if self.terminal_fd is not None and termios is not None and hasattr(select, "poll"):
            with contextlib.suppress(termios.error, OSError):
                self._modes = termios.tcgetattr(self.terminal_fd)
            threading.Thread(target=self._watch_terminal, args=(self.terminal_fd,), daemon=True,
                             name="gentui-terminal-watch").start()
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, previous in self._previous.items():
            with contextlib.suppress(ValueError, OSError, TypeError):
                signal.signal(sig, previous)
        self.close_once()

    @property
    def return_code(self) -> int | None:
        return None if self.signum is None else 128 + self.signum

    def close_once(self) -> None:
        with self._closed:
            if self._done:
                return
            self._done = True
        with contextlib.suppress(Exception):  # the process is ending; a failed close must not stop that
            self.close()

    # --- the signal path ---------------------------------------------------------------------------
    def _begin_exit(self, signum: int) -> bool:
        """Note the cause and start the watchdog; False when already ending."""
        if self.signum is not None:
            return False
        self.signum = signum
        threading.Thread(target=self._hard_exit, daemon=True, name="gentui-exit-watchdog").start()
        return True

    def _on_signal(self, signum: int, frame: object) -> None:
        if not self._begin_exit(signum):
            return  # already ending
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        if loop is None:  # before or after the app's loop: nothing to end gracefully
            self.close_once()
            os._exit(128 + signum)
        loop.call_soon_threadsafe(self._exit_app)

    def _exit_app(self) -> None:
        poller = getattr(self.app, "poller", None)
        if poller is not None:
            poller.stop()
        self.app.exit(return_code=self.return_code)

    def _hard_exit(self) -> None:
        threading.Event().wait(self.grace)
        # the close runs on its own thread: a journal the stuck loop still holds must not keep us alive
        closer = threading.Thread(target=self.close_once, daemon=True, name="gentui-exit-close")
        closer.start()
        closer.join(CLOSE_WITHIN)
        if self._modes is not None and termios is not None and self.terminal_fd is not None:  # the modes from before the app
            with contextlib.suppress(termios.error, OSError):
                termios.tcsetattr(self.terminal_fd, termios.TCSANOW, self._modes)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
        os._exit(self.return_code or 1)

    # --- a terminal that hangs up ----------------------------------------------------------------------
    def _watch_terminal(self, fd: int) -> None:
        poller = select.poll()
        poller.register(fd, 0)  # no events asked: poll still reports POLLHUP / POLLERR / POLLNVAL
        while True:
            try:
                events = poller.poll()
            except InterruptedError:
                continue
            except OSError:
                return
            if any(mask & (select.POLLHUP | select.POLLERR | select.POLLNVAL) for _, mask in events):
                if self._done:  # the app already ended on its own
                    return
                if signal.SIGHUP in self._previous:  # our handler: the graceful path
                    os.kill(os.getpid(), signal.SIGHUP)
                else:  # hang-ups ignored (nohup): still never linger on a dead terminal
                    self._begin_exit(signal.SIGHUP)
                return
