"""Charged POSTs whose answer was lost, kept for the whole run (every engine): resent, shown, cancellable.

A generate, continue or render that went out without an answer may have been acted on: it is sent
again with the same Idempotency-Key, against the engine it was for, until the server answers. The
server replays a key for 24 h (gen-api.md, "Idempotency window"); past `RESEND_LIMIT` gentui no
longer sends one by itself (a replay is no longer promised, so a resend may be charged a second time):
the person is asked, with the amount. The set belongs to the run, not to one engine view, so an
engine switch (`g`) neither drops nor misdirects them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from gentui.core.formatting import fmt_credits, format_duration

if TYPE_CHECKING:
    from gentui.core.actions import Plan
    from gentui.core.views import CellKey

IDEMPOTENCY_WINDOW = 24 * 3600.0  # seconds the server replays an Idempotency-Key (CRED, gen-api.md part 0)
RESEND_MARGIN = 3600.0  # clocks differ and a resend takes time: stop this much before the window closes
RESEND_LIMIT = IDEMPOTENCY_WINDOW - RESEND_MARGIN  # 23 h: older keys are never resent automatically


@dataclass
class Pending:
    """One unanswered charged POST: what it was (its plan), where it was sent, and when its key was made."""

    plan: Plan
    agent_id: str
    engine_id: str
    cell_id: str
    made_at: float  # when the key first went out (the server's window counts from then, or later)
    reason: str = ""
    expiry_said: bool = False  # the "past the window, asks" notice was shown

    @property
    def key(self) -> CellKey | None:
        return self.plan.key

    def age(self, now: float) -> float:
        return max(0.0, now - self.made_at)

    def expired(self, now: float) -> bool:
        """Too old to resend by itself: the server may have forgotten the key (a resend may charge again)."""
        return self.age(now) >= RESEND_LIMIT

    def describe(self, now: float) -> str:
        return f"{self.plan.action}, ~{fmt_credits(self.plan.amount)} credits, {format_duration(self.age(now))} ago"


class Unanswered(dict[str, Pending]):
    """Idempotency key -> `Pending`, for the run; the app owns one and hands it to each engine's `Actions`."""

    def for_engine(self, agent_id: str, engine_id: str) -> dict[str, Pending]:
        return {k: p for k, p in self.items() if (p.agent_id, p.engine_id) == (agent_id, engine_id)}

    def keys_on(self, agent_id: str, engine_id: str) -> set[CellKey]:
        """The cells of this engine with a resend waiting (for the grid's mark)."""
        return {p.key for p in self.for_engine(agent_id, engine_id).values() if p.key is not None}

    def due(self, now: float) -> int:
        """How many are still resent automatically (inside the window)."""
        return sum(1 for p in self.values() if not p.expired(now))
