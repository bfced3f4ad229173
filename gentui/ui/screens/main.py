"""The main screen: credits header, engine grid, cell detail, footer; and the cell actions."""

from __future__ import annotations

import contextlib
from collections.abc import Awaitable, Callable
from decimal import Decimal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import DataTable, Footer

from gentui.action_table import ACTIONS, BY_ID, SCREEN_IDS, ActionId
from gentui.api.errors import GenApiError
from gentui.core.actions import READONLY_REASON, Plan, Refusal
from gentui.core.events import ConnectionChanged, CreditsChanged, EngineChanged, Notice
from gentui.core.formatting import describe_error
from gentui.core.views import CellKey
from gentui.ui.screens.batch import BatchBar
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.marks import MarksMixin
from gentui.ui.screens.modals import ConfirmScreen, ValueEditor
from gentui.ui.screens.monitor import MonitorMixin
from gentui.ui.widgets.detail import CellDetail, HistoryTable
from gentui.ui.widgets.feeds import Feeds
from gentui.ui.widgets.filterbar import FilterBar
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.header import CreditsHeader, HeaderData

UNCERTAIN_RETRY_SECONDS = 15.0  # how often lost answers of charged POSTs are retried (and on reconnect)


def screen_bindings() -> list[Binding]:
    """The screen-scoped rows of the action table, each running `action_cell(id)`."""
    return [Binding(s.key, s.textual_action, s.description, show=s.show, id=s.id.value) for s in ACTIONS if s.scope == "screen"]


class MainScreen(MonitorMixin, MarksMixin, Screen):
    """Everything a person watches; cell actions are its bindings."""

    BINDINGS = [
        *screen_bindings(),
        Binding("enter", "enter_detail", "Detail", show=False),
        Binding("escape", "leave_detail", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._last_key: CellKey | None = None
        self._resending = False
        A = ActionId
        #: the handler of every screen action of the table (checked complete just below)
        self.handlers: dict[ActionId, Callable[[CellKey | None], Awaitable[None]]] = {
            A.REGENERATE: self._do_regenerate, A.EDIT_REGENERATE: self._do_edit_regenerate,
            A.EDIT_VALUE: self._do_edit_value, A.STOP: self._do_stop, A.CONTINUE: self._do_continue,
            A.PIN: self._do_pin, A.RENDER: self._do_render, A.COPY: self._do_copy,
            A.MARK: self._do_mark, A.MARK_COLUMN: self._do_mark_column, A.MARK_FAILED: self._do_mark_failed,
            A.CLEAR_MARKS: self._do_clear_marks, A.MASS_REGENERATE: self._do_mass_regenerate,
            A.BULK_STOP: self._do_bulk_stop, A.FILTER: self._do_filter, A.FAILED_ONLY: self._do_failed_only,
            A.IN_FLIGHT_ONLY: self._do_in_flight_only, A.SORT: self._do_sort, A.ACTIVITY: self._do_activity,
            A.API_LOG: self._do_api_log, A.EXPORT: self._do_export,
        }
        missing = set(SCREEN_IDS) ^ set(self.handlers)
        assert not missing, f"screen actions without a handler (or handlers without a row): {sorted(missing)}"
        self.monitor_init()

    def compose(self) -> ComposeResult:
        yield CreditsHeader(id="header")
        yield FilterBar(id="filter-bar")
        with Container(id="body"):
            yield EngineGrid(id="grid")
            yield CellDetail(id="detail")
        yield Feeds(id="feeds")
        yield BatchBar(id="batch")
        yield Footer()

    def on_mount(self) -> None:
        if self.app.launch.tick_interval:
            self.set_interval(self.app.launch.tick_interval, self.tick, name="clock")
        self.on_resize()
        self.refresh_colors()
        self.query_one(EngineGrid).focus()
        self.monitor_mount()
        self.set_interval(UNCERTAIN_RETRY_SECONDS, self.resend_uncertain, name="resend-uncertain")
        self.call_after_refresh(self.app.start)  # the first frame first: the API client is made in there

    def on_resize(self, event: object = None) -> None:
        self.set_class(self.size.width < 130, "narrow")

    # --- the link to the core -----------------------------------------------------------------------
    @property
    def session(self):
        return self.app.session

    def refresh_colors(self) -> None:
        from gentui.ui.look import palette

        colors = palette(self.app.get_css_variables())
        for widget in (self.query_one(EngineGrid), self.query_one(CellDetail), self.query_one(CreditsHeader)):
            widget.status_colors = colors
        if self.session is not None and self.session.state.loaded:
            self.query_one(EngineGrid).repaint_all(self.session.state, self.app.now())
            self.show_detail(force=True)
        self.update_header()

    # --- core events, one handler each (the app hands them over from their messages) --------------------
    def _ready(self) -> bool:
        """False while there is no session, or once the grid is gone (the app is closing, events still queued)."""
        return self.session is not None and bool(self.query(EngineGrid))

    def engine_changed(self, event: EngineChanged) -> None:
        if not self._ready():
            return
        session, grid, now = self.session, self.query_one(EngineGrid), self.app.now()
        state = session.state
        if event.full and (not grid.columns_match(state) or (grid.row_count == 0 and not self.view.filtering)):
            grid.rebuild(state, now)
        else:
            with self.app.batch_update():
                grid.apply(state, event.changes.cells, event.changes.rows_added, event.changes.rows_removed, now)
        key = grid.current_key
        if key is not None and (key in event.changes.cells or event.full or key != self._last_key):
            self.show_detail(force=True)
        self.update_header()
        self.monitor_engine_changed(event)  # filter and sort, bell and desktop notifications, batch end

    def credits_changed(self, event: CreditsChanged) -> None:
        if not self._ready():
            return
        self.update_header()
        self.note_other_spend()

    def connection_changed(self, event: ConnectionChanged) -> None:
        if not self._ready():
            return
        self.update_header()
        if event.state == "ok":
            self.resend_uncertain()
        if event.state == "auth":
            self.notify(event.reason, title="Authentication", severity="error", timeout=15)
        self.log_connection(event)

    def notice(self, event: Notice) -> None:
        if not self._ready():
            return
        self.on_notice(event)  # the activity feed, and a toast per the `notify` setting
        self.check_batch()

    def update_header(self) -> None:
        session, app = self.session, self.app
        header = self.query_one(CreditsHeader)
        if session is None:
            header.show(HeaderData(connection=app.connection_hint, reason=app.connection_reason,
                                   readonly=app.guards.readonly, demo=app.launch.demo), app.now())
            return
        ledger = session.ledger
        header.show(
            HeaderData(
                organization=ledger.organization_name,
                engine_title=session.state.title or f"engine {session.engine_id}",
                generic=ledger.generic,
                aura=ledger.aura,
                reserved=session.engine_estimate_reserved(),
                session_spent=ledger.session_spent,
                session_estimated=ledger.session_estimated,
                other_spend=ledger.other_spend,
                connection=session.connection,
                reason=session.connection_reason,
                last_ok=session.last_ok,
                counts=session.state.counts(),
                readonly=app.guards.readonly,
                marks=len(self.query_one(EngineGrid).marks),
                demo=app.launch.demo,
                cached_at=session.showing_cache,
            ),
            app.now(),
        )

    def tick(self) -> None:
        session = self.session
        now = self.app.now()
        self.query_one(CreditsHeader).tick(now)
        if session is not None and session.state.loaded:
            self.query_one(EngineGrid).tick(session.state, now)
            if self.current_cell_in_flight():
                self.show_detail(force=True)

    def current_cell_in_flight(self) -> bool:
        key = self.query_one(EngineGrid).current_key
        cell = self.session.state.cells.get(key) if key else None
        return bool(cell and cell.in_flight)

    # --- the detail ------------------------------------------------------------------------------------
    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self, force: bool = False) -> None:
        session = self.session
        if session is None:
            return
        key = self.query_one(EngineGrid).current_key
        if key == self._last_key and not force:
            return
        changed = key != self._last_key
        self._last_key = key
        cell = session.state.cells.get(key) if key else None
        column = session.state.column(key[1]) if key else None
        card = session.state.card(key) if cell else None
        estimate = None
        if cell and cell.latest and cell.latest.in_flight:
            estimate = session.estimate_for(key, cell.latest)
        elif card is not None:
            estimate = card.estimate()
        self.query_one(CellDetail).show(cell, column, card, self.app.now(), estimate, session.generation_models)
        if changed and cell is not None:
            self.load_full_cell(key)

    @work(group="cell", exclusive=True, exit_on_error=False)
    async def load_full_cell(self, key: CellKey) -> None:
        with contextlib.suppress(GenApiError):  # the grid's data stands; the header shows the connection state
            await self.session.load_cell(key)

    @on(DataTable.CellSelected, "#grid")
    def _cell_selected(self) -> None:  # Enter on the grid (the DataTable's own binding)
        self.action_enter_detail()

    def action_enter_detail(self) -> None:
        self.query_one(HistoryTable).focus()

    def action_leave_detail(self) -> None:
        grid = self.query_one(EngineGrid)
        if (grid.has_focus or not self.query_one(HistoryTable).has_focus) and self.clear_filter():
            return
        grid.focus()

    # --- actions -------------------------------------------------------------------------------------------
    def selected_generation(self) -> str | None:
        table = self.query_one(HistoryTable)
        return table.selected_id if table.has_focus or table.row_count else None

    async def action_cell(self, action: str) -> None:
        """Every screen action's key and palette entry come here: the table says what it risks."""
        spec = BY_ID.get(action)
        if spec is None or spec.scope != "screen":
            raise ValueError(f"not a screen action: {action!r}")
        if spec.mutating and self.app.guards.readonly:  # the reason comes first, whatever the cell
            self.notify(f"{action}: {READONLY_REASON}", severity="warning", markup=False)
            return
        if self.session is None and not spec.offline:
            self.notify(f"{action}: not connected yet", severity="warning")
            return
        key = self.query_one(EngineGrid).current_key
        try:
            await self.handlers[spec.id](key)
        except Refusal as exc:
            self.notify(str(exc), severity="warning", markup=False)

    async def _do_regenerate(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.app.actions.plan_regenerate(key))

    async def _do_edit_regenerate(self, key: CellKey | None) -> None:
        actions = self.app.actions
        actions.plan_regenerate(key, edited=True)  # refuses early (read-only, unknown type, render column)
        card = self.session.state.card(key)
        title = f"Edit & regenerate {self.session.where(key)}"

        def edited(new_card) -> None:
            if new_card is None:
                return
            try:
                self.confirm_and_run(actions.plan_regenerate(key, new_card, edited=True))
            except Refusal as exc:
                self.notify(str(exc), severity="warning", markup=False)

        self.app.push_screen(CardEditor(card, title), edited)

    async def _do_stop(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.app.actions.plan_stop(key))

    async def _do_continue(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.app.actions.plan_continue(key))

    async def _do_render(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.app.actions.plan_render(key))

    async def _do_pin(self, key: CellKey | None) -> None:
        gen_id = self.query_one(HistoryTable).selected_id if self.query_one(HistoryTable).has_focus else None
        if gen_id is None:
            raise Refusal("pin: press Enter to go to the history table, select a take, then p")
        self.app.actions.check_pin(key, gen_id)
        self.run_action_worker(self.app.actions.pin(key, gen_id), "pin")

    async def _do_edit_value(self, key: CellKey | None) -> None:
        cell = self.app.actions.check_edit_value(key)
        title = f"Value of {self.session.where(key)}"

        def saved(value: str | None) -> None:
            if value is not None and value != cell.value:
                self.run_action_worker(self.app.actions.edit_value(key, value), "edit_value")

        full = self.app.full_value(cell)
        self.app.push_screen(ValueEditor(title, full), saved)

    async def _do_copy(self, key: CellKey | None) -> None:
        cell = self.session.state.cells.get(key) if key else None
        table = self.query_one(HistoryTable)
        job = None
        if cell is not None:
            wanted = table.selected_id if table.has_focus else cell.displayed_id
            job = next((j for j in cell.jobs if j.id == wanted), None) or cell.displayed
        if job is None or not (job.urls or job.result):
            raise Refusal("copy: this cell has no output to copy yet")
        self.app.copy_text(job.urls[0] if job.urls else job.result)

    # --- running a plan --------------------------------------------------------------------------------------
    def confirm_and_run(self, plan: Plan) -> None:
        runner = {
            "regenerate": self.app.actions.regenerate,
            "edit_regenerate": self.app.actions.regenerate,
            "stop": self.app.actions.stop,
            "continue": self.app.actions.continue_,
            "render": self.app.actions.render,
        }[plan.action]

        def decided(ok: bool | None) -> None:
            if ok:
                self.run_action_worker(runner(plan), plan.action)
            else:
                self.notify(f"{plan.action}: cancelled, nothing spent", timeout=3)

        if plan.needs_confirm:
            self.app.push_screen(ConfirmScreen(plan), decided)
        else:
            decided(True)

    def resend_uncertain(self) -> None:
        """Charged POSTs whose answers were lost go out again, each with its own key: charged once."""
        actions = self.app.actions
        if actions is None or not actions.uncertain or self._resending:
            return
        self._resending = True

        async def resend() -> None:
            try:
                settled, left = await actions.resend_uncertain()
            finally:
                self._resending = False
            if settled:
                waiting = f"; {left} still waiting for the server" if left else ""
                self.notify(f"sent again with the same Idempotency-Key (charged once): {settled}{waiting}",
                            title="Lost answers", markup=False)

        self.run_worker(resend(), group="resend", exit_on_error=False)

    def run_action_worker(self, coro, name: str) -> None:
        async def guarded() -> None:
            try:
                await coro
            except GenApiError as exc:
                message = f"{name}: {describe_error(exc)}"
                if name in BY_ID and BY_ID[name].spends and not exc.refused:
                    message += ("\nThe server may have acted: gentui sends it again with the same "
                                "Idempotency-Key once the server answers (it is never charged twice).")
                self.notify(message, severity="error", timeout=10, markup=False)
            finally:
                self.app.wake_poller(credits=True)

        self.run_worker(guarded(), group="actions", exit_on_error=False)

    def reserved(self) -> Decimal:
        return self.session.engine_estimate_reserved() if self.session else Decimal(0)
