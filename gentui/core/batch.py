"""Mass regenerate: a plan before anything is spent, then a bounded, pausable, resumable loop.

The GEN API has no bulk generate; a batch is a loop of per-cell generates. Every item's intent is
journalled with its Idempotency-Key before the first one is sent (one transaction), so a crash at
any point leaves the whole rest resumable; a retry (or a resume after a crash) reuses that key, so
no cell is ever charged twice. A cancel abandons the intents never sent. Running out of credits pauses the batch; a top-up and
`resume()` finish it.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gentui.api import errors, vocab
from gentui.core.actions import Actions, Guards, Plan, Refusal
from gentui.core.card import Card
from gentui.core.engine_state import EngineState
from gentui.core.events import BatchProgress, Notice
from gentui.core.formatting import fmt_credits, plural
from gentui.core.session import Session
from gentui.core.views import CellKey

ZERO = Decimal(0)
ONE = Decimal(1)  # a projection is shown in whole credits (the server charges whole ones)
RATE_WARMUP_SECONDS = 2.0  # no rate or ETA is shown before this many seconds and sends
RATE_WARMUP_SENDS = 3


class CostBook:
    """Documented estimates, refined by the real `execution_cost` seen for the same type/model/duration.

    The refined figure is what a generation will likely cost once the server settles it; the server
    pre-charges the documented estimate (`Card.estimate()`), so a plan's total, the spend cap and the
    "fits the balance" check use that, and the refined figure only projects the balance after."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str, str], list[Decimal]] = defaultdict(list)

    @staticmethod
    def _key(generation_type: str, model: str | None, duration: Any) -> tuple[str, str, str]:
        return (generation_type, vocab.canonical_model(model) or "", str(duration or ""))

    def observe(self, generation_type: str, model: str | None, duration: Any, cost: Decimal) -> None:
        seen = self._seen[self._key(generation_type, model, duration)]
        seen.append(cost)
        del seen[:-50]

    def learn(self, state: EngineState, models: dict[str, str] | None = None) -> None:
        """Learn from the completed jobs in an engine whose model and duration we know."""
        models = models or {}
        for key, cell in state.cells.items():
            card = state.card(key)
            for job in cell.jobs:
                if job.status == vocab.COMPLETED and job.execution_cost is not None:
                    if not card.made(job.canonical_type):
                        continue
                    model = models.get(job.id) or card.model
                    self.observe(card.generation_type, model, card.duration, job.execution_cost)

    def estimate(self, card: Card) -> tuple[Decimal, bool]:
        """(credits per generation, refined?)"""
        seen = self._seen.get(self._key(card.generation_type, card.model, card.duration))
        if seen:
            return (sum(seen, ZERO) / len(seen)).quantize(Decimal("0.01")), True
        return card.estimate(), False


@dataclass
class BatchItem:
    key: CellKey
    cell_id: str
    card: Card
    estimate: Decimal  # what the server pre-charges: the documented estimate (`Card.estimate()`)
    state: str = "queued"  # queued | sending | sent | failed | skipped
    idempotency_key: str | None = None
    generation_id: str | None = None
    error: str = ""
    sent_at: float | None = None  # when its POST first went out (the session's clock)
    uncertain: bool = False  # a POST went out and its answer was lost: the server may have acted
    likely: Decimal | None = None  # refined by what the same model/duration really cost (projection only)
    running: bool = False  # the cell had a generation in flight when planned: this starts another

    @property
    def likely_cost(self) -> Decimal:
        return self.estimate if self.likely is None else self.likely


@dataclass
class BatchPlan:
    """What a batch will send and what it costs: `total` is what the server pre-charges (the cap and
    the balance check use it); `likely_total` is the final cost recent charges suggest."""

    items: list[BatchItem]
    balance: Decimal | None
    refined: bool = False
    values: dict[CellKey, str] = field(default_factory=dict)  # optional mass_update first

    @property
    def total(self) -> Decimal:
        """The pre-charge: the sum of the documented estimates."""
        return sum((i.estimate for i in self.items), ZERO)

    @property
    def likely_total(self) -> Decimal:
        """The likely final cost: refined estimates where past charges tell, the documented one elsewhere."""
        return sum((i.likely_cost for i in self.items), ZERO)

    @property
    def in_flight(self) -> int:
        """How many of the cells already had a generation running when planned."""
        return sum(1 for i in self.items if i.running)

    @property
    def balance_after(self) -> Decimal | None:
        """The balance once every item is pre-charged (the low point while the batch runs)."""
        return None if self.balance is None else self.balance - self.total

    @property
    def likely_balance_after(self) -> Decimal | None:
        """The balance once the server has settled every generation, as recent charges suggest."""
        return None if self.balance is None else self.balance - self.likely_total

    def fitting(self) -> int:
        """How many items (in order) the balance covers, at what the server pre-charges."""
        if self.balance is None:
            return len(self.items)
        left, n = self.balance, 0
        for item in self.items:
            if item.estimate > left:
                break
            left -= item.estimate
            n += 1
        return n

    def truncate(self, n: int) -> None:
        del self.items[n:]

    def lines(self) -> list[str]:
        per = sorted({i.estimate for i in self.items})
        each = fmt_credits(per[0]) if len(per) == 1 else f"{fmt_credits(per[0])}–{fmt_credits(per[-1])}"
        refined = self.refined and self.likely_total != self.total
        each_word = "each" if len(self.items) != 1 else "for it"
        out = [f"{plural(len(self.items), 'cell')}, ~{each} credits {each_word} (the documented estimate the server "
               "pre-charges)"]
        total = f"Estimated total: {fmt_credits(self.total)} credits (pre-charged)"
        if refined:
            total += f"; likely final cost ~{fmt_credits(self.likely_total.quantize(ONE))} from recent charges"
        out.append(total)
        if self.in_flight:
            out.append(f"{self.in_flight} of these cells has a generation running; it starts another"
                       if self.in_flight == 1 else
                       f"{self.in_flight} of these cells have a generation running; each starts another")
        if self.balance is not None:
            line = f"Balance: {fmt_credits(self.balance)} → {fmt_credits(self.balance_after)} (generic, pre-charged)"
            if refined:
                settled = (self.balance - self.likely_total).quantize(ONE)
                line += f"; ~{fmt_credits(settled)} once settled (from recent charges)"
            out.append(line)
            fits = self.fitting()
            if fits < len(self.items):
                out.append(f"Short of credits: only {fits} of {len(self.items)} fit in the balance.")
        elif self.total > 0:
            out.append("Balance: unknown (not read from the server): not checked")
        if self.values:
            out.append(f"First: {plural(len(self.values), 'cell value')} updated in one mass_update (free)")
        return out


def plan_batch(session: Session, actions: Actions, keys: Iterable[CellKey], *, overrides: dict[str, Any] | None = None,
               values: dict[CellKey, str] | None = None, costs: CostBook | None = None) -> BatchPlan:
    """The plan for regenerating `keys` with their cards (changed by `overrides`), nothing spent yet."""
    actions.check_writable("mass_regenerate")
    costs = costs or CostBook()
    state = session.state
    items: list[BatchItem] = []
    refined = False
    for key in keys:
        cell = state.cells.get(key)
        if cell is None:
            continue
        card = state.card(key)
        if card.generation_type in (vocab.UNKNOWN, vocab.RENDER):
            continue
        if overrides:
            data = dict(card.data)
            data.update({k: v for k, v in overrides.items() if v not in (None, "")})
            card = card.with_data(data, "batch")
        likely, was_refined = costs.estimate(card)  # the projection; the server pre-charges card.estimate()
        refined = refined or was_refined
        items.append(BatchItem(key, cell.cell_id, card, card.estimate(), likely=likely if was_refined else None,
                               running=bool(cell.in_flight)))
    if not items:
        raise Refusal("mass_regenerate: no regenerable cell in the selection")
    return BatchPlan(items, session.ledger.generic, refined, dict(values or {}))


class BatchRunner:
    """Runs a plan with bounded concurrency; `pause()`, `resume()`, `cancel()` from the UI."""

    def __init__(self, session: Session, actions: Actions, plan: BatchPlan, *, concurrency: int = 4,
                 guards: Guards | None = None,
                 monotonic: Callable[[], float] = time.monotonic) -> None:
        self.session, self.actions, self.plan = session, actions, plan
        self.concurrency = max(1, min(16, concurrency))
        self.guards = guards or actions.guards
        self.monotonic = monotonic
        self.state = "running"
        self.reason = ""
        self._started = monotonic()
        self.in_flight = 0
        self.max_in_flight = 0
        self.low_balance_ok = False  # the low balance warning paused once; a resume goes on
        self._resumed = False
        self._values_done = False
        self._balance_seen, self._sent_since = session.ledger.generic, ZERO
        self._running = False  # inside `run()`
        self._end_watched = False  # `watch_batch_end` was called (once per batch)

    # --- control ---------------------------------------------------------------------------------
    def pause(self, reason: str = "paused") -> None:
        if self.state == "running":
            self.state, self.reason = "paused", reason
            self._report()

    def resume(self) -> None:
        """Back to running; call `run()` again to send what is left (same Idempotency-Keys)."""
        if self.state == "paused":
            self.state, self.reason = "running", ""
            self._resumed = True  # `run()` reads the balance again first (a top-up is likely why)
            self._report()

    def cancel(self) -> None:
        """Stop for good: what was never sent is abandoned now (never offered again); a lost answer stays uncertain."""
        self.state, self.reason = "cancelled", "cancelled"
        self._abandon_unsent()
        self._report()
        if not self._running:  # a paused batch cancelled: no `run()` will end it
            self._watch_end()

    def _abandon_unsent(self) -> None:
        abandon = getattr(self.actions.intents, "abandon", None)
        for item in self.plan.items:
            if item.state == "queued":
                item.state = "skipped"
                if item.uncertain:
                    self._keep_uncertain(item)  # the server may have it: resent with its key, not dropped
                elif abandon is not None and item.idempotency_key:
                    abandon(item.idempotency_key)  # never sent: not to be offered for resume

    def journalled_unsent(self) -> int:
        """Unsent items whose intent a durable journal holds (a later start can offer them)."""
        if not getattr(self.actions.intents, "durable", False):
            return 0
        return sum(1 for i in self.plan.items if i.state in ("queued", "sending") and i.idempotency_key)

    def generation_ids(self) -> set[str]:
        """The generations this batch started."""
        return {i.generation_id for i in self.plan.items if i.generation_id}

    def _watch_end(self) -> None:
        """Done or cancelled: the session says `BatchFinished` once all the generations sent have ended."""
        if self.state in ("done", "cancelled") and not self._end_watched:
            ids = self.generation_ids()
            if ids:
                self._end_watched = True
                self.session.watch_batch_end(ids)

    # --- progress --------------------------------------------------------------------------------
    def progress(self) -> BatchProgress:
        items = self.plan.items
        sent = sum(1 for i in items if i.state == "sent")
        failed = sum(1 for i in items if i.state == "failed")
        queued = sum(1 for i in items if i.state in ("queued", "sending"))
        skipped = sum(1 for i in items if i.state == "skipped")
        elapsed = max(1e-6, self.monotonic() - self._started)
        # a rate needs a few sends and seconds behind it: the first answers land together
        rate = sent / elapsed if elapsed >= RATE_WARMUP_SECONDS and sent >= RATE_WARMUP_SENDS else 0.0
        eta = queued / rate if rate > 0 and self.state == "running" else None
        return BatchProgress(len(items), sent, failed, queued, self.state, self.reason, rate, eta, skipped)

    def _report(self) -> None:
        self.session.emit(self.progress())

    # --- the loop --------------------------------------------------------------------------------
    async def run(self) -> BatchProgress:
        """Send what is queued until done, paused or cancelled; a done or cancelled batch's end is watched."""
        self.actions.check_writable("mass_regenerate")  # read-only mode sends nothing, whoever built the plan
        self._running = True
        try:
            p = await self._run()
        except Exception as exc:  # noqa: BLE001 - whatever stopped it, the batch is not left "running"
            p = self._stopped_by(exc)
        finally:
            self._running = False
        self._watch_end()
        return p

    def _stopped_by(self, exc: Exception) -> BatchProgress:
        """An error no step handles (a full disk under the journal, a failed value write): pause, say it."""
        for item in self.plan.items:
            if item.state == "sending":
                item.state = "queued"  # its key is kept: a resume sends it again under the same key
        text = exc.message if isinstance(exc, errors.GenApiError) else str(exc) or type(exc).__name__
        if self.state == "running":
            self.state = "paused"
        self.reason = f"stopped: {text}; resume when it is fixed, or cancel"
        self._report()
        p = self.progress()
        self.session.emit(Notice(f"batch {self.reason} ({p.sent} of {p.total} sent)", "error"))
        return p

    async def _run(self) -> BatchProgress:
        session = self.session
        if self._resumed:
            self._resumed = False
            with contextlib.suppress(errors.GenApiError):  # the guards use what is known; the server still refuses
                await session.load_credits()
        if self.plan.values and not self._values_done:
            await session.client.mass_update_cells(session.agent_id, session.engine_id, [
                {"id": session.state.cells[k].cell_id, "value": v} for k, v in self.plan.values.items()
                if k in session.state.cells])
            self._values_done = True  # once: a resume does not write them again
        self._journal_plan()
        queue: asyncio.Queue[BatchItem] = asyncio.Queue()
        for item in self.plan.items:
            if item.state in ("queued", "sending"):
                item.state = "queued"
                queue.put_nowait(item)
        workers = [asyncio.create_task(self._worker(queue)) for _ in range(self.concurrency)]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()
        if self.state == "running":
            self.state = "done"
        elif self.state == "cancelled":
            self._abandon_unsent()  # what was queued when a sending worker saw the cancel
        elif self.reason.startswith("out of credits"):  # workers still sending may have landed since
            p = self.progress()
            self.reason = f"out of credits: {p.sent} triggered, {p.queued} remaining; top up, then resume"
        self._report()
        p = self.progress()
        session.emit(Notice(self.summary(p), "information" if p.state == "done" and not p.failed else "warning",
                            tags=("batch", p.state)))
        return p

    @staticmethod
    def summary(p: BatchProgress) -> str:
        """The words of a batch's end (or pause): N triggered, M failed, K skipped or remaining."""
        if p.state == "paused":
            cause = "out of credits: top up, then resume" if p.reason.startswith("out of credits") else p.reason
            return f"batch paused: {p.sent} triggered, {p.failed} failed, {p.queued} remaining ({cause})"
        return f"batch {p.state}: {p.sent} triggered, {p.failed} failed, {p.skipped + p.queued} skipped"

    def _keep_uncertain(self, item: BatchItem) -> None:
        """A cancelled item whose POST went out unanswered stays uncertain: resent with its key, never abandoned."""
        assert item.idempotency_key is not None
        plan = Plan("mass_regenerate", f"Regenerate {self.session.where(item.key)} (batch)", key=item.key,
                    amount=item.estimate, card=item.card)
        made = item.sent_at if item.sent_at is not None else self.session.clock()
        self.actions.adopt_uncertain(item.idempotency_key, plan, item.cell_id, made)

    def _journal_plan(self) -> None:
        """Write every item's intent before the first POST, so a crash anywhere leaves all the rest resumable."""
        todo = [i for i in self.plan.items if i.idempotency_key is None and i.state in ("queued", "sending")]
        if not todo:
            return
        intents = self.actions.intents
        many = getattr(intents, "begin_many", None)
        if many is not None:
            keys = many("mass_regenerate", [(i.key, i.cell_id, i.card, i.estimate) for i in todo],
                        batch_id=str(uuid.uuid4()))
        else:
            keys = [intents.begin("mass_regenerate", i.key, i.cell_id, i.card, estimate=i.estimate) for i in todo]
        for item, idem in zip(todo, keys, strict=True):
            item.idempotency_key = idem

    async def _worker(self, queue: asyncio.Queue[BatchItem]) -> None:
        while True:
            if self.state != "running":  # paused or cancelled: `run()` returns; resume() + run() go on
                return
            try:
                item = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if not await self._send(item):
                queue.put_nowait(item)  # paused: try again after resume

    def _balance_now(self) -> Decimal | None:
        """The server's last balance less what this batch sent since it was read (the server's
        figure lags: without this, a whole batch would pass a guard the first cells already crossed)."""
        generic = self.session.ledger.generic
        if generic != self._balance_seen:
            self._balance_seen, self._sent_since = generic, ZERO
        return None if generic is None else generic - self._sent_since

    def _guard(self, item: BatchItem) -> str | None:
        ledger, guards = self.session.ledger, self.guards
        sending = sum((i.estimate for i in self.plan.items if i.state == "sending"), ZERO)
        if guards.spend_cap is not None and self.actions.over_spend_cap(sending + item.estimate, guards):
            return (f"spend cap reached ({fmt_credits(ledger.session_spent)} of {fmt_credits(guards.spend_cap)} "
                    "this session): raise spend_cap to go on")
        balance = self._balance_now()
        if balance is not None and balance - sending - item.estimate < guards.low_balance_warning \
                and not self.low_balance_ok:
            return (f"low balance: ~{fmt_credits(balance - sending)} left (warning below "
                    f"{fmt_credits(guards.low_balance_warning)}); resume to go on anyway")
        return None

    async def _send(self, item: BatchItem) -> bool:
        """Trigger one cell; False when the batch paused and the item must wait."""
        session = self.session
        reason = self._guard(item)
        if reason is not None:
            if reason.startswith("low balance"):
                self.low_balance_ok = True  # warn once; resume goes on
            self.pause(reason)
            return False
        item.state = "sending"
        if item.idempotency_key is None:
            item.idempotency_key = self.actions.intents.begin("mass_regenerate", item.key, item.cell_id, item.card,
                                                              estimate=item.estimate)
        gt, data = item.card.body()
        if item.sent_at is None:
            item.sent_at = session.clock()
        self.in_flight += 1
        self.max_in_flight = max(self.max_in_flight, self.in_flight)
        try:
            answer = await session.client.generate(session.agent_id, session.engine_id, item.cell_id, gt, data,
                                                   idempotency_key=item.idempotency_key)
        except errors.InsufficientCreditsError:
            item.state = "queued"
            p = self.progress()
            self.pause(f"out of credits: {p.sent} triggered, {p.queued} remaining; top up, then resume")
            return False
        except errors.GenApiError as exc:
            if exc.not_sent:  # the connection was refused: nothing went out; a resume sends it (same key)
                item.state = "queued"
                self.pause(f"server unreachable ({type(exc).__name__}, nothing sent); resume to retry")
                return False
            sure = exc.refused
            if not sure:  # ambiguous: keep the intent and its key; a resume resends with the same key
                self.actions.intents.uncertain(item.idempotency_key, f"{type(exc).__name__}: {exc.message}")
                item.state, item.uncertain = "queued", True
                self.pause(f"server trouble ({type(exc).__name__}); resume to retry with the same keys")
                return False
            self.actions.intents.failed(item.idempotency_key, f"{type(exc).__name__}: {exc.message}")
            item.state, item.error = "failed", exc.message
            self._report()
            return True
        finally:
            self.in_flight -= 1
        item.state, item.generation_id = "sent", answer.generation_id
        session.batch_generations.add(answer.generation_id)
        self._balance_now()
        self._sent_since += item.card.estimate()  # what the server pre-charged
        self.actions.generated(item.idempotency_key, item.key, item.cell_id, item.card, answer.generation_id,
                               item.card.estimate(), note="batch")
        self._report()
        return True
