"""Which graphics the terminal answers for (`previews = "auto"`), asked before the app reads the terminal.

textual-image asks the terminal on import (Sixel in the device attributes, Kitty's graphics protocol,
the cell size), each question with a 0.1 s timeout, and the Kitty question is one most terminals never
answer (a timeout on every start, and the library warns it may eat a key). So its rendering modules are
imported here with standard output looking like no terminal (no questions), and then only the questions
that matter are asked, with the library's own functions: the cell size only where the terminal tells its
pixel size by ioctl (no answer to wait for; elsewhere textual-image's 10 x 20 assumption stands), Sixel
(the device attributes, which every terminal answers at once) only there too, and Kitty graphics only
where the environment says Kitty. A pseudo-terminal with nobody behind it is asked nothing. This runs
in a thread started before the app's heavy imports and joined just before `App.run`.
"""

from __future__ import annotations

import os
import sys
import threading
from typing import Any

MODES = ("kitty", "sixel", "blocks")


class _NoTerminal:
    """Standard output as textual-image's import sees it: the same stream, but no terminal."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def isatty(self) -> bool:
        return False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def kitty_environment(env: Any = None) -> bool:
    env = os.environ if env is None else env
    return bool(env.get("KITTY_WINDOW_ID")) or env.get("TERM") == "xterm-kitty"


def pixel_size(stream: Any) -> bool:
    """Whether the terminal tells its size in pixels without being asked (TIOCGWINSZ): then the cell size
    needs no question, and it is a terminal worth asking about Sixel."""
    try:
        import fcntl
        import struct
        import termios

        rows, cols, width, height = struct.unpack("HHHH", fcntl.ioctl(stream.fileno(), termios.TIOCGWINSZ, b"\0" * 8))
    except (ImportError, OSError, ValueError, AttributeError):
        return False
    return bool(rows and cols and width and height)


def _quietly(stdout: Any, names: tuple[str, ...]) -> None:
    """Import these modules with standard output looking like no terminal (textual-image asks nothing)."""
    setattr(sys, "__stdout__", _NoTerminal(stdout))  # noqa: B010 - `sys.__stdout__` is Final to mypy
    try:
        for name in names:
            __import__(name)
    finally:
        setattr(sys, "__stdout__", stdout)  # noqa: B010


def probe_graphics(previews: str) -> str:
    """What to draw with: `kitty`, `sixel` or `blocks` (a forced mode is kept)."""
    stdout = sys.__stdout__
    tty = stdout is not None and stdout.isatty()
    pixels = tty and pixel_size(stdout)
    try:
        _quietly(stdout, ("textual_image.renderable",))
        if pixels:  # the cell size from the ioctl: no question asked
            import textual_image.widget  # noqa: F401
        else:  # no size in pixels: textual-image would ask and wait; it assumes 10 x 20 instead
            _quietly(stdout, ("textual_image.widget",))
        from textual_image.renderable import sixel, tgp
    except Exception:  # noqa: BLE001 - no library: half-blocks always work
        return "blocks"
    if previews in MODES:
        return previews
    if not tty:
        return "blocks"
    try:
        if kitty_environment() and tgp.query_terminal_support():
            return "kitty"
        if pixels and sixel.query_terminal_support():
            return "sixel"
    except Exception:  # noqa: BLE001 - a terminal that answers oddly gets half-blocks
        return "blocks"
    return "blocks"


class GraphicsProbe:
    """`probe_graphics` in a thread: `start()` before importing the app, `result()` before running it."""

    def __init__(self, previews: str) -> None:
        self.previews, self.answer = previews, "blocks"
        self._thread = threading.Thread(target=self._run, name="gentui-graphics-probe", daemon=True)

    def _run(self) -> None:
        self.answer = probe_graphics(self.previews)

    def start(self) -> GraphicsProbe:
        self._thread.start()
        return self

    def result(self, timeout: float = 3.0) -> str:
        """The answer (half-blocks if the terminal still has not answered: its questions all time out sooner)."""
        self._thread.join(timeout)
        return self.answer
