"""Request statistics and the Idempotency-Key cache (CONTRACTS.md section 4, "Idempotency", "Admin")."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from gentui.sim.errors import validation
from gentui.sim.ledger import CreditLedger, money_text


@dataclass
class Stats:
    """Requests and faults per route template, and creations per Idempotency-Key."""

    requests: Counter[str] = field(default_factory=Counter)
    faulted: Counter[str] = field(default_factory=Counter)
    charges_by_idempotency_key: Counter[str] = field(default_factory=Counter)
    #: bytes of answers as sent on the wire (status line, headers and the body, compressed or not)
    bytes_by_route: Counter[str] = field(default_factory=Counter)

    def snapshot(self, ledger: CreditLedger) -> dict[str, Any]:
        return {
            "requests": dict(self.requests),
            "faulted": dict(self.faulted),
            "charges_by_idempotency_key": dict(self.charges_by_idempotency_key),
            "bytes_by_route": dict(self.bytes_by_route),
            "ledger": {k: money_text(v) for k, v in ledger.totals().items()},
        }


def fingerprint(raw: bytes) -> str:
    """The same JSON body, however spaced or ordered, gives the same fingerprint; empty = `{}`."""
    try:
        parsed = json.loads(raw) if raw.strip() else {}
        text = json.dumps(parsed, sort_keys=True, separators=(",", ":"))
    except (ValueError, UnicodeDecodeError):
        return "raw:" + hashlib.sha256(raw).hexdigest()
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Remembered:
    method: str
    path: str
    fingerprint: str
    status: int
    body: bytes


class IdempotencyCache:
    """Only 2xx answers are remembered; no expiry (wall time, a session is shorter than 24 h)."""

    def __init__(self) -> None:
        self._answers: dict[str, Remembered] = {}

    def lookup(self, key: str, method: str, path: str, print_: str) -> Remembered | None:
        hit = self._answers.get(key)
        if hit is None:
            return None
        if (hit.method, hit.path, hit.fingerprint) != (method, path, print_):
            raise validation("Idempotency-Key was already used with another request")
        return hit

    def remember(self, key: str, method: str, path: str, print_: str, status: int, body: bytes) -> None:
        if 200 <= status < 300:
            self._answers[key] = Remembered(method, path, print_, status, body)

    def __len__(self) -> int:
        return len(self._answers)
