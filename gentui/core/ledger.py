"""The credit ledger: what the server says we have, and what this session did to it.

Every charge or refund gentui causes is an entry; the server's balance is read from the
organization. `other_spend` is the difference that gentui's own entries do not explain
(the web app, a teammate, autoGenerate, reconciliation of work started before this session).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

ZERO = Decimal(0)


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
    entries: list[Entry] = field(default_factory=list)
    _charges: dict[str, _Charge] = field(default_factory=dict)
    _baseline_as_of: int = 0  # entries the baseline reading already reflected
    _reading_as_of: int = 0  # entries the last reading reflected

    # --- the server's side ---------------------------------------------------------------------
    def mark(self) -> int:
        """Call before asking for the balance; pass the answer to `set_balance(as_of=...)`."""
        return len(self.entries)

    def set_balance(self, generic: Decimal, aura: Decimal, name: str = "", *, as_of: int | None = None) -> None:
        """A balance read from the server, which reflects the first `as_of` entries (default: all).

        Entries made while the reading was on its way are not in it: they are not counted against
        it, so a batch sending while the balance is read does not show up as "other" spend."""
        as_of = len(self.entries) if as_of is None else min(as_of, len(self.entries))
        if self.baseline is None:
            self.baseline, self._baseline_as_of = generic, as_of
        self._reading_as_of = as_of
        self.generic, self.aura = generic, aura
        if name:
            self.organization_name = name

    # --- what gentui did ---------------------------------------------------------------------
    def precharge(self, generation_id: str, estimate: Decimal, note: str = "") -> None:
        if generation_id in self._charges and not self._charges[generation_id].settled:
            return  # a replayed answer (same Idempotency-Key): charged once
        self._charges[generation_id] = _Charge(estimate)
        self.entries.append(Entry("precharge", generation_id, estimate, note=note))

    def recharge(self, generation_id: str, amount: Decimal) -> None:
        charge = self._charges.get(generation_id)
        if charge is not None and not charge.settled:
            return
        self._charges[generation_id] = _Charge(amount)
        self.entries.append(Entry("recharge", generation_id, amount))

    def stopped(self, generation_id: str, estimate: Decimal) -> Decimal:
        """A stop by gentui: full refund of what the generation held. Returns the refund."""
        charge = self._charges.get(generation_id)
        if charge is not None and charge.settled:
            return ZERO
        amount = charge.charged if charge is not None else estimate
        self._charges[generation_id] = _Charge(amount, settled=True)
        self.entries.append(Entry("refund", generation_id, -amount, note="stop"))
        return amount

    def terminal(self, generation_id: str, status: str, cost: Decimal | None) -> Entry | None:
        """A generation this session charged ended: reconcile (completed) or refund (failed/stopped)."""
        charge = self._charges.get(generation_id)
        if charge is None or charge.settled:
            return None
        charge.settled = True
        if status == "completed":
            if cost is None:
                return None
            entry = Entry("reconcile", generation_id, cost - charge.charged, estimated=False)
        else:
            entry = Entry("refund", generation_id, -charge.charged, note=status)
        self.entries.append(entry)
        return entry

    def owns(self, generation_id: str) -> bool:
        return generation_id in self._charges

    # --- figures for the header ----------------------------------------------------------------
    @property
    def session_spent(self) -> Decimal:
        return sum((e.amount for e in self.entries), ZERO)

    @property
    def session_estimated(self) -> bool:
        """True while some of the session's spend is still an estimate (not reconciled)."""
        return any(not c.settled for c in self._charges.values())

    @property
    def other_spend(self) -> Decimal | None:
        if self.baseline is None or self.generic is None:
            return None
        explained = sum((e.amount for e in self.entries[self._baseline_as_of:self._reading_as_of]), ZERO)
        return (self.baseline - self.generic) - explained

    def count(self, kind: str) -> int:
        return sum(1 for e in self.entries if e.kind == kind)
