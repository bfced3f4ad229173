"""The API call log: every HTTP attempt the client made, newest first, with the credits it moved.

The client reports each attempt as a `RequestRecord` (method, path without the key, status,
latency, error code). The credits come from the session's ledger: an action's ledger entry (the
pre-charge of a generate, the refund of a stop, the re-charge of a continue, the reconciliation a
poll discovers) is written in the same step of the event loop as the answer that caused it, before
any other request can be recorded. So the entries that appear after a call's record and before the
next one's belong to that call.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gentui.api.answers import RequestRecord


@dataclass
class ApiCall:
    record: RequestRecord
    seq: int
    credits: Decimal | None = None  # positive spends, negative refunds (this session's ledger)
    estimated: bool = False  # some of `credits` is a documented estimate, not a final cost
    kinds: tuple[str, ...] = ()  # ledger entry kinds: precharge, refund, recharge, reconcile

    @property
    def ok(self) -> bool:
        return self.record.status is not None and 200 <= self.record.status < 300


class ApiLog:
    """Bounded; `version` grows with every change so a view knows when to redraw."""

    def __init__(self, cap: int = 500) -> None:
        self.calls: deque[ApiCall] = deque(maxlen=cap)
        self.version = 0
        self._seq = 0
        self._open: tuple[ApiCall, Any, int] | None = None  # (last call, its ledger, entries seen)

    def add(self, record: RequestRecord, ledger: Any = None) -> ApiCall:
        self.settle()
        self._seq += 1
        call = ApiCall(record, self._seq)
        self.calls.appendleft(call)
        self._open = (call, ledger, ledger.written) if ledger is not None else None
        self.version += 1
        return call

    def settle(self) -> None:
        """Give the ledger entries written since the last call's record to that call."""
        if self._open is None:
            return
        call, ledger, seen = self._open
        new = ledger.since(seen)
        if not new:
            return
        call.credits = (call.credits or Decimal(0)) + sum((e.amount for e in new), Decimal(0))
        call.estimated = call.estimated or any(e.estimated for e in new)
        call.kinds = (*call.kinds, *(e.kind for e in new))
        self._open = (call, ledger, ledger.written)
        self.version += 1

    def newest(self, limit: int | None = None) -> list[ApiCall]:
        self.settle()
        calls = list(self.calls)
        return calls if limit is None else calls[:limit]

    def spent(self) -> Decimal:
        """Credits moved by the calls still in the log."""
        self.settle()
        return sum((c.credits for c in self.calls if c.credits is not None), Decimal(0))
