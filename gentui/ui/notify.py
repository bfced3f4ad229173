"""Notifications beyond the toast: the terminal bell and desktop notifications (OSC 9 / OSC 777).

The `notify` setting chooses: `toast` (the default), `bell` (bell and desktop notification, no
toast), `both`, or `off`. Desktop notifications are sent only where the terminal is known to show
them: OSC 9 for iTerm2, WezTerm, kitty and Windows Terminal (`ESC ] 9 ; text BEL`), OSC 777 for
foot, urxvt, Ghostty and VTE terminals (`ESC ] 777 ; notify ; title ; body BEL`); under tmux the
sequence is wrapped for passthrough (it needs `set -g allow-passthrough on`). Every byte sent
goes through Textual's driver, and the text is stripped of everything but printable characters
(a generation's failure reason comes from the server).
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gentui.api import vocab

if TYPE_CHECKING:
    from gentui.core.session import Session
    from gentui.core.views import CellKey, JobView

MODES = ("toast", "bell", "both", "off")
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
BEL, ESC, ST = "\x07", "\x1b", "\x1b\\"


def clean(text: str, limit: int = 180) -> str:
    """Only printable characters, on one line, capped: safe inside an OSC string."""
    text = _UNPRINTABLE.sub(" ", str(text))
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def desktop_protocol(env: Mapping[str, str]) -> str | None:
    """`osc9`, `osc777`, or None when the terminal is not known to show desktop notifications."""
    program = env.get("TERM_PROGRAM", "").lower()
    lc_terminal = env.get("LC_TERMINAL", "").lower()
    term = env.get("TERM", "").lower()
    if program in ("iterm.app", "wezterm") or lc_terminal in ("iterm2", "wezterm") or "kitty" in term \
            or env.get("KITTY_WINDOW_ID") or env.get("WT_SESSION"):
        return "osc9"
    if program == "ghostty" or term.startswith(("foot", "rxvt-unicode", "xterm-ghostty")) or env.get("VTE_VERSION"):
        return "osc777"
    return None


def desktop_sequence(protocol: str, title: str, body: str, *, tmux: bool = False) -> str:
    """The escape sequence of one desktop notification (title and body are cleaned here)."""
    title, body = clean(title, 60), clean(body)
    if protocol == "osc777":
        seq = f"{ESC}]777;notify;{title.replace(';', ',')};{body.replace(';', ',')}{BEL}"
    elif protocol == "osc9":
        seq = f"{ESC}]9;{title}: {body}{BEL}"
    else:
        raise ValueError(f"unknown protocol {protocol!r}")
    if tmux:  # DCS passthrough: every ESC inside is doubled
        seq = f"{ESC}Ptmux;{seq.replace(ESC, ESC + ESC)}{ST}"
    return seq


@dataclass
class Notifier:
    """Rings and notifies per the `notify` setting; `sent` keeps what went out (for the tests)."""

    mode: str = "toast"
    write: Callable[[str], None] | None = None  # the driver's write; None: nothing reaches a terminal
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))
    monotonic: Callable[[], float] = time.monotonic
    min_gap: float = 3.0  # at most one bell / desktop notification per this many seconds
    sent: list[str] = field(default_factory=list)
    _last: float = field(default=-1e9, repr=False)

    @property
    def toasts(self) -> bool:
        return self.mode in ("toast", "both")

    @property
    def rings(self) -> bool:
        return self.mode in ("bell", "both")

    @property
    def protocol(self) -> str | None:
        return desktop_protocol(self.env)

    def alert(self, title: str, body: str, *, force: bool = False) -> bool:
        """Bell and desktop notification (when the mode says so); False when held back."""
        if not self.rings:
            return False
        now = self.monotonic()
        if not force and now - self._last < self.min_gap:
            return False
        self._last = now
        out = [BEL]
        protocol = self.protocol
        if protocol is not None:
            out.append(desktop_sequence(protocol, title, body, tmux=bool(self.env.get("TMUX"))))
        for seq in out:
            self.sent.append(seq)
            if self.write is not None:
                self.write(seq)
        return True

    def generations_ended(self, session: Session, ended: list[tuple[CellKey, JobView]], *, skip: set[str]) -> None:
        """The bell (and a desktop notification) when one of this session's own generations ends; a batch's
        generations are left out (the batch says it once, when all have ended)."""
        if not self.rings:
            return
        for key, job in ended:
            if job.status in (vocab.COMPLETED, vocab.FAILED) and session.ledger.owns(job.id) and job.id not in skip:
                self.alert(f"gentui: {job.status}", session.describe_terminal(key, job, None))
