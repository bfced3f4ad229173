"""The poller: watches in-flight generations and the engine, never overlapping itself, within a budget.

Each round runs to its end before the next is scheduled (dolphie's habit), so a slow server slows
the cadence instead of piling up requests. What a round reads is priced in real units by
`gentui.core.wire_cost` (bytes on the wire as received, server time as measured) and spent from
its budget; when each generation is read is planned by `gentui.core.schedule` (dense inside its
likely finishing window, learnt per type and model, sparse outside). Work started elsewhere is
found by re-reading the engine at a pace its measured cost allows (a small engine every few
seconds, a 12 MB one far more rarely), and the selected cell (`focus`) by its own cheap GET; a
manual refresh (`wake(engine=True)`) reads the engine at once. Under a flood the budget wins and
`view_age()` says how far behind the view may be. Errors back off; a 401 stops polling until
`wake()`. A round that crashes ends `run()` (the app restarts it); the restarted `run()` waits
first, longer after each crash in a row (`restart_delay`). Charged POSTs whose answers were lost
are sent again (same Idempotency-Key) every UNCERTAIN_RETRY_SECONDS, and at once on reconnect.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from gentui.api import errors
from gentui.core import wire_cost
from gentui.core.events import Notice
from gentui.core.poll_plan import Plan
from gentui.core.schedule import Cadence
from gentui.core.session import Session
from gentui.core.views import CellKey, Changes, JobView
from gentui.core.wire_cost import WireBudget, WireCost

OVERDUE_GRACE = 20.0  # seconds past due before the poll counts as late (a big engine GET takes a few)
UNCERTAIN_RETRY_SECONDS = 15.0  # how often lost answers of charged POSTs are resent (and on reconnect)


@dataclass
class PollPolicy:
    interval: float = 2.0  # the user's poll_interval (floor 1.0): sets the dense cadence of quick work
    video_interval: float = 5.2  # the dense cadence of video work (video, lipsync, render): 6 s at p95, a round's spread included
    sparse: float = 30.0  # the longest gap between two checks of a generation in flight
    engine_idle: float = 15.0  # nothing in flight: the engine is re-read at most this often (a teammate's work
    # shows within it on a small engine; a big one is paced by its cost and the CPU of reading it)
    discovery_floor: float = 2.0  # work in flight: never re-read the engine more often than this
    discovery_share: float = 0.25  # of the wire budget, at most this goes to re-reading the engine
    focus_interval: float = 5.0  # the selected cell's own GET (its history, outside changes)
    concurrency: int = 4
    max_backoff: float = 30.0
    read_share: float = 0.2  # at most this share of a core spent reading engines while polling
    idle_read_share: float = 0.005  # and this share while nothing is in flight
    credits_every: float = 30.0
    credits_after_terminal: float = 5.0  # a finished generation refreshes the balance, at most this often
    budget: WireBudget = field(default_factory=WireBudget)

    def cadence(self) -> Cadence:
        fast = max(1.0, self.interval * 1.4)  # 2.8 s at the default 2 s: p95 within 3 s
        return Cadence(dense_fast=fast, dense_slow=max(fast, self.video_interval), dense_loose=fast * 5,
                       sparse=self.sparse)


class Poller:
    """Drives a `Session`: call `run()` in a worker, `wake()` after an action, `stop()` to end."""

    def __init__(
        self,
        session: Session,
        policy: PollPolicy | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        measure: bool = True,
    ) -> None:
        self.session = session
        self.policy = policy or PollPolicy()
        self.monotonic = monotonic
        self.errors = 0
        #: rounds in a row that ended in something other than a `GenApiError` (a bug, or an answer the
        #: client could not contain): the worker is restarted, and `run()` then waits `restart_delay()`
        self.crashes = 0
        self.paused_for_auth = False
        self.rounds = 0
        #: what reads cost (measured from every answer of the session's client) and the budget spent
        self.cost = WireCost(self.policy.budget, monotonic=monotonic, discovery_share=self.policy.discovery_share)
        listen = getattr(getattr(session, "client", None), "listen", None) if measure else None  # tests may price by hand
        self._unlisten: Callable[[], None] | None = listen(self.cost.observe) if listen is not None else None
        self.plan = Plan(self.policy, self.cost, getattr(session, "clock", time.time))
        self._hold_until = 0.0
        self._credits_at = -1e9  # when the balance was last read
        self._credits_due = 0.0
        self._wake = asyncio.Event()
        self._stopped = False
        self._cache_tried = False
        self.next_round_at: float | None = None  # monotonic: when the next round is due (None: not running)
        #: resends the charged POSTs whose answers were lost: (settled, still uncertain); the app sets it
        self.resend: Callable[[], Awaitable[tuple[int, int]]] | None = None
        #: whether any charged POST's answer was lost; the app sets it
        self.has_uncertain: Callable[[], bool] | None = None
        self._resend_due: float | None = None  # next resend while some answers are lost (monotonic)
        self._resending: asyncio.Task[None] | None = None

    # --- control -------------------------------------------------------------------------------
    def wake(self, *, engine: bool = False, credits: bool = False) -> None:
        """Poll soon: after an action, a manual refresh, or a new key."""
        now = self.monotonic()
        if engine:  # a manual refresh: the engine now, whatever the budget says (it is charged all the same)
            self.plan.engine_due, self.plan.forced = now, True
        if credits:
            self._credits_due = now
        self.paused_for_auth = False
        self.errors = 0
        self._wake.set()

    def watch(self, generation_id: str, delay: float = 1.0) -> None:
        """A generation created here: check it soon."""
        self.plan.due[generation_id] = self.monotonic() + delay
        self._wake.set()

    def focus(self, key: CellKey | None) -> None:
        """The selected cell: read it (GET cell, its history and outside changes) every `focus_interval`."""
        if key != self.plan.focus:
            self.plan.focus, self.plan.focus_due = key, self.monotonic()
            self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        if self._unlisten is not None:
            self._unlisten()
            self._unlisten = None
        self._wake.set()

    def view_age(self) -> float:
        """Seconds the view is behind its plan because the budget held reads back (0: on time)."""
        return self.plan.view_age(self.monotonic())

    def discovery_age(self) -> float | None:
        """Seconds since the engine was last read (work started elsewhere shows up then); None: never."""
        at = self.plan.engine_at
        return None if at is None else self.monotonic() - at

    def overdue(self) -> float | None:
        """Seconds the poll is late by (a round that hangs, a poller that died), past a grace; else None."""
        due = self.next_round_at
        if due is None or self._stopped:
            return None
        late = self.monotonic() - due
        return late if late > OVERDUE_GRACE else None

    # --- the loop --------------------------------------------------------------------------------
    def restart_delay(self) -> float:
        """How long a restarted `run()` waits before its first round: 0, then doubling per crash, capped."""
        if self.crashes <= 0:
            return 0.0
        return min(self.policy.max_backoff, self.policy.interval * 2 ** min(self.crashes - 1, 10))

    async def run(self) -> None:
        try:
            await self._pause(self.restart_delay())  # restarted after a crash: never hammer the server
            while not self._stopped:
                before = self.session.connection
                self.next_round_at = self.monotonic()  # due now: a round still going after the grace is late
                try:
                    delay = await self.round()
                except Exception:
                    self.crashes += 1
                    raise
                self.crashes = 0
                delay = self._lost_answers(reconnected=before != "ok" and self.session.connection == "ok", delay=delay)
                self.next_round_at = self.monotonic() + delay
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=delay)
        finally:
            if self._resending is not None:
                self._resending.cancel()

    async def _pause(self, seconds: float) -> None:
        """Wait `seconds`; only `stop()` ends it early (a burst of `wake()`/`watch()` calls must not)."""
        loop = asyncio.get_running_loop()
        end = loop.time() + seconds
        while not self._stopped and (left := end - loop.time()) > 0:
            self._wake.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=left)

    # --- lost answers ------------------------------------------------------------------------------
    def _lost_answers(self, *, reconnected: bool, delay: float) -> float:
        """Start a resend when due (or the connection is back); returns the delay, shortened to the next one."""
        if self.resend is None or self.has_uncertain is None or not self.has_uncertain():
            self._resend_due = None
            return delay
        if self.paused_for_auth:  # the key is rejected: a resend would be too; `wake()` after a new key
            return delay
        now = self.monotonic()
        if self._resend_due is None:  # just lost: the server is not answering now, try again later
            self._resend_due = now + UNCERTAIN_RETRY_SECONDS
        if self._resending is None and (reconnected or now >= self._resend_due):
            self._resend_due = now + UNCERTAIN_RETRY_SECONDS
            self._resending = asyncio.create_task(self._resend(self.resend))
        return min(delay, max(0.2, self._resend_due - now))

    async def _resend(self, resend: Callable[[], Awaitable[tuple[int, int]]]) -> None:
        try:
            settled, left = await resend()
        except errors.GenApiError:  # the server is not answering yet: the next turn tries again
            return
        except Exception as exc:  # noqa: BLE001 - a broken resend must not end the poller; said, and tried again
            self.session.emit(Notice(f"resending lost answers failed: {type(exc).__name__}: {exc}", "error",
                                     tags=("resend",)))
            return
        finally:
            self._resending = None
        if settled:
            waiting = f"; {left} still waiting for the server" if left else ""
            self.session.emit(Notice(f"sent again with the same Idempotency-Key (charged once): {settled}{waiting}",
                                     tags=("resend",)))

    async def round(self) -> float:
        """One poll round; returns the delay before the next one."""
        if self.paused_for_auth:
            return 3600.0
        self.rounds += 1
        if not self._cache_tried and not self.session.state.loaded:  # start-up: the last engine seen, at once
            self._cache_tried = True
            await self.session.load_cached()
        try:
            await self._round()
        except errors.GenApiError as exc:
            state = self.session.failed(exc)
            if state == "auth":
                self.paused_for_auth = True
                return 3600.0
            self.errors += 1
            retry_after = getattr(exc, "retry_after", None)
            backoff = min(self.policy.max_backoff, self.policy.interval * (2 ** min(self.errors, 5)))
            return max(backoff, float(retry_after or 0))
        self.errors = 0
        return self.next_delay()

    async def _round(self) -> None:
        session, plan, now = self.session, self.plan, self.monotonic()
        self._hold_until = 0.0
        refreshed = False
        if not session.state.loaded or now >= plan.engine_due:
            wait = 0.0 if not session.state.loaded or plan.forced else self.cost.wait(wire_cost.ENGINE)
            if wait <= 0:
                await self._refresh_engine(now)
                refreshed = True
            else:
                plan.engine_due = now + wait  # the budget wins: discovery waits, the checks go on
        if not refreshed:  # an engine read has just observed every generation
            due = plan.due_generations(session.state, now)
            if due and plan.replaces_generation_reads(len(due)) and now >= plan.engine_ready \
                    and self.cost.wait(wire_cost.ENGINE) <= 0:
                await self._refresh_engine(now)
            elif due:
                fit = self.cost.affordable(wire_cost.GENERATION, len(due))
                if fit:
                    await self._poll_each(due[:fit], now)
                if fit < len(due):  # the budget wins: the rest wait for it (`view_age` says how long)
                    self._hold_until = self.monotonic() + max(0.2, self.cost.wait(wire_cost.GENERATION))
        if plan.focus_is_due(self.monotonic()):
            await self._read_focus()
        if self.monotonic() >= self._credits_due:
            await session.load_credits()
            self._credits_at = self.monotonic()
            self._credits_due = self._credits_at + self.policy.credits_every

    def generation_limit(self) -> int:
        """Above this many due generations one engine read costs less budget than their GETs."""
        from math import ceil

        ratio = self.cost.pace(wire_cost.ENGINE) / max(1e-9, self.cost.pace(wire_cost.GENERATION))
        return max(1, ceil(ratio))

    async def _refresh_engine(self, now: float) -> None:
        changes = await self.session.load_engine()
        self.plan.learn_history(self.session.state)  # the first read of an engine: how long its past work took
        busy = bool(self.session.state.in_flight())
        read = self.session.engine_timing[1] if self.session.engine_timing else 0.0
        self.plan.engine_read(now, busy, read)
        # what the engine shows is as old as its fetch and read: count the next checks from a little
        # before we asked, so that the grid is never more than one interval behind the server
        timing = self.session.engine_timing
        lead = min(timing[0] + timing[3], self.policy.interval / 2) if timing else 0.0
        self._settled(changes, now - lead, fresh=True)

    async def _read_focus(self) -> None:
        key, plan = self.plan.focus, self.plan
        plan.focus_due = self.monotonic() + self.policy.focus_interval
        if key is None or key not in self.session.state.cells or self.cost.wait(wire_cost.CELL) > 0:
            return
        started = self.monotonic()
        try:
            changes = await self.session.load_cell(key)
        except errors.NotFoundError:
            plan.focus = None
            return
        self._settled(changes, started)

    def _settled(self, changes: Changes, started: float, *, fresh: bool = False) -> None:
        self.plan.learn(changes, self.session.generation_models)
        self.plan.reschedule(self.session.state, started, self.session.generation_models, fresh=fresh)
        if changes.terminal:
            self._credits_soon()

    async def _poll_each(self, due: list[tuple[str, CellKey, JobView]], started: float) -> None:
        semaphore = asyncio.Semaphore(self.policy.concurrency)
        seen = Changes()
        halted = False  # a failure (after the client's own retries) ends the round: no storm of doomed GETs

        async def one(gen_id: str) -> None:
            nonlocal halted
            async with semaphore:
                if halted:
                    return
                try:
                    changes = await self.session.poll_generation(gen_id)
                except errors.NotFoundError:
                    self.plan.due.pop(gen_id, None)  # vanished: the next engine refresh tells
                    self.plan.engine_due = 0.0
                    return
                except errors.GenApiError:
                    halted = True
                    raise
                seen.terminal.extend(changes.terminal)

        results = await asyncio.gather(*(one(g) for g, _, _ in due), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        for gen_id, _, _ in due:  # just observed: the next check counts from when we asked
            self.plan.due.pop(gen_id, None)
        self._settled(seen, started)
        if failures:
            raise failures[0]

    def _credits_soon(self) -> None:
        """A generation finished: its cost moved the balance; read it soon, but not every round."""
        self._credits_due = min(self._credits_due, self._credits_at + self.policy.credits_after_terminal)

    # --- scheduling ------------------------------------------------------------------------------
    def due_generations(self, now: float) -> list[tuple[str, CellKey, JobView]]:
        return self.plan.due_generations(self.session.state, now)

    def next_delay(self) -> float:
        now, plan = self.monotonic(), self.plan
        if self._hold_until > now:
            candidates = [self._hold_until, plan.engine_due, self._credits_due]
        else:
            candidates = [plan.engine_due, self._credits_due, *plan.due.values()]
        if plan.focus is not None:
            candidates.append(plan.focus_due)
        delay = min(candidates) - now
        return max(0.2, min(delay, max(self.policy.engine_idle, plan.engine_due - now)))
