"""What the core tells the UI. Plain dataclasses: the UI turns each into one Textual message."""

from __future__ import annotations

from dataclasses import dataclass, field

from gentui.core.views import Changes


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
class Notice:
    """Something worth a line in the activity feed and, maybe, a toast."""

    text: str
    severity: str = "information"  # information | warning | error
    toast: bool = True
    tags: tuple[str, ...] = field(default=())
