"""What the core tells the UI. Plain dataclasses: the UI turns each into one Textual message."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from gentui.core.views import Changes

Severity = Literal["information", "warning", "error"]


@dataclass(frozen=True)
class EngineChanged:
    """The engine state changed; `changes` says exactly where."""

    changes: Changes
    full: bool = False  # a whole-engine refresh (columns or rows may have changed)


@dataclass(frozen=True)
class CreditsChanged:
    """The ledger or the server balance changed."""


@dataclass(frozen=True)
class ConnectionChanged:
    """ok | stale | offline | auth, with the reason and when we last heard from the server."""

    state: str
    reason: str = ""
    last_ok: float | None = None


@dataclass(frozen=True)
class ResendsChanged:
    """The run's unanswered charged POSTs changed (one added, settled, cancelled or past the window)."""


@dataclass(frozen=True)
class Notice:
    """Something worth a line in the activity feed and, maybe, a toast."""

    text: str
    severity: Severity = "information"
    toast: bool = True
    tags: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class BatchProgress:
    """Where a running batch is: said whenever an item is sent, fails or the batch changes state."""

    total: int
    sent: int
    failed: int
    queued: int
    state: str  # running | paused | cancelled | done
    reason: str = ""
    rate: float = 0.0  # items per second
    eta: float | None = None
    skipped: int = 0  # not sent and never will be (the batch was cancelled)


@dataclass(frozen=True)
class BatchFinished:
    """Every generation a finished (done or cancelled) batch started has ended; said once per batch."""

    text: str
    severity: Severity
    count: int
    statuses: dict[str, int]
