"""Clocks: the wall clock, a hand-driven clock for tests, and the simulator's scaled time.

Timestamps on the wire use the clock's time; the generation lifecycle runs on `SimTime`, the
clock scaled by the speed, continuous across speed changes (speed 0 freezes it).
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Protocol

#: 2026-11-28T12:00:00Z, where every ManualClock starts unless told otherwise.
DEFAULT_EPOCH = datetime(2026, 11, 28, 12, 0, 0, tzinfo=UTC).timestamp()


class Clock(Protocol):
    def now(self) -> float: ...


class WallClock:
    """Real time, in epoch seconds."""

    def now(self) -> float:
        return time.time()


class ManualClock:
    """Time that moves only when a test says so."""

    def __init__(self, start: float = DEFAULT_EPOCH) -> None:
        self._now = float(start)

    def now(self) -> float:
        return self._now

    def advance(self, seconds: float) -> float:
        if seconds < 0:
            raise ValueError("a clock does not go back")
        self._now += float(seconds)
        return self._now


class SimTime:
    """The clock scaled by a speed; changing the speed keeps the simulated time continuous."""

    def __init__(self, clock: Clock, speed: float = 1.0) -> None:
        self.clock = clock
        self._speed = float(speed)
        self._anchor_wall = clock.now()
        self._anchor_sim = self._anchor_wall

    @property
    def speed(self) -> float:
        return self._speed

    def now(self) -> float:
        return self._anchor_sim + (self.clock.now() - self._anchor_wall) * self._speed

    def set_speed(self, speed: float) -> None:
        if speed < 0:
            raise ValueError("speed must not be negative")
        self._anchor_sim = self.now()
        self._anchor_wall = self.clock.now()
        self._speed = float(speed)

    def wall_at(self, sim_time: float) -> float:
        """The clock time at which the simulated time was (or will be) `sim_time`, never in the future."""
        now = self.clock.now()
        if self._speed <= 0:
            return now
        return min(now, self._anchor_wall + (sim_time - self._anchor_sim) / self._speed)


_EPOCH = datetime(1970, 1, 1)


def iso(ts: float) -> str:
    """`2026-11-28T12:00:00.000Z`: ISO-8601 in UTC with milliseconds."""
    return (_EPOCH + timedelta(milliseconds=round(ts * 1000))).isoformat(timespec="milliseconds") + "Z"


def epoch_ms(ts: float) -> int:
    return round(ts * 1000)
