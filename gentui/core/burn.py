"""The credit burn series: this session's spend, the balance and the others' spend over time.

The UI samples the ledger whenever its figures may have moved (with the app's clock); the series keeps
one sample per `bucket` seconds (the last one in the bucket wins) and at most `cap` of them, so a day-long
session costs a few kilobytes. The spend screen draws it (Textual's Sparkline); no Textual here.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

SERIES_CAP = 240
BUCKET_SECONDS = 15.0


class Figures(Protocol):
    """What a sample reads (the ledger has it)."""

    @property
    def session_spent(self) -> Decimal: ...
    @property
    def other_spend(self) -> Decimal | None: ...
    generic: Decimal | None


@dataclass(frozen=True)
class BurnSample:
    at: float
    spent: Decimal  # this session's spend so far (net of its refunds)
    balance: Decimal | None  # the generic balance as last read
    other: Decimal | None  # what others spent since the session began (negative: refunded)


@dataclass
class BurnSeries:
    bucket: float = BUCKET_SECONDS
    cap: int = SERIES_CAP
    samples: deque[BurnSample] = field(default_factory=deque)

    def sample(self, now: float, figures: Figures) -> None:
        """Remember the figures as of `now`; within one bucket the newer sample replaces the older."""
        new = BurnSample(now, figures.session_spent, figures.generic, figures.other_spend)
        samples = self.samples
        if samples and int(samples[-1].at // self.bucket) == int(now // self.bucket):
            samples[-1] = new
        else:
            samples.append(new)
            while len(samples) > self.cap:
                samples.popleft()

    def spent(self) -> list[float]:
        return [float(s.spent) for s in self.samples]

    def balance(self) -> list[float]:
        """The balance per sample, the last known one carried over a gap (an unread balance)."""
        out: list[float] = []
        last: float | None = None
        for s in self.samples:
            last = float(s.balance) if s.balance is not None else last
            if last is not None:
                out.append(last)
        return out

    def other(self) -> list[float]:
        return [float(s.other) for s in self.samples if s.other is not None]

    def span(self) -> float:
        """Seconds from the first sample to the last."""
        return self.samples[-1].at - self.samples[0].at if len(self.samples) > 1 else 0.0
