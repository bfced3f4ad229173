"""What a person can do to a cell, with its guards and its credit rules.

Each action is two steps: `plan_*` (may it run? what will it cost or refund? must it ask?) and the
coroutine that does it. The UI shows the plan, asks when `plan.needs_confirm`, then runs it.
Charged POSTs carry an Idempotency-Key made once per intent and kept in the intent log.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Protocol, TypeVar

from gentui.api import costs, errors, vocab
from gentui.core.card import Card, attributes_patch
from gentui.core.events import CreditsChanged, EngineChanged, Notice, ResendsChanged
from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.journal import JournalError
from gentui.core.resends import RESEND_LIMIT, Pending, Unanswered
from gentui.core.session import Session
from gentui.core.takes import IntentLookup
from gentui.core.views import CellKey, CellView, JobView

T = TypeVar("T")


READONLY_REASON = "read-only mode (started with --readonly or readonly = true)"


class Refusal(Exception):
    """The action does not apply here; the message says why (shown as a toast)."""


@dataclass
class Guards:
    """The settings that decide what asks and what is refused."""

    readonly: bool = False
    confirm: str = "always"  # always | costly
    confirm_above: Decimal = Decimal(50)
    spend_cap: Decimal | None = None
    low_balance_warning: Decimal = Decimal(500)


@dataclass
class Plan:
    action: str
    title: str
    key: CellKey | None = None
    amount: Decimal = Decimal(0)  # > 0 spends, < 0 refunds (estimates unless `estimated` is False)
    estimated: bool = True
    balance: Decimal | None = None
    generation_id: str | None = None
    card: Card | None = None
    lines: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    needs_confirm: bool = False

    @property
    def balance_after(self) -> Decimal | None:
        return None if self.balance is None else self.balance - self.amount

    def summary(self) -> list[str]:
        out = list(self.lines)
        if self.amount > 0:
            out.append(f"Estimated cost: {fmt_credits(self.amount)} credits")
        elif self.amount < 0:
            out.append(f"Refund: {fmt_credits(-self.amount)} credits{' (estimate)' if self.estimated else ''}")
        if self.balance is not None and self.amount:
            out.append(f"Balance: {fmt_credits(self.balance)} → {fmt_credits(self.balance_after)} (generic)")
        elif self.amount > 0:
            out.append("Balance: unknown (not read from the server): not checked")
        return out + self.warnings


class IntentLog(Protocol):
    """Where a charged POST's intent is written before it is sent (the journal, issue 4)."""

    def begin(self, action: str, key: CellKey, cell_id: str, card: Card | None, *,
              estimate: Decimal | None = None) -> str: ...

    def done(self, idempotency_key: str, generation_id: str) -> None: ...

    def failed(self, idempotency_key: str, reason: str) -> None: ...

    def uncertain(self, idempotency_key: str, reason: str) -> None: ...


def _kind(action: str) -> str:
    """What a charged POST does: an edited regenerate with an unchanged card (or a batch's) is a regenerate."""
    return "regenerate" if action in ("edit_regenerate", "mass_regenerate") else action


async def _awaited(call: Awaitable[object]) -> object:
    return await call


class MemoryIntentLog:
    """The intent log when no journal is configured: keys live as long as the process."""

    durable = False

    def __init__(self) -> None:
        self.intents: dict[str, dict[str, object]] = {}

    def begin(self, action: str, key: CellKey, cell_id: str, card: Card | None, *,
              estimate: Decimal | None = None) -> str:
        idem = str(uuid.uuid4())
        self.intents[idem] = {"action": action, "key": key, "cell_id": cell_id, "card": card, "generation_id": None}
        return idem

    def done(self, idempotency_key: str, generation_id: str) -> None:
        self.intents[idempotency_key]["generation_id"] = generation_id

    def failed(self, idempotency_key: str, reason: str) -> None:
        self.intents[idempotency_key]["error"] = reason

    def uncertain(self, idempotency_key: str, reason: str) -> None:
        self.intents[idempotency_key]["uncertain"] = reason

    def abandon(self, idempotency_key: str) -> None:
        self.intents[idempotency_key]["abandoned"] = True


class Actions:
    """The cockpit's verbs."""

    def __init__(
        self,
        session: Session,
        guards: Guards | None = None,
        *,
        intents: IntentLog | None = None,
        on_created: Callable[[str], None] | None = None,
        uncertain: Unanswered | None = None,
    ) -> None:
        self.session = session
        self.guards = guards or Guards()
        self.intents = intents or MemoryIntentLog()
        if isinstance(self.intents, IntentLookup):  # the journal: each take's card as sent from here, earlier runs
            session.takes.journal = self.intents
        self.on_created = on_created or (lambda gen_id: None)
        #: charged POSTs whose answer was lost (the server may have acted): idempotency key -> `Pending`,
        #: for the whole run (the app passes the same one to each engine's `Actions`). The same action on
        #: the same cell with the same card reuses the key, and `resend_uncertain` sends them again, each
        #: to its own engine, once the server answers: the server replays or creates once, never twice.
        self.uncertain: Unanswered = uncertain if uncertain is not None else Unanswered()
        #: cells with a charged POST sent (or about to be) and not yet answered, counted per cell
        self.sending: Counter[CellKey] = Counter()

    def _intent(self, plan: Plan, cell_id: str, card: Card | None) -> str:
        """The Idempotency-Key for a charged POST: an uncertain earlier send of the same thing keeps its own.

        One past the resend limit is not reused: the person just confirmed this charge anew, and the
        old intent is closed (abandoned) in its favour."""
        session, now = self.session, self.session.clock()
        for idem, old in list(self.uncertain.items()):
            if (old.agent_id, old.engine_id) == (session.agent_id, session.engine_id) \
                    and (_kind(old.plan.action), old.key, old.plan.generation_id) \
                    == (_kind(plan.action), plan.key, plan.generation_id) \
                    and (old.plan.card.body() if old.plan.card else None) == (card.body() if card else None):
                if not old.expired(now):
                    return idem
                self.cancel_uncertain(idem, quiet=True)
        assert plan.key is not None, "a charged POST is always for a cell"
        return self.intents.begin(plan.action, plan.key, cell_id, card, estimate=plan.amount)

    async def _charged(self, idem: str, plan: Plan, call: Awaitable[T]) -> T:
        """Send a charged POST whose intent is logged: close the intent on a sure failure only.

        Sure: the server refused (4xx), or the request certainly never left (connection refused)."""
        try:
            result = await call
        except errors.GenApiError as exc:
            # a key already uncertain may have reached the server before: a refused connection now proves nothing
            sure = exc.refused or (exc.not_sent and idem not in self.uncertain)
            (self.intents.failed if sure else self.intents.uncertain)(idem, f"{type(exc).__name__}: {exc.message}")
            if sure:
                self._settle(idem)
            elif idem not in self.uncertain:
                assert plan.key is not None, "a charged POST is always for a cell"
                session = self.session
                self.uncertain[idem] = Pending(plan, session.agent_id, session.engine_id,
                                               session.state.cells[plan.key].cell_id, session.clock(),
                                               reason=type(exc).__name__)
                session.emit(ResendsChanged())
            raise
        self._settle(idem)
        return result

    def _settle(self, idem: str) -> None:
        if self.uncertain.pop(idem, None) is not None:
            self.session.emit(ResendsChanged())

    def adopt_uncertain(self, idem: str, plan: Plan, cell_id: str, made_at: float) -> None:
        """An unanswered POST sent by someone else (a cancelled batch's): resend it like our own."""
        session = self.session
        if idem not in self.uncertain:
            self.uncertain[idem] = Pending(plan, session.agent_id, session.engine_id, cell_id, made_at)
            session.emit(ResendsChanged())

    def cancel_uncertain(self, idem: str, *, quiet: bool = False) -> Pending | None:
        """Give up on a lost answer: the intent is abandoned in the journal and never sent again."""
        pending = self.uncertain.pop(idem, None)
        if pending is None:
            return None
        abandon = getattr(self.intents, "abandon", None)
        if abandon is not None:
            abandon(idem)
        self.session.emit(ResendsChanged())
        if not quiet:
            self.session.emit(Notice(f"{pending.plan.title}: resend cancelled; it is never sent again "
                                     "(if the server did act, the generation shows up on the next refresh)",
                                     tags=("resend",)))
        return pending

    def plan_resend(self, idem: str) -> Plan:
        """Asking before a resend past the limit: it may be charged a second time, so it is a spend like any
        other (the session spend cap refuses it; the balance and its warnings are on the dialog)."""
        self.check_writable("resend")
        pending = self.uncertain.get(idem)
        if pending is None:
            raise Refusal("resend: it is no longer waiting (settled or cancelled)")
        old, now = pending.plan, self.session.clock()
        plan = Plan(old.action, f"Send again: {old.title}?", key=old.key, amount=old.amount,
                    generation_id=old.generation_id, card=old.card,
                    lines=[f"Its answer was lost {format_duration(pending.age(now))} ago (engine {pending.engine_id}).",
                           f"Past {format_duration(RESEND_LIMIT)} the server may no longer replay its "
                           "Idempotency-Key: if it acted the first time, this is charged a second time."])
        plan = self.finish(plan)  # a spend like any other: the cap refuses it, a low balance warns
        plan.needs_confirm = True  # whatever `confirm` says: it may be charged a second time
        return plan

    def resends_due(self) -> bool:
        """Whether some lost answer is still resent automatically (inside the window): for the poller."""
        return bool(self.uncertain.due(self.session.clock()))

    async def resend_uncertain(self) -> tuple[int, int]:
        """Send again, each with its own key and to its own engine, the charged POSTs whose answers were lost.

        Returns (settled, still waiting inside the window); stops at the first send that is still
        uncertain (the server is not answering yet). A sure refusal (4xx) settles an intent as failed.
        One past the resend limit is not sent: it is said once, and waits for the person (resend or cancel)."""
        settled, now = 0, self.session.clock()
        for idem, pending in list(self.uncertain.items()):
            if idem not in self.uncertain:
                continue
            if pending.expired(now):
                if not pending.expiry_said:
                    pending.expiry_said = True
                    self.session.emit(ResendsChanged())
                    self.session.emit(Notice(
                        f"{pending.plan.title}: no answer for {format_duration(pending.age(now))}, past the "
                        "server's idempotency window: not sent again by itself; resend (asks) or cancel it "
                        "from the resends list (ctrl+u) or the command palette (ctrl+p)", "warning", tags=("resend",)))
                continue
            try:
                await self.resend_one(idem)
            except errors.GenApiError:
                if idem in self.uncertain:
                    break
            settled += 1
        return settled, self.uncertain.due(now)

    async def resend_one(self, idem: str) -> str | None:
        """Send one lost answer again with its key, to the engine it was for; the generation id, or None."""
        pending = self.uncertain.get(idem)
        if pending is None:
            return None
        self.check_writable(pending.plan.action)
        session, plan = self.session, pending.plan
        client, here = session.client, (pending.agent_id, pending.engine_id) == (session.agent_id, session.engine_id)
        assert plan.key is not None
        if plan.action == "continue":
            assert plan.generation_id is not None
            gen = await self._charged(idem, plan, client.continue_(plan.generation_id, idempotency_key=idem))
            gen_id = plan.generation_id
            self._close(idem, gen_id, plan)
            session.ledger.recharge(gen_id, plan.amount)
            if here and plan.key in session.state.cells:
                session.emit(EngineChanged(session.state.apply_generation(gen, plan.key)))
        elif plan.action == "render":
            answer = await self._charged(idem, plan, client.render(pending.agent_id, pending.engine_id,
                                                                   pending.cell_id, idempotency_key=idem))
            gen_id = answer.generation_id
            self._close(idem, gen_id, plan)
            session.ledger.precharge(gen_id, plan.amount, note="render")
            if here and plan.key in session.state.cells:
                session.emit(EngineChanged(session.state.add_pending(plan.key, gen_id, vocab.RENDER)))
        else:
            assert plan.card is not None
            gt, data = plan.card.body()
            answer = await self._charged(idem, plan, client.generate(pending.agent_id, pending.engine_id,
                                                                     pending.cell_id, gt, data, idempotency_key=idem))
            gen_id = answer.generation_id
            if here and plan.key in session.state.cells:
                self.generated(idem, plan.key, pending.cell_id, plan.card, gen_id, plan.amount, note=plan.action)
                return gen_id
            self._close(idem, gen_id, plan)
            session.ledger.precharge(gen_id, plan.amount, note=plan.action)
        session.emit(CreditsChanged())
        if here:
            self.on_created(gen_id)
        else:
            session.emit(Notice(f"{plan.title} (engine {pending.engine_id}): generation {gen_id} answered "
                                f"(~{fmt_credits(plan.amount)} credits)", tags=("resend",)))
        return gen_id

    def _close(self, idem: str, generation_id: str, plan: Plan) -> None:
        try:
            self.intents.done(idem, generation_id)
        except JournalError as exc:  # the generation exists and is charged: carry on all the same
            self.session.emit(Notice(f"{plan.action}: generation {generation_id} made, but {exc}", "warning"))

    # --- guards ----------------------------------------------------------------------------------
    def check_writable(self, action: str) -> None:
        """Refuse `action` in read-only mode."""
        if self.guards.readonly:
            raise Refusal(f"{action}: {READONLY_REASON}")

    def over_spend_cap(self, amount: Decimal, guards: Guards | None = None) -> bool:
        """True when spending `amount` more would pass the session spend cap (of `guards`, default ours)."""
        cap = (guards or self.guards).spend_cap
        return cap is not None and self.session.ledger.session_spent + amount > cap

    def _cell(self, key: CellKey | None, action: str) -> CellView:
        if key is None or key not in self.session.state.cells:
            raise Refusal(f"{action}: no cell selected")
        return self.session.state.cells[key]

    def finish(self, plan: Plan) -> Plan:
        """Complete a plan: the balance, the spend cap (refused), the warnings, and whether to ask."""
        ledger, guards = self.session.ledger, self.guards
        plan.balance = ledger.generic
        if plan.amount > 0:
            if guards.spend_cap is not None and self.over_spend_cap(plan.amount):
                raise Refusal(
                    f"{plan.action}: would pass the session spend cap ({fmt_credits(ledger.session_spent)} spent"
                    f" + {fmt_credits(plan.amount)} > {fmt_credits(guards.spend_cap)}); raise spend_cap to go on"
                )
            after = plan.balance_after
            if after is not None and after < 0:
                plan.warnings.append("The balance looks too low: the server will probably refuse (top up first).")
            elif after is not None and after < guards.low_balance_warning:
                plan.warnings.append(f"Low balance: {fmt_credits(after)} left after this (warning below "
                                     f"{fmt_credits(guards.low_balance_warning)}).")
        if plan.amount != 0:
            plan.needs_confirm = guards.confirm == "always" or abs(plan.amount) > guards.confirm_above
        if plan.amount > 0 and plan.key is not None and (busy := self.busy(plan.key)):
            plan.lines.append(busy)
            plan.needs_confirm = True  # a second charge on a busy cell is asked for, whatever `confirm` says
        return plan

    def busy(self, key: CellKey) -> str | None:
        """Why another charge on this cell would be a second one (the same words on every charged path)."""
        if self.sending[key]:
            return "A charged request for this cell was just sent and has no answer yet; this starts another."
        cell = self.session.state.cells.get(key)
        if cell is not None and cell.in_flight:
            return f"A generation ({cell.in_flight[0].status}) is already running on this cell; this starts another."
        return None

    def send(self, plan: Plan) -> Coroutine[Any, Any, object]:
        """The confirmed plan's call. A charged one marks its cell busy now, before any await, until its
        answer: a key repeat in between sees it, and `finish` asks for the second one."""
        runs: dict[str, Callable[[Plan], Awaitable[object]]] = {
            "regenerate": self.regenerate, "edit_regenerate": self.regenerate, "continue": self.continue_,
            "render": self.render}
        runs["stop"] = self.stop
        run = runs[plan.action]
        key = plan.key
        if plan.amount <= 0 or key is None:
            return _awaited(run(plan))
        self.sending[key] += 1

        async def answered() -> object:
            try:
                return await run(plan)
            finally:
                self.sending[key] -= 1
                if self.sending[key] <= 0:
                    del self.sending[key]

        return answered()

    # --- regenerate ------------------------------------------------------------------------------
    def plan_regenerate(self, key: CellKey | None, card: Card | None = None, *, edited: bool = False) -> Plan:
        action = "edit_regenerate" if edited else "regenerate"
        self.check_writable(action)
        cell = self._cell(key, action)
        card = card or self.session.state.card(cell.key)
        if card.generation_type == vocab.UNKNOWN:
            raise Refusal(f"{action}: this cell's card type is unknown; use edit & regenerate to choose one")
        if card.generation_type == vocab.RENDER:
            raise Refusal(f"{action}: this is the final video column: use render (R)")
        model = card.model or "server's configured model"
        plan = Plan(
            action,
            f"Regenerate {self.session.where(cell.key)}",
            key=cell.key,
            amount=card.estimate(),
            card=card,
            lines=[f"Card: {card.generation_type}, {model}"],
        )
        return self.finish(plan)

    async def regenerate(self, plan: Plan) -> str:
        assert plan.key is not None and plan.card is not None
        self.check_writable(plan.action)  # the plan was checked; this guards any other caller
        session = self.session
        cell = session.state.cells[plan.key]
        card = plan.card
        if plan.action == "edit_regenerate":
            patch = attributes_patch(card)
            if patch:
                await session.client.update_cell(
                    session.agent_id, session.engine_id, cell.cell_id, additional_attributes=patch
                )
        gt, data = card.body()
        idem = self._intent(plan, cell.cell_id, card)
        answer = await self._charged(idem, plan, session.client.generate(
            session.agent_id, session.engine_id, cell.cell_id, gt, data, idempotency_key=idem))
        gen_id = answer.generation_id
        self.generated(idem, plan.key, cell.cell_id, card, gen_id, plan.amount, note=plan.action, notice=Notice(
            f"{session.where(plan.key)}: generation {gen_id} started (~{fmt_credits(plan.amount)} credits)"))
        return gen_id

    def generated(self, idempotency_key: str, key: CellKey, cell_id: str, card: Card, generation_id: str,
                  amount: Decimal, *, note: str, notice: Notice | None = None) -> None:
        """After a charged generate's answer (one cell or a batch's): close the intent, remember the card
        and its model, pre-charge `amount`, show the pending generation, and have it watched."""
        session = self.session
        try:
            self.intents.done(idempotency_key, generation_id)
        except JournalError as exc:  # the generation exists and is charged: show it and watch it all the same
            session.emit(Notice(f"{note}: generation {generation_id} made, but {exc}", "warning"))
        if card.data:
            session.state.local_cards[cell_id] = card
        if card.model:
            session.generation_models[generation_id] = card.model
        session.takes.record_sent(generation_id, card)
        session.ledger.precharge(generation_id, amount, note=note)
        session.emit(EngineChanged(session.state.add_pending(key, generation_id, card.generation_type)))
        session.emit(CreditsChanged())
        if notice is not None:
            session.emit(notice)
        self.on_created(generation_id)

    # --- stop / continue ---------------------------------------------------------------------------
    def _stoppable(self, cell: CellView) -> JobView:
        running = cell.in_flight
        if not running:
            latest = cell.latest
            state = latest.status if latest else "no generation"
            raise Refusal(f"stop: nothing in flight on this cell (latest: {state})")
        return running[0]

    def plan_stop(self, key: CellKey | None) -> Plan:
        self.check_writable("stop")
        cell = self._cell(key, "stop")
        job = self._stoppable(cell)
        refund = self.session.estimate_for(cell.key, job)
        plan = Plan("stop", f"Stop {self.session.where(cell.key)}", key=cell.key, amount=-refund, generation_id=job.id,
                    lines=[f"Generation {job.id} ({job.status}) will be stopped; its credits are refunded in full."])
        return self.finish(plan)

    async def stop(self, plan: Plan, *, toast: bool = True) -> None:
        """Stop one generation; `toast=False` when a bulk stop sums them up in one toast."""
        self.check_writable(plan.action)
        session = self.session
        assert plan.generation_id is not None and plan.key is not None
        gen = await session.client.stop(plan.generation_id)
        refund = session.ledger.stopped(plan.generation_id, -plan.amount)
        changes = session.state.apply_generation(gen, plan.key)
        changes.terminal.clear()  # accounted for just above
        session.emit(EngineChanged(changes))
        session.emit(CreditsChanged())
        session.emit(Notice(f"stop on {session.where(plan.key)} refunded {fmt_credits(refund)}", toast=toast))

    def plan_continue(self, key: CellKey | None) -> Plan:
        self.check_writable("continue")
        cell = self._cell(key, "continue")
        latest = cell.latest
        if latest is None or latest.status != vocab.STOPPED:
            state = latest.status if latest else "no generation"
            raise Refusal(f"continue: only a stopped generation can continue (latest: {state})")
        cost = self.session.estimate_for(cell.key, latest)
        plan = Plan("continue", f"Continue {self.session.where(cell.key)}", key=cell.key, amount=cost,
                    generation_id=latest.id, lines=[f"Generation {latest.id} resumes from pending; it is re-charged."])
        return self.finish(plan)

    async def continue_(self, plan: Plan) -> None:
        self.check_writable("continue")
        session = self.session
        assert plan.generation_id is not None and plan.key is not None
        cell = session.state.cells[plan.key]
        idem = self._intent(plan, cell.cell_id, None)
        gen = await self._charged(idem, plan, session.client.continue_(plan.generation_id, idempotency_key=idem))
        self.intents.done(idem, plan.generation_id)
        session.ledger.recharge(plan.generation_id, plan.amount)
        changes = session.state.apply_generation(gen, plan.key)
        session.emit(EngineChanged(changes))
        session.emit(CreditsChanged())
        session.emit(Notice(f"continue on {session.where(plan.key)} re-charged ~{fmt_credits(plan.amount)}"))
        self.on_created(plan.generation_id)

    # --- render, pin, value ------------------------------------------------------------------------
    def plan_render(self, key: CellKey | None) -> Plan:
        self.check_writable("render")
        if key is None:
            raise Refusal("render: no row selected")
        state = self.session.state
        final = next((c for c in state.columns if c.generation_type == vocab.RENDER), None)
        if final is None:
            raise Refusal("render: this engine has no final video column")
        target = (key[0], final.id)
        if target not in state.cells:
            raise Refusal("render: this row has no final video cell")
        plan = Plan("render", f"Render {self.session.where(target)}", key=target, amount=costs.RENDER_COST,
                    lines=["Composites the row's video layers into the final video."])
        return self.finish(plan)

    async def render(self, plan: Plan) -> str:
        self.check_writable("render")
        session = self.session
        assert plan.key is not None
        cell = session.state.cells[plan.key]
        idem = self._intent(plan, cell.cell_id, None)
        answer = await self._charged(idem, plan, session.client.render(
            session.agent_id, session.engine_id, cell.cell_id, idempotency_key=idem))
        self.intents.done(idem, answer.generation_id)
        session.ledger.precharge(answer.generation_id, plan.amount, note="render")
        session.emit(EngineChanged(session.state.add_pending(plan.key, answer.generation_id, vocab.RENDER)))
        session.emit(CreditsChanged())
        session.emit(Notice(f"{session.where(plan.key)}: render {answer.generation_id} started "
                            f"(~{fmt_credits(plan.amount)} credits)"))
        self.on_created(answer.generation_id)
        return answer.generation_id

    def check_pin(self, key: CellKey | None, generation_id: str | None) -> CellView:
        self.check_writable("pin")
        cell = self._cell(key, "pin")
        job = next((j for j in cell.jobs if j.id == generation_id), None)
        if job is None:
            raise Refusal("pin: select a take in the history table first")
        if job.status != vocab.COMPLETED:
            raise Refusal(f"pin: only a completed take can be displayed (this one is {job.status})")
        if cell.displayed_id == job.id:
            raise Refusal("pin: this take is already the displayed one")
        return cell

    async def pin(self, key: CellKey, generation_id: str) -> None:
        session = self.session
        cell = self.check_pin(key, generation_id)
        full = await session.client.set_default_user_job(session.agent_id, session.engine_id, cell.cell_id, generation_id)
        changes = session.state.apply_cell(key[0], full)
        changes.cells |= session.state.set_displayed(key, generation_id).cells
        session.emit(EngineChanged(changes))
        session.emit(Notice(f"{session.where(key)}: take {generation_id} pinned as displayed"))

    def check_edit_value(self, key: CellKey | None) -> CellView:
        self.check_writable("edit_value")
        return self._cell(key, "edit_value")

    async def edit_value(self, key: CellKey, value: str) -> None:
        session = self.session
        cell = self.check_edit_value(key)
        full = await session.client.update_cell(session.agent_id, session.engine_id, cell.cell_id, value=value)
        session.emit(EngineChanged(session.state.apply_cell(key[0], full)))
        session.emit(Notice(f"{session.where(key)}: value saved"))
