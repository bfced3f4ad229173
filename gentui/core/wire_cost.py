"""What each request costs, in real units, and the budget the poller spends (issue 17).

Every answer's cost is measured, not assumed: its bytes on the wire as received (compressed when
the server compressed it: `RequestRecord.wire_bytes`) and the server time it took (its measured
latency, `RequestRecord.elapsed_ms`: on a local or near server that is the server's work). The
`WireCost` keeps a moving average per kind of read (a generation GET, a whole-engine GET, a cell
GET, a balance read) and two token buckets, one of bytes and one of server seconds, refilled at
the `WireBudget`'s rates. The poller asks `wait(kind, n)` before it reads: how long until n such
reads fit both buckets. A read that was sent anyway (a manual refresh, an action's follow-up) is
charged all the same, so the long-run rate stays within the budget whatever asked for it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from gentui.api.answers import RequestRecord

GENERATION, ENGINE, CELL, CREDITS, OTHER = "generation", "engine", "cell", "credits", "other"
_ENGINE_PATH = re.compile(r"/(?:vidsheet|autocontentengine)/[^/?]+$")
_CELL_PATH = re.compile(r"/(?:vidsheet|autocontentengine)/[^/?]+/cells/[^/?]+$")

#: (wire bytes, server seconds) assumed before the first answer of a kind is measured; an engine's
#: size is unknown until read (its first read is the start-up, which happens whatever it costs)
DEFAULT_COST: dict[str, tuple[float, float]] = {
    GENERATION: (700.0, 0.02),
    CELL: (8_000.0, 0.05),
    CREDITS: (900.0, 0.02),
    ENGINE: (2_000_000.0, 0.5),
    OTHER: (2_000.0, 0.05),
}
SMOOTHING = 0.3  # weight of the newest measurement in the moving average


def route_kind(method: str, path: str) -> str:
    """Which kind of read a request is, from its method and path (query string ignored)."""
    if method != "GET":
        return OTHER
    bare = path.split("?", 1)[0].rstrip("/")
    if "/generations/" in bare:
        return GENERATION
    if _CELL_PATH.search(bare):
        return CELL
    if _ENGINE_PATH.search(bare):
        return ENGINE
    if "/organizations" in bare or "/agents/" in bare:
        return CREDITS
    return OTHER


@dataclass(frozen=True)
class WireBudget:
    """What the poller may spend: bytes per second on the wire, and a share of the server's time.

    The defaults are what the detection targets need for a few hundred generations in their
    finishing windows at once (150 text and image generations checked every 2.8 s are ~54 GETs a
    second, ~25 KB/s and ~1.7 server-seconds a second on a loaded server): a ceiling, not a rate,
    since the schedule asks for far less once the quick work is done (a monitor left open for a day
    on 300 slow generations spends a fraction of it); at most two server workers' time (the sum of
    measured latencies, which stand for server time);
    `burst_seconds` of either may be spent at once (a manual refresh, a first look at a batch).
    """

    bytes_per_second: float = 32_000.0
    server_share: float = 2.0
    burst_seconds: float = 30.0

    def __post_init__(self) -> None:
        if self.bytes_per_second <= 0 or self.server_share <= 0 or self.burst_seconds <= 0:
            raise ValueError("the wire budget's rates and burst must be positive")


@dataclass
class Measured:
    bytes: float
    seconds: float
    samples: int = 0

    def add(self, wire_bytes: float, seconds: float) -> None:
        if self.samples == 0:
            self.bytes, self.seconds = wire_bytes, seconds
        else:
            self.bytes += SMOOTHING * (wire_bytes - self.bytes)
            self.seconds += SMOOTHING * (seconds - self.seconds)
        self.samples += 1


class Bucket:
    """Tokens of bytes and of server seconds, refilled at a share of the budget's rates, capped at its burst."""

    def __init__(self, budget: WireBudget, share: float, now: float) -> None:
        self.byte_rate = budget.bytes_per_second * share
        self.second_rate = budget.server_share * share
        self.byte_cap = self.byte_rate * budget.burst_seconds
        self.second_cap = self.second_rate * budget.burst_seconds
        self.bytes, self.seconds, self.at = self.byte_cap, self.second_cap, now  # start full

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.at)
        self.at = now
        self.bytes = min(self.byte_cap, self.bytes + elapsed * self.byte_rate)
        self.seconds = min(self.second_cap, self.seconds + elapsed * self.second_rate)

    def wait(self, need_bytes: float, need_seconds: float) -> float:
        need_bytes, need_seconds = min(need_bytes, self.byte_cap), min(need_seconds, self.second_cap)
        return max(max(0.0, need_bytes - self.bytes) / self.byte_rate,
                   max(0.0, need_seconds - self.seconds) / self.second_rate)

    def fit(self, per_bytes: float, per_seconds: float, count: int) -> int:
        by_bytes = self.bytes / per_bytes if per_bytes > 0 else count
        by_seconds = self.seconds / per_seconds if per_seconds > 0 else count
        return max(0, min(count, int(by_bytes), int(by_seconds)))

    def pace(self, per_bytes: float, per_seconds: float) -> float:
        return max(per_bytes / self.byte_rate, per_seconds / self.second_rate)


class WireCost:
    """Measured costs per kind of read, and the budget's buckets (feed it every `RequestRecord`).

    Two purposes share the budget: re-reading the engine to find work started elsewhere gets
    `discovery_share` of it, checking the generations in flight (and everything else) the rest, so
    a costly engine read never starves the checks of work already known, nor the reverse.
    """

    def __init__(self, budget: WireBudget | None = None, *, monotonic: Callable[[], float],
                 discovery_share: float = 0.5) -> None:
        if not 0 < discovery_share < 1:
            raise ValueError("discovery_share must be between 0 and 1")
        self.budget = budget or WireBudget()
        self.monotonic = monotonic
        self.costs: dict[str, Measured] = {k: Measured(*v) for k, v in DEFAULT_COST.items()}
        now = monotonic()
        self.buckets = {ENGINE: Bucket(self.budget, discovery_share, now),
                        OTHER: Bucket(self.budget, 1 - discovery_share, now)}
        #: totals since the start, for the API log and the bench
        self.spent_bytes = 0
        self.spent_seconds = 0.0
        self.requests = 0

    def _bucket(self, kind: str) -> Bucket:
        bucket = self.buckets[ENGINE if kind == ENGINE else OTHER]
        bucket.refill(self.monotonic())
        return bucket

    # --- measuring ---------------------------------------------------------------------------------
    def observe(self, record: RequestRecord) -> None:
        """One attempt's answer (or failure): charged to its bucket, and learnt when it answered."""
        kind = route_kind(record.method, record.path)
        seconds = max(0.0, record.elapsed_ms / 1000.0)
        bucket = self._bucket(kind)
        bucket.bytes -= record.wire_bytes
        bucket.seconds -= seconds
        self.spent_bytes += record.wire_bytes
        self.spent_seconds += seconds
        self.requests += 1
        if record.status is not None and 200 <= record.status < 300 and record.wire_bytes > 0:
            self.costs[kind].add(record.wire_bytes, seconds)

    def cost(self, kind: str) -> tuple[float, float]:
        """(wire bytes, server seconds) one read of this kind is expected to cost."""
        measured = self.costs.get(kind) or self.costs[OTHER]
        return measured.bytes, measured.seconds

    def measured(self, kind: str) -> bool:
        return self.costs[kind].samples > 0

    # --- the budget --------------------------------------------------------------------------------
    def wait(self, kind: str, count: int = 1) -> float:
        """Seconds until `count` reads of `kind` fit the budget (0: now). Never more than the time to
        earn a full burst, so a read bigger than the burst still happens, at the budget's pace."""
        if count <= 0:
            return 0.0
        per_bytes, per_seconds = self.cost(kind)
        return self._bucket(kind).wait(count * per_bytes, count * per_seconds)

    def affordable(self, kind: str, count: int = 1) -> int:
        """How many of `count` reads of `kind` fit the budget now."""
        return self._bucket(kind).fit(*self.cost(kind), count)

    def pace(self, kind: str) -> float:
        """Seconds between reads of `kind` if its whole share of the budget went to them (steady state)."""
        return self._bucket(kind).pace(*self.cost(kind))
