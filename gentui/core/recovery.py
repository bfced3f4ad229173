"""Crash recovery: the intents an earlier gentui left in the journal, watched again or offered for resend.

An intent with a generation id was sent: this process claims it and watches the generation. One
without was never answered: in read-only mode it stays in the journal; otherwise it is offered as a
batch with its original Idempotency-Keys (the server answers any it already took from its memory, so
nothing is charged twice), and claimed only once the person accepts.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field

from gentui.api.errors import GenApiError
from gentui.core.actions import READONLY_REASON, Guards, Plan
from gentui.core.batch import BatchItem, BatchPlan
from gentui.core.events import Notice
from gentui.core.formatting import format_duration, plural
from gentui.core.journal import Intent, Journal
from gentui.core.session import Session
from gentui.core.text import one_line

SHOWN = 8  # intents listed by name in the offer; the rest are counted


@dataclass
class ResumeOffer:
    """Unsent intents of an earlier gentui: ask with `confirm`, then `accept()` (run the plan) or `decline()`."""

    plan: BatchPlan  # BatchItems with their original idempotency keys
    confirm: Plan  # what to ask; needs_confirm is True
    session: Session = field(repr=False)
    journal: Journal = field(repr=False)
    intents: list[Intent] = field(default_factory=list, repr=False)

    async def prepare(self) -> None:
        """Read the balance if none is known yet (the engine came first), for the prompt and the plan."""
        session = self.session
        if session.ledger.generic is None:
            with contextlib.suppress(GenApiError):  # asked without the balance line
                await session.load_credits()
        self.confirm.balance = self.plan.balance = session.ledger.generic

    def accept(self) -> BatchPlan:
        """Claim the unsent intents (this process now owns them); returns the plan to run."""
        for intent in self.intents:
            self.journal.claim(intent.idempotency_key)
        return self.plan

    def decline(self) -> None:
        """Leave them in the journal, to be offered again next time."""
        self.session.emit(Notice("not resumed: they stay in the journal for next time"))

    def discard(self) -> None:
        """Never send them: each intent is abandoned in the journal and not offered again."""
        for intent in self.intents:
            self.journal.abandon(intent.idempotency_key)
        self.session.emit(Notice(f"discarded {plural(len(self.intents), 'unsent generation')} of an earlier gentui: "
                                 "nothing was sent", tags=("resume",)))


class Recovery:
    """What to do with the orphaned intents of this engine (`Journal.orphans()`) at start-up."""

    def __init__(self, session: Session, journal: Journal, watch: Callable[[str], None], guards: Guards) -> None:
        self.session = session
        self.journal = journal
        self.watch = watch  # the poller's `watch`
        self.guards = guards

    def describe(self, intents: list[Intent], shown: int = SHOWN) -> list[str]:
        """One line per intent: the cell, the card, when it was written and by which batch."""
        now, lines = self.session.clock(), []
        for intent in intents[:shown]:
            card = intent.card
            assert card is not None and intent.key is not None
            prompt = str(card.data.get("prompt") or "")
            what = " ".join(p for p in (card.generation_type, card.model or "", f"“{one_line(prompt, 40)}”"
                                        if prompt else "") if p)
            batch = f", batch {intent.batch_id[:8]}" if intent.batch_id else ""
            lines.append(f"  · {self.session.where(intent.key)}: {what} "
                         f"({intent.action}, {format_duration(max(0.0, now - intent.created_at))} ago{batch})")
        if len(intents) > shown:
            lines.append(f"  · and {len(intents) - shown} more")
        return lines

    def start(self, orphans: list[Intent]) -> ResumeOffer | None:
        """Claim and watch the sent orphans; the unsent ones become an offer (None in read-only mode or if none)."""
        session = self.session
        sent = [i for i in orphans if i.generation_id]
        for intent in sent:
            assert intent.generation_id is not None
            self.journal.claim(intent.idempotency_key)
            self.watch(intent.generation_id)
        if sent:
            session.emit(Notice(f"re-attached {plural(len(sent), 'generation')} started by an earlier gentui", tags=("resume",)))
        unsent = [i for i in orphans
                  if not i.generation_id and i.key in session.state.cells and i.card is not None]
        if not unsent:
            return None
        if self.guards.readonly:  # resending spends: not in monitor mode; they stay in the journal
            were = "was" if len(unsent) == 1 else "were"
            session.emit(Notice(f"{plural(len(unsent), 'unsent generation')} from an earlier gentui {were} not resent: "
                                f"{READONLY_REASON}", "warning"))
            return None
        items = []
        for intent in unsent:
            card, key = intent.card, intent.key
            assert card is not None and key is not None
            items.append(BatchItem(key, intent.cell_id, card, intent.estimate or card.estimate(),
                                   idempotency_key=intent.idempotency_key))
        plan = BatchPlan(items, session.ledger.generic)
        confirm = Plan("resume", f"Resume {plural(len(items), 'unsent generation')}?", amount=plan.total, lines=[
            "An earlier gentui stopped before the server confirmed these:",
            *self.describe(unsent),
            ("Resent with their original Idempotency-Keys: any the server already took is answered from its "
             "memory, not charged twice. Discard to never send them; keep to be asked next time.")])
        confirm.needs_confirm = True
        return ResumeOffer(plan, confirm, session, self.journal, unsent)
