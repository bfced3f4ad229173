"""The credit ledger: what the server says we have, and what this session did to it.

Every charge or refund gentui causes is an entry; the server's balance is read from the
organization. `other_spend` is the difference that gentui's own entries do not explain
(the web app, a teammate, autoGenerate, reconciliation of work started before this session).
"""

from __future__ import annotations

from collections import Counter, deque
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import islice

from gentui.api import vocab
from gentui.core.burn import BurnSeries

ZERO = Decimal(0)
ENTRIES_CAP = 2_000  # entries kept for display; the totals count every entry ever written
CHARGES_CAP = 5_000  # settled charges remembered (so a late event is not counted twice); open ones are kept


@dataclass(frozen=True)
class Entry:
    """One credit movement gentui caused. Positive amounts spend, negative ones refund."""

    kind: str  # "precharge" | "refund" | "recharge" | "reconcile"
    generation_id: str
    amount: Decimal
    estimated: bool = True
    note: str = ""


@dataclass
class _Charge:
    charged: Decimal  # what is currently held for this generation (pre-charge or re-charge)
    estimated: bool = True
    settled: bool = False


@dataclass
class CreditLedger:
    """Session credit accounting, fed by actions and by terminal events the poller sees."""

    generic: Decimal | None = None
    aura: Decimal | None = None
    baseline: Decimal | None = None
    organization_name: str = ""
    entries: deque[Entry] = field(default_factory=lambda: deque(maxlen=ENTRIES_CAP))
    written: int = 0  # entries ever written (`entries` keeps the newest)
    _charges: dict[str, _Charge] = field(default_factory=dict)
    _spent: Decimal = ZERO
    _kinds: Counter[str] = field(default_factory=Counter)
    _baseline_spent: Decimal = ZERO  # what the session had spent when the baseline was read
    _reading_spent: Decimal = ZERO  # ... and when the last balance was read
    #: the figures over time, for the burn chart (sampled by the UI with its clock: `BurnSeries.sample`)
    burn: BurnSeries = field(default_factory=BurnSeries)

    # --- the server's side ---------------------------------------------------------------------
    def mark(self) -> Decimal:
        """Call before asking for the balance; pass the answer to `set_balance(as_of=...)`."""
        return self._spent

    def set_balance(self, generic: Decimal | None, aura: Decimal | None, name: str = "", *, as_of: Decimal | None = None) -> None:
        """A balance read from the server, which reflects what the session had spent at `as_of` (default: now).

        Entries made while the reading was on its way are not in it: they are not counted against
        it, so a batch sending while the balance is read does not show up as "other" spend."""
        spent = self._spent if as_of is None else as_of
        if self.baseline is None and generic is not None:  # an unknown balance is no baseline
            self.baseline, self._baseline_spent = generic, spent
        self._reading_spent = spent
        self.generic, self.aura = generic, aura
        if name:
            self.organization_name = name

    def since(self, written: int) -> list[Entry]:
        """The entries written after the first `written` ones (those still kept)."""
        n = min(self.written - written, len(self.entries))
        return list(islice(reversed(self.entries), n))[::-1] if n > 0 else []

    def _add(self, entry: Entry) -> None:
        self.entries.append(entry)
        self.written += 1
        self._spent += entry.amount
        self._kinds[entry.kind] += 1

    def _charge(self, generation_id: str, charge: _Charge) -> None:
        self._charges.pop(generation_id, None)  # re-inserted: the newest last
        self._charges[generation_id] = charge
        if len(self._charges) > CHARGES_CAP + CHARGES_CAP // 10:
            settled = [g for g, c in self._charges.items() if c.settled]
            for gid in settled[: len(self._charges) - CHARGES_CAP]:
                del self._charges[gid]

    # --- what gentui did ---------------------------------------------------------------------
    def precharge(self, generation_id: str, estimate: Decimal, note: str = "") -> None:
        if generation_id in self._charges and not self._charges[generation_id].settled:
            return  # a replayed answer (same Idempotency-Key): charged once
        self._charge(generation_id, _Charge(estimate))
        self._add(Entry("precharge", generation_id, estimate, note=note))

    def recharge(self, generation_id: str, amount: Decimal) -> None:
        charge = self._charges.get(generation_id)
        if charge is not None and not charge.settled:
            return
        self._charge(generation_id, _Charge(amount))
        self._add(Entry("recharge", generation_id, amount))

    def stopped(self, generation_id: str, estimate: Decimal) -> Decimal:
        """A stop by gentui: full refund of what the generation held. Returns the refund."""
        charge = self._charges.get(generation_id)
        if charge is not None and charge.settled:
            return ZERO
        amount = charge.charged if charge is not None else estimate
        self._charge(generation_id, _Charge(amount, settled=True))
        self._add(Entry("refund", generation_id, -amount, note="stop"))
        return amount

    def terminal(self, generation_id: str, status: str, cost: Decimal | None) -> Entry | None:
        """A generation this session charged ended: reconcile (completed) or refund (failed/stopped)."""
        charge = self._charges.get(generation_id)
        if charge is None or charge.settled:
            return None
        charge.settled = True
        if status == vocab.COMPLETED:
            if cost is None:
                return None
            entry = Entry("reconcile", generation_id, cost - charge.charged, estimated=False)
        else:
            entry = Entry("refund", generation_id, -charge.charged, note=status)
        self._add(entry)
        return entry

    def owns(self, generation_id: str) -> bool:
        return generation_id in self._charges

    # --- figures for the header ----------------------------------------------------------------
    @property
    def session_spent(self) -> Decimal:
        return self._spent

    @property
    def session_estimated(self) -> bool:
        """True while some of the session's spend is still an estimate (not reconciled)."""
        return any(not c.settled for c in self._charges.values())

    @property
    def other_spend(self) -> Decimal | None:
        if self.baseline is None or self.generic is None:
            return None
        return (self.baseline - self.generic) - (self._reading_spent - self._baseline_spent)

    def count(self, kind: str) -> int:
        return self._kinds[kind]
