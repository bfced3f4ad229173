"""A working session against one engine: the client, the state, the ledger, and the calls between.

The UI owns one `Session`; workers call its coroutines; it reports through `emit(event)` and never
touches a widget. The poller (`gentui.core.poller`) and the actions (`gentui.core.actions`) use it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

from gentui.api import errors, vocab
from gentui.api.answers import describe_invalid
from gentui.api.models import Agent, Organization
from gentui.core.engine_cache import EngineCache
from gentui.core.engine_json import apply_engine_text
from gentui.core.engine_state import EngineState
from gentui.core.events import BatchFinished, ConnectionChanged, CreditsChanged, EngineChanged, Notice, Severity
from gentui.core.formatting import describe_error, fmt_credits, format_duration
from gentui.core.ledger import CreditLedger
from gentui.core.takes import TakeBook
from gentui.core.views import CellKey, Changes, JobView

Emit = Callable[[object], None]
if TYPE_CHECKING:
    from gentui.api.client import GenClient

log = logging.getLogger("gentui.core.session")  # connection changes go to the log file (gentui.logs)

MODELS_CAP = 10_000  # generations whose sent model is remembered


K = TypeVar("K")
V = TypeVar("V")


class Recent(dict[K, V]):
    """A dict that forgets its oldest keys beyond `cap` (memory stays bounded over long sessions)."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap

    def __setitem__(self, key: K, value: V) -> None:
        self.pop(key, None)
        super().__setitem__(key, value)
        if len(self) > self.cap:
            del self[next(iter(self))]



class Session:
    """One engine, watched and driven."""

    def __init__(
        self,
        client: GenClient,
        agent_id: str,
        engine_id: str,
        *,
        emit: Emit | None = None,
        clock: Callable[[], float] = time.time,
        cache: EngineCache | None = None,
        base_url: str = "",
        ledger: CreditLedger | None = None,
    ) -> None:
        self.client = client
        self.cache = cache  # the last engine seen, for an offline start (gentui.core.engine_cache)
        self.base_url = base_url or client.base_url
        self.showing_cache: float | None = None  # when the engine on screen was cached, while it is
        self.agent_id = agent_id
        self.engine_id = engine_id
        self.state = EngineState(engine_id, clock=clock)
        #: the run's ledger (the app keeps one across engine switches: the spend cap and refunds of
        #: earlier takes belong to the whole run, not to one engine view); a new one when none is given
        self.ledger = ledger if ledger is not None else CreditLedger()
        self.agent: Agent | None = None
        self.organization: Organization | None = None
        self.clock = clock
        self.connection = "connecting"
        self.connection_reason = ""
        self.last_ok: float | None = None
        self._emit = emit or (lambda event: None)
        self.generation_models: Recent[str, str] = Recent(MODELS_CAP)  # generation id -> model of the card sent from here
        self.takes = TakeBook()  # generation id -> the card that take was made with (never a later edit's)
        #: the last engine load, for the poller's pacing: (seconds fetching, CPU seconds reading,
        #: characters, seconds from the answer to the state showing it)
        self.engine_timing: tuple[float, float, int, float] | None = None
        self._batch_watchers: list[set[str]] = []  # generation ids of finished batches not yet all ended
        #: generations a batch started: their ends go to the feed and the batch's one summary, not a toast each
        self.batch_generations: set[str] = set()
        self._reserved: tuple[tuple[int, int, int], Decimal] | None = None  # engine_estimate_reserved's last answer
        self._balance_judged: tuple[int, Decimal | None] = (0, None)  # (ledger, balance) last judged for other spend
        self._other_judged: Decimal | None = None

    def emit(self, event: object) -> None:
        if isinstance(event, EngineChanged):  # before anything shows it: a take's card is the one it was made with
            self.takes.observe(self.state, event.changes.cells)
        self._emit(event)
        if isinstance(event, EngineChanged) and self._batch_watchers:
            self._check_batches()

    # --- batch ends ------------------------------------------------------------------------------
    def watch_batch_end(self, generation_ids: set[str]) -> None:
        """Say `BatchFinished` once, when every one of these generations (a finished batch's) has ended."""
        if generation_ids:
            self._batch_watchers.append(set(generation_ids))
            self._check_batches()

    def _check_batches(self) -> None:
        for ids in list(self._batch_watchers):
            statuses = self._ended(ids)
            if statuses is None:
                continue
            self._batch_watchers.remove(ids)
            words = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
            severity: Severity = "warning" if statuses.get(vocab.FAILED) else "information"
            self.emit(BatchFinished(f"batch finished: {len(ids)} generations ended ({words})", severity, len(ids),
                                    statuses))

    def _ended(self, generation_ids: set[str]) -> dict[str, int] | None:
        """How many of these generations ended in each status; None while one is in flight or unknown."""
        statuses: dict[str, int] = {}
        for gen_id in generation_ids:
            key = self.state.by_generation.get(gen_id)
            cell = self.state.cells.get(key) if key else None
            job = next((j for j in cell.jobs if j.id == gen_id), None) if cell else None
            if job is None or job.in_flight:
                return None
            statuses[job.status] = statuses.get(job.status, 0) + 1
        return statuses

    # --- connection state ----------------------------------------------------------------------
    def ok(self) -> None:
        self.last_ok = self.clock()
        if self.connection != "ok":
            self.connection, self.connection_reason = "ok", ""
            log.info("connection ok")
            self.emit(ConnectionChanged("ok", "", self.last_ok))

    def failed(self, exc: BaseException) -> str:
        if isinstance(exc, errors.AuthError):
            state, reason = "auth", "API key rejected: run `gentui login` or set GEN_API_KEY"
        elif isinstance(exc, errors.TransportError):
            state, reason = "offline", str(getattr(exc, "message", "") or exc) or "unreachable"
        else:
            state, reason = "stale", describe_error(exc)
        if (state, reason) != (self.connection, self.connection_reason):
            self.connection, self.connection_reason = state, reason
            log.info("connection %s: %s", state, reason)
            self.emit(ConnectionChanged(state, reason, self.last_ok))
        return state

    # --- loading -------------------------------------------------------------------------------
    async def load_engine(self) -> Changes:
        """The whole engine (GET engine), read as text a row at a time (see `engine_json.apply_engine_text`)."""
        started = time.perf_counter()
        text = await self.client.get_engine_text(self.agent_id, self.engine_id)
        fetched = time.perf_counter()
        try:
            changes = await apply_engine_text(self.state, text)
        except ValueError as exc:  # not JSON, or not an engine: what the client reports for such answers
            raise errors.MalformedResponseError(
                f"the answer is not the expected JSON ({describe_invalid(exc)})",
                status=200,
                error_code="malformed_response",
                method="GET",
                path=f"engine {self.engine_id}",
            ) from None
        self.engine_timing = (fetched - started, self.state.read_seconds, len(text), time.perf_counter() - fetched)
        self.showing_cache = None
        self.ok()
        await self.save_cache(text)
        self.settle_terminal(changes)
        self.emit(EngineChanged(changes, full=True))
        return changes

    async def save_cache(self, text: str) -> None:
        cache = self.cache
        if cache is not None and cache.due(self.base_url, self.agent_id, self.engine_id):
            await asyncio.to_thread(cache.save, self.base_url, self.agent_id, self.engine_id, text)

    async def load_cached(self) -> bool:
        """Before the first answer: show the engine as last cached (stale) instead of nothing."""
        if self.cache is None or self.state.loaded:
            return False
        cached = await asyncio.to_thread(self.cache.load, self.base_url, self.agent_id, self.engine_id)
        if cached is None:
            return False
        try:
            changes = await apply_engine_text(self.state, cached.text)
        except (ValueError, KeyError, TypeError):  # a damaged or outdated cache: start empty, as without one
            self.state = EngineState(self.engine_id, clock=self.clock)
            return False
        self.showing_cache = cached.saved_at
        if self.last_ok is None:
            self.last_ok = cached.saved_at
        self.emit(EngineChanged(changes, full=True))  # the header marks it stale (`showing_cache`)
        return True

    async def load_credits(self) -> None:
        as_of = self.ledger.mark()
        if self.agent is None:
            self.agent = await self.client.agent(self.agent_id)
        org_id = self.agent.organization_id
        if org_id is None:
            orgs = await self.client.organizations()
            self.organization = orgs[0] if orgs else None
        else:
            self.organization = await self.client.organization(org_id)
        self.ok()
        if self.organization is not None:
            credit = self.organization.available_credit
            self.ledger.set_balance(credit.generic, credit.aura, self.organization.name, as_of=as_of)
        self.emit(CreditsChanged())
        self._judge_other_spend()

    def _judge_other_spend(self) -> None:
        """A balance change gentui did not cause (the web app, a teammate, work started before): say so.

        Judged only on a new balance from the server and while none of this session's charges is
        still an estimate, so gentui's own pre-charges and reconciliations never look like "other".
        """
        ledger = self.ledger
        other = ledger.other_spend
        if other is None or ledger.session_estimated or (id(ledger), ledger.generic) == self._balance_judged:
            return
        before = self._other_judged if self._balance_judged[0] == id(ledger) else None
        self._balance_judged, self._other_judged = (id(ledger), ledger.generic), other
        if before is not None and other != before and ledger.generic is not None:
            delta = other - before
            verb = "spent" if delta > 0 else "refunded"
            self.emit(Notice(f"credits: {fmt_credits(abs(delta))} {verb} outside this session "
                             f"(balance {fmt_credits(ledger.generic)})", "warning" if delta > 0 else "information",
                             toast=False, tags=("credits", "other")))

    async def load_cell(self, key: CellKey) -> Changes:
        """The cell's full history (GET cell), for the detail view."""
        cell = self.state.cells[key]
        full = await self.client.get_cell(self.agent_id, self.engine_id, cell.cell_id)
        self.ok()
        changes = self.state.apply_cell(key[0], full)
        self.settle_terminal(changes)
        if changes:
            self.emit(EngineChanged(changes))
        return changes

    async def poll_generation(self, generation_id: str) -> Changes:
        gen = await self.client.get_generation(generation_id)
        self.ok()
        changes = self.state.apply_generation(gen)
        self.settle_terminal(changes)
        if changes:
            self.emit(EngineChanged(changes))
        return changes

    # --- terminal events -------------------------------------------------------------------------
    def settle_terminal(self, changes: Changes) -> None:
        for key, job in changes.terminal:
            ours = self.ledger.owns(job.id)
            entry = self.ledger.terminal(job.id, job.status, job.execution_cost)
            text = self.describe_terminal(key, job, entry.amount if entry else None)
            toast = ours and job.id not in self.batch_generations
            self.emit(Notice(text, _severity(job), toast=toast, tags=("terminal", job.status)))

    def describe_terminal(self, key: CellKey, job: JobView, delta: Decimal | None) -> str:
        where = self.where(key)
        text = f"{where} {job.status}"
        if job.started_at and job.finished_at and job.finished_at >= job.started_at:
            text += f" in {format_duration(job.finished_at - job.started_at)}"
        if job.status == vocab.COMPLETED and job.execution_cost is not None:
            text += f", cost {fmt_credits(job.execution_cost)}"
        if delta is not None and delta > 0:
            text += f", reconciled: charged {fmt_credits(delta)} more"
        elif delta is not None and delta < 0:
            text += f", {'reconciled: ' if job.status == vocab.COMPLETED else ''}refunded {fmt_credits(-delta)}"
        if job.status == vocab.FAILED and job.failed_reason:
            text += f": {job.failed_reason[:120]}"
        return text

    def where(self, key: CellKey) -> str:
        row_ids = self.state.row_ids()
        row_no = row_ids.index(key[0]) + 1 if key[0] in row_ids else "?"
        column = self.state.column(key[1])
        return f"row {row_no} {column.title if column else key[1]}"

    def engine_estimate_reserved(self) -> Decimal:
        """Credits held by in-flight work in this engine (documented estimates), once per state revision."""
        state = self.state
        mark = (id(state), state.revision, len(state.local_cards))
        if self._reserved is None or self._reserved[0] != mark:
            total = sum((self.estimate_for(key, job) for key, job in state.in_flight()), Decimal(0))
            self._reserved = (mark, total)
        return self._reserved[1]

    def estimate_for(self, key: CellKey, job: JobView) -> Decimal:
        from gentui.api import costs, vocab

        column = self.state.column(key[1])
        if job.canonical_type == vocab.RENDER or (column is not None and column.generation_type == vocab.RENDER):
            return costs.RENDER_COST
        take = self.takes.get(job.id)  # a take sent from here: its own card (another model or length than now)
        card = take.card if take.card is not None and take.from_here else self.state.card(key)
        if not card.made(job.canonical_type):
            return costs.estimate_credits(job.canonical_type)
        return card.estimate()


def _severity(job: JobView) -> Severity:
    severities: dict[str, Severity] = {vocab.FAILED: "error", vocab.STOPPED: "warning"}
    return severities.get(job.status, "information")
