"""The credit burn series (issue 15 item 26): one sample per bucket, capped, the balance carried over gaps."""

from __future__ import annotations

from decimal import Decimal

from gentui.core.burn import BurnSeries
from gentui.core.ledger import CreditLedger


def test_the_ledger_keeps_its_burn_series_one_sample_per_bucket() -> None:
    ledger = CreditLedger()
    ledger.set_balance(Decimal(1000), Decimal(0))
    burn = ledger.burn
    burn.sample(0.0, ledger)
    ledger.precharge("g1", Decimal(30))
    burn.sample(5.0, ledger)  # the same 15 s bucket: replaces
    assert burn.spent() == [30.0]
    ledger.set_balance(Decimal(960), Decimal(0))  # 30 ours, 10 by someone else
    burn.sample(20.0, ledger)
    ledger.stopped("g1", Decimal(30))
    burn.sample(40.0, ledger)
    assert burn.spent() == [30.0, 30.0, 0.0]
    assert burn.balance() == [1000.0, 960.0, 960.0]
    assert burn.other() == [0.0, 10.0, 10.0]
    assert burn.span() == 35.0


def test_the_series_is_capped_and_an_unread_balance_is_carried() -> None:
    burn = BurnSeries(bucket=1.0, cap=3)
    ledger = CreditLedger()
    burn.sample(0.0, ledger)  # no balance read yet: nothing to draw for it
    assert burn.balance() == [] and burn.other() == []
    ledger.set_balance(Decimal(50), None)
    for t in range(1, 6):
        burn.sample(float(t), ledger)
    assert len(burn.samples) == 3 and burn.samples[0].at == 3.0
    assert burn.balance() == [50.0, 50.0, 50.0]
