"""The poller: watches in-flight generations and the engine, never overlapping itself.

Each round runs to its end before the next is scheduled (dolphie's habit), so a slow server slows
the cadence instead of piling up requests. The interval follows the kind and age of the work (text
fast, video slower, old work slower still); errors back off; a 401 stops polling until `wake()`.
When many generations are in flight one engine GET replaces their per-generation GETs. A round that
crashes ends `run()` (the app restarts it); the restarted `run()` waits first, longer after each crash
in a row (`restart_delay`), so a poller that keeps failing backs off instead of hammering. Charged
POSTs whose answers were lost are sent again (same Idempotency-Key) every UNCERTAIN_RETRY_SECONDS,
and at once when the connection is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from gentui.api import errors, vocab
from gentui.core.events import Notice
from gentui.core.session import Session
from gentui.core.views import CellKey, JobView

OVERDUE_GRACE = 20.0  # seconds past due before the poll counts as late (a big engine GET takes a few)
UNCERTAIN_RETRY_SECONDS = 15.0  # how often lost answers of charged POSTs are resent (and on reconnect)


@dataclass
class PollPolicy:
    interval: float = 2.0  # the user's poll_interval (floor 1.0)
    video_interval: float = 5.0
    old_after: float = 120.0  # seconds in flight after which work is polled less often
    max_interval: float = 15.0
    engine_idle: float = 60.0  # full engine refresh when nothing is in flight
    engine_busy: float = 30.0  # full engine refresh while work is in flight
    credits_every: float = 30.0
    per_generation_limit: int = 12  # above this many due generations, one engine GET is cheaper
    concurrency: int = 4
    max_backoff: float = 30.0
    generation_chars: int = 16_000  # what one generation GET costs, counted in engine characters
    read_share: float = 0.2  # at most this share of a core spent reading engines while polling
    idle_read_share: float = 0.005  # and this share while nothing is in flight
    credits_after_terminal: float = 5.0  # a finished generation refreshes the balance, at most this often

    def for_job(self, job: JobView, now: float, generation_type: str) -> float:
        base = self.interval
        if generation_type in vocab.VIDEO_TYPES:
            base = max(base, self.video_interval)
        age = now - job.started_at if job.started_at else 0.0
        if age > self.old_after:
            base = min(self.max_interval, base * 2)
        return base


class Poller:
    """Drives a `Session`: call `run()` in a worker, `wake()` after an action, `stop()` to end."""

    def __init__(
        self,
        session: Session,
        policy: PollPolicy | None = None,
        *,
        monotonic: Callable[[], float] = time.monotonic,
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
        self._due: dict[str, float] = {}  # generation id -> next check (monotonic)
        self._engine_due = 0.0
        self._credits_at = -1e9  # when the balance was last read
        self._engine_ready = 0.0  # no engine GET for due generations before this (read pacing)
        self._hold_until = 0.0
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
        if engine:
            self._engine_due = now
        if credits:
            self._credits_due = now
        self.paused_for_auth = False
        self.errors = 0
        self._wake.set()

    def watch(self, generation_id: str, delay: float = 1.0) -> None:
        """A generation created here: check it soon."""
        self._due[generation_id] = self.monotonic() + delay
        self._wake.set()

    def stop(self) -> None:
        self._stopped = True
        self._wake.set()

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
        session, now = self.session, self.monotonic()
        self._hold_until = 0.0
        if not session.state.loaded or now >= self._engine_due:
            await self._refresh_engine(now)
        else:
            due = self.due_generations(now)
            if len(due) > self.generation_limit():
                if now < self._engine_ready:  # the last engine read was costly: let the CPU breathe
                    self._hold_until = self._engine_ready
                else:
                    await self._refresh_engine(now)
            elif due:
                await self._poll_each(due, now)
        if self.monotonic() >= self._credits_due:
            await session.load_credits()
            self._credits_at = self.monotonic()
            self._credits_due = self._credits_at + self.policy.credits_every

    def generation_limit(self) -> int:
        """Above this many due generations one engine GET replaces their GETs (by count and payload).

        An engine GET is one request whatever its size; its payload is weighed against what the
        generation GETs it replaces would cost: a small engine is worth fetching for two due
        generations, a 20 MB one only for `per_generation_limit`.
        """
        timing = self.session.engine_timing
        if timing is None:
            return self.policy.per_generation_limit
        equivalent = round(timing[2] / max(1, self.policy.generation_chars))
        return max(1, min(self.policy.per_generation_limit, equivalent))

    async def _refresh_engine(self, now: float) -> None:
        changes = await self.session.load_engine()
        busy = bool(self.session.state.in_flight())
        read = self.session.engine_timing[1] if self.session.engine_timing else 0.0
        first = len(changes.rows_added) == len(self.session.state.rows)  # a first read costs more than the next
        if busy:
            self._engine_due = now + self.policy.engine_busy
        elif first:
            self._engine_due = now + self.policy.engine_idle
        else:  # nothing in flight: refresh rarely, and more rarely still when reading is costly
            self._engine_due = now + max(self.policy.engine_idle, read / self.policy.idle_read_share)
        self._engine_ready = now + read / self.policy.read_share
        # what the engine shows is as old as its fetch and read: count the next checks from a little
        # before we asked, so that the grid is never more than one interval behind the server
        timing = self.session.engine_timing
        lead = min(timing[0] + timing[3], self.policy.interval / 2) if timing else 0.0
        self._reschedule_all(now - lead, fresh=True)
        if changes.terminal:
            self._credits_soon()

    async def _poll_each(self, due: list[tuple[str, CellKey, JobView]], started: float) -> None:
        semaphore = asyncio.Semaphore(self.policy.concurrency)
        terminal = False
        halted = False  # a failure (after the client's own retries) ends the round: no storm of doomed GETs

        async def one(gen_id: str) -> None:
            nonlocal terminal, halted
            async with semaphore:
                if halted:
                    return
                try:
                    changes = await self.session.poll_generation(gen_id)
                except errors.NotFoundError:
                    self._due.pop(gen_id, None)  # vanished: the next engine refresh tells
                    self._engine_due = 0.0
                    return
                except errors.GenApiError:
                    halted = True
                    raise
                terminal = terminal or bool(changes.terminal)

        results = await asyncio.gather(*(one(g) for g, _, _ in due), return_exceptions=True)
        failures = [r for r in results if isinstance(r, BaseException)]
        for gen_id, _, _ in due:  # just observed: the next check counts from when we asked
            self._due.pop(gen_id, None)
        self._reschedule_all(started)
        if terminal:
            self._credits_soon()
        if failures:
            raise failures[0]

    def _credits_soon(self) -> None:
        """A generation finished: its cost moved the balance; read it soon, but not every round."""
        self._credits_due = min(self._credits_due, self._credits_at + self.policy.credits_after_terminal)

    # --- scheduling ------------------------------------------------------------------------------
    def due_generations(self, now: float) -> list[tuple[str, CellKey, JobView]]:
        out = []
        for key, job in self.session.state.in_flight():
            if self._due.get(job.id, 0.0) <= now:
                out.append((job.id, key, job))
        return out

    def _reschedule_all(self, now: float, *, fresh: bool = False) -> None:
        """Next check of each generation in flight; `fresh`: all were just observed (engine GET)."""
        in_flight = self.session.state.in_flight()
        wall = self.session.clock()
        columns = {c.id: c for c in self.session.state.columns}
        keep: dict[str, float] = {}
        for key, job in in_flight:
            previous = None if fresh else self._due.get(job.id)
            if previous is not None and previous > now:
                keep[job.id] = previous
            else:
                column = columns.get(key[1])
                gt = column.generation_type if column else job.canonical_type
                keep[job.id] = now + self.policy.for_job(job, wall, gt)
        self._due = keep

    def next_delay(self) -> float:
        now = self.monotonic()
        if self._hold_until > now:
            return self._hold_until - now
        candidates = [self._engine_due, self._credits_due, *self._due.values()]
        delay = min(candidates) - now if candidates else self.policy.interval
        return max(0.2, min(delay, max(self.policy.engine_idle, self._engine_due - now)))

