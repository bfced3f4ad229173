"""What belongs to the whole run (the app's life), not to the engine on screen: kept across engine switches.

The credit ledger (the session spend, so the spend cap, and the charges whose refunds are still to
come), the charged POSTs whose answers were lost, and the intent log when there is no journal.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from gentui.core.actions import Actions, Guards, IntentLog, MemoryIntentLog
from gentui.core.ledger import CreditLedger
from gentui.core.resends import Unanswered

if TYPE_CHECKING:
    from gentui.core.session import Session
    from gentui.core.views import CellKey


@dataclass
class Run:
    ledger: CreditLedger = field(default_factory=CreditLedger)
    unanswered: Unanswered = field(default_factory=Unanswered)
    memory_intents: MemoryIntentLog = field(default_factory=MemoryIntentLog)

    def actions(self, session: Session, guards: Guards, journal: IntentLog | None,
                on_created: Callable[[str], None]) -> Actions:
        """An engine view's verbs, with the run's lost answers (and its intent log when there is no journal)."""
        intents = journal if journal is not None else self.memory_intents
        return Actions(session, guards, intents=intents, on_created=on_created, uncertain=self.unanswered)

    def pending_keys(self, session: Session | None) -> set[CellKey]:
        """The cells of this session's engine with a lost answer waiting to be sent again."""
        return set() if session is None else self.unanswered.keys_on(session.agent_id, session.engine_id)
