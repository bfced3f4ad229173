"""The retry schedule of gen-api.md part 0: which failures are retried, and how long to wait.

Up to 4 attempts; exponential delays 0.5 s, 1 s, 2 s (doubling, capped at 8 s) with full jitter,
i.e. ``random() * delay``; a ``Retry-After`` header (seconds or an HTTP date) replaces the jittered
delay and is honoured up to 60 s. 401/403/404/422 are never retried. The sleep and the random source
are injected by the client so tests never wait.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from email.utils import parsedate_to_datetime

from gentui.api.errors import GenApiError


@dataclass(frozen=True)
class RetryPolicy:
    """How many times to try, and the backoff between tries."""

    max_attempts: int = 4
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")

    def backoff(self, failed_attempt: int) -> float:
        """The un-jittered delay after the n-th failed attempt (1-based): 0.5, 1, 2, 4, 8, 8..."""
        exponent = max(0, failed_attempt - 1)
        if exponent > 60:
            return self.max_delay
        return min(self.max_delay, self.base_delay * (2**exponent))

    def delay(self, failed_attempt: int, error: GenApiError, random: Callable[[], float]) -> float:
        """How long to sleep before the next attempt."""
        if error.retry_after is not None:
            return min(max(0.0, error.retry_after), self.max_retry_after)
        jitter = min(1.0, max(0.0, float(random())))
        return jitter * self.backoff(failed_attempt)

    def should_retry(self, failed_attempt: int, error: GenApiError) -> bool:
        return failed_attempt < self.max_attempts and error.retryable


def parse_retry_after(value: str | None, now: Callable[[], float] = time.time) -> float | None:
    """`Retry-After` as seconds from now: delta-seconds or an HTTP date; None when absent or garbled."""
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when is None:
            return None
        return max(0.0, when.timestamp() - now())
    if not math.isfinite(seconds) or seconds < 0:
        return None
    return seconds
