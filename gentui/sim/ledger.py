"""The organization's credits and every movement of them (CONTRACTS.md section 4, "Credits").

All amounts are `Decimal`. A generation's `held` is what the ledger currently keeps for it, so a
refund returns exactly that and a reconcile moves only the difference.
"""

from __future__ import annotations

from decimal import Decimal

from gentui.sim.model import Generation

ZERO = Decimal(0)
CENT = Decimal("0.01")


def money_text(value: Decimal) -> str:
    """A decimal string with at least two decimals: `5000.00`, `-12.40`, `0.005`."""
    exponent = value.as_tuple().exponent
    return format(value.quantize(CENT) if isinstance(exponent, int) and exponent > -2 else value, "f")


class CreditLedger:
    """`generic` and `aura` balances, the active plan flag, and running totals for `/_sim/stats`.

    `reconciled` is signed: extra charged at completion minus differences refunded.
    """

    def __init__(self, generic: Decimal, aura: Decimal, active: bool = True) -> None:
        self.generic = Decimal(generic)
        self.aura = Decimal(aura)
        self.active = active
        self.precharged = ZERO
        self.refunded = ZERO
        self.recharged = ZERO
        self.reconciled = ZERO

    def can_afford(self, amount: Decimal) -> bool:
        return self.generic >= amount

    def precharge(self, gen: Generation) -> None:
        self.generic -= gen.precharge
        self.precharged += gen.precharge
        gen.held = gen.precharge

    def refund(self, gen: Generation) -> None:
        self.generic += gen.held
        self.refunded += gen.held
        gen.held = ZERO

    def recharge(self, gen: Generation) -> None:
        """Continue: the generation's original pre-charge, again."""
        self.generic -= gen.precharge
        self.recharged += gen.precharge
        gen.held = gen.precharge

    def reconcile(self, gen: Generation, final: Decimal) -> None:
        """Completion: charge extra or refund the difference so that the final cost is what is held."""
        delta = final - gen.held
        self.generic -= delta
        self.reconciled += delta
        gen.held = final

    def totals(self) -> dict[str, Decimal]:
        return {
            "generic": self.generic,
            "precharged": self.precharged,
            "refunded": self.refunded,
            "recharged": self.recharged,
            "reconciled": self.reconciled,
        }
