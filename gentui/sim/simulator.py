"""The simulator's state (`Simulator`): options, clock and scaled time, world, faults, stats, idempotency cache.

Kept apart from `gentui.sim.app` so the route modules can name it without importing the app.
"""

from __future__ import annotations

import random
from collections.abc import Awaitable, Callable
from typing import Any

from gentui.sim.bookkeeping import IdempotencyCache, Stats
from gentui.sim.clock import Clock, SimTime, WallClock
from gentui.sim.dialect import Serializer
from gentui.sim.faults import FaultInjector, Faults
from gentui.sim.options import SimOptions
from gentui.sim.seed import build_world
from gentui.sim.world import World


class Simulator:
    """The simulator's state: options, clock and scaled time, world, faults, stats, idempotency cache."""

    def __init__(self, options: SimOptions, clock: Clock | None = None) -> None:
        self.options = options
        self.clock: Clock = clock or WallClock()
        self.time = SimTime(self.clock, options.speed)
        self.api_key = options.api_key
        self.stats = Stats()
        self.idempotency = IdempotencyCache()
        self.faults = FaultInjector(Faults.from_options(options), random.Random(f"{options.seed}:faults"),
                                    self._count_fault)
        #: set by the real-HTTP servers: dropped connections exist only there
        self.real_http = False
        self.quiet = options.quiet
        self.world: World = build_world(options, self.time, options.quiet)
        self.serializer = Serializer(options.dialect, self.world)

    def _count_fault(self, route: str) -> None:
        self.stats.faulted[route] += 1

    @property
    def sleep(self) -> Callable[[float], Awaitable[Any]]:
        return self.faults.sleep

    @sleep.setter
    def sleep(self, value: Callable[[float], Awaitable[Any]]) -> None:
        self.faults.sleep = value

    def advance(self) -> None:
        self.world.advance(self.time)

    def world_info(self) -> dict[str, Any]:
        """`GET /_sim/world`: the ids a client needs, in the dialect's id type, and the current key."""
        ids = self.serializer.id
        return {
            "organization_id": ids(self.world.organization_id),
            "agent_id": ids(self.world.agent_id),
            "engine_ids": [ids(e) for e in self.world.engine_ids],
            "api_key": self.api_key,
            "dialect": self.options.dialect,
            "prefixes": list(self.options.prefixes),
        }

    def reset(self, quiet: bool | None = None) -> None:
        """The seeded world again (same seed, same ids, the key given at start); faults, stats and
        idempotency cache back to how they were at start. Speed and clock carry on."""
        self.quiet = self.options.quiet if quiet is None else quiet
        self.api_key = self.options.api_key
        self.stats = Stats()
        self.idempotency = IdempotencyCache()
        self.faults.faults = Faults.from_options(self.options)
        self.faults.rng = random.Random(f"{self.options.seed}:faults")
        self.world = build_world(self.options, self.time, self.quiet)
        self.serializer = Serializer(self.options.dialect, self.world)
