"""The main screen: lays out its parts, hands each core message to the parts it concerns, and runs the
action table's screen actions through their handlers (`cell_handlers`, `mass_handlers`, `view_handlers`)."""

from __future__ import annotations

import contextlib

from rich.text import Text
from textual import getters, on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.screen import Screen
from textual.widgets import DataTable, Input

from gentui.action_table import ACTIONS, BY_ID, DISPATCHED_SCOPES, SCREEN_IDS, ActionId
from gentui.api.answers import RequestRecord
from gentui.api.errors import GenApiError
from gentui.core.actions import READONLY_REASON, Refusal
from gentui.core.events import BatchFinished, ConnectionChanged, EngineChanged, Notice
from gentui.core.rows import changed_within
from gentui.core.session import Session
from gentui.core.views import CellKey
from gentui.ui.app import GentuiApp
from gentui.ui.look import palette
from gentui.ui.notify import Notifier
from gentui.ui.screens.cell_handlers import CellHandlers, Handler
from gentui.ui.screens.mass_handlers import MassHandlers
from gentui.ui.screens.take_handlers import TakeHandlers
from gentui.ui.screens.view_handlers import ViewHandlers
from gentui.ui.widgets.batch_bar import BatchBar
from gentui.ui.widgets.detail import CellDetail, HistoryTable
from gentui.ui.widgets.feeds import Feeds
from gentui.ui.widgets.filterbar import FilterBar, FilterInput
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.header import CreditsHeader
from gentui.ui.widgets.key_footer import KeyFooter

HOUR = 3600.0


def screen_bindings() -> list[Binding]:
    """The screen-scoped rows of the action table, each running `action_cell(id)`."""
    return [Binding(s.key, s.textual_action, s.description, show=s.show, id=s.id.value) for s in ACTIONS if s.scope == "screen"]


class MainScreen(Screen[None]):
    """Everything a person watches; cell actions are its bindings."""

    app = getters.app(GentuiApp)
    BINDINGS = [
        *screen_bindings(),
        Binding("enter", "enter_detail", "Detail", show=False),
        Binding("escape", "leave_detail", "Back", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.header, self.filter_bar = CreditsHeader(id="header"), FilterBar(id="filter-bar")
        self.grid, self.detail = EngineGrid(id="grid"), CellDetail(id="detail")
        self.feeds, self.batch_bar = Feeds(id="feeds"), BatchBar(id="batch")
        self.cells, self.mass, self.views = CellHandlers(self), MassHandlers(self), ViewHandlers(self)
        self.takes = TakeHandlers(self)  # every screen action's handler (checked below); takes last: its `e` rewinds
        self.handlers: dict[ActionId, Handler] = {**self.cells.handlers(), **self.mass.handlers(),
                                                  **self.views.handlers(), **self.takes.handlers()}
        missing = set(SCREEN_IDS) ^ set(self.handlers)
        assert not missing, f"screen actions without a handler (or handlers without a row): {sorted(missing)}"
        self.notifier = Notifier()
        self._last_key: CellKey | None = None

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.filter_bar
        with Container(id="body"):
            yield self.grid
            yield self.detail
        yield from (self.feeds, self.batch_bar, KeyFooter(id="footer"))

    def on_mount(self) -> None:
        app, launch = self.app, self.app.launch
        self.notifier = Notifier(mode=launch.notify, write=self._terminal_write, monotonic=launch.monotonic)
        self.batch_bar.key = app.keys.get(ActionId.MASS_REGENERATE, "m")
        if launch.tick_interval:
            self.set_interval(launch.tick_interval, self.tick, name="clock")
            self.set_interval(max(launch.tick_interval, 5.0), self._age_tick, name="view-age")
        app.request_observers.append(self._observe_request)
        layout = launch.layout or {}
        self.feeds.set_shown(bool(layout.get("activity")), bool(layout.get("api_log")), remember=False)
        self.on_resize()
        self.app.theme_changed_signal.subscribe(self, lambda theme: self.refresh_colors())
        self.refresh_colors()
        self.grid.focus()
        self.call_after_refresh(app.start)  # the first frame first: the API client is made in there

    def on_resize(self, event: object = None) -> None:
        self.grid.place(self)  # the detail beside the grid or under it (styles.tcss: `side`)

    @property
    def session(self) -> Session | None:
        return self.app.session

    def _observe_request(self, record: RequestRecord) -> None:
        session = self.app.session
        self.feeds.api_calls.add(record, session.ledger if session is not None else None)

    def _terminal_write(self, data: str) -> None:
        driver = self.app._driver
        if driver is not None and not self.app.is_headless:
            driver.write(data)

    def refresh_colors(self) -> None:
        colors = palette(self.app.get_css_variables())
        self.grid.status_colors = self.detail.status_colors = self.header.status_colors = colors
        if self.session is not None and self.session.state.loaded:
            self.grid.repaint_all()
            self.show_detail(force=True)
        self.update_header()

    # --- core events, one handler each (the app hands them over from their messages) --------------------
    def _ready(self) -> Session | None:
        """None while there is no session, or once the screen is closing (events may still be queued)."""
        return self.session if self.detail.is_attached and self.grid.is_attached else None

    def engine_changed(self, event: EngineChanged) -> None:
        if (session := self._ready()) is None:
            return
        grid, changes = self.grid, event.changes
        grid.attach(session.state, self.app.now, self.app.whole_run.pending_keys(session))
        if event.full and (not grid.columns_match() or (grid.row_count == 0 and not grid.view.filtering)):
            grid.rebuild()
        else:
            with self.app.batch_update():
                grid.apply(changes)
        key = grid.current_key
        if key is not None and (key in changes.cells or event.full or key != self._last_key):
            self.show_detail(force=True)
        self.update_header()
        rows = {k[0] for k in changes.cells} | set(changes.rows_added) | set(changes.rows_removed)
        grid.view_changed_rows(rows, full=event.full)
        self.notifier.generations_ended(session, changes.terminal, skip=self.batch_bar.generation_ids())

    def credits_changed(self) -> None:
        if self._ready() is not None:
            self.update_header()

    def connection_changed(self, event: ConnectionChanged) -> None:
        if self._ready() is None:
            return
        self.update_header()
        if event.state == "auth":
            self.notify(event.reason, title="Authentication", severity="error", timeout=15)
        text = "connection ok" if event.state == "ok" else f"connection {event.state}: {event.reason}"
        self.feeds.add(self.app.now(), text, "information" if event.state == "ok" else "warning")

    def notice(self, event: Notice) -> None:
        """A notice in words: the activity feed always; a toast unless the `notify` setting says otherwise."""
        if self._ready() is None:
            return
        self.feeds.add(self.app.now(), event.text, event.severity)
        if event.toast and ("terminal" not in event.tags or self.notifier.toasts):
            self.notify(Text(event.text).plain, severity=event.severity, markup=False)

    def batch_finished(self, event: BatchFinished) -> None:
        if self._ready() is None:
            return
        self.feeds.add(self.app.now(), event.text, event.severity)
        if self.notifier.toasts:
            self.notify(event.text, title="Batch", severity=event.severity, timeout=10, markup=False)
        self.notifier.alert("gentui: batch finished", event.text, force=True)

    def update_header(self) -> None:
        self.header.show_screen(self)
        self.update_stale()

    def update_stale(self) -> None:  # offline or stale: the in-flight cells stop counting and dim; so does the detail
        self.detail.set_class((since := self.header.stale_since()) is not None, "-stale")
        self.grid.set_stale(since)

    def tick(self) -> None:
        poller = self.app.poller
        self.header.now, self.header.overdue = self.app.now(), poller.overdue() if poller is not None else None
        self.update_stale()
        if (session := self.session) is not None and session.state.loaded:
            self.grid.tick()
            key = self.grid.current_key
            cell = session.state.cells.get(key) if key else None
            if cell is not None and cell.in_flight and self.grid.stale_since is None:
                self.show_detail(force=True)

    # --- the grid's own news ---------------------------------------------------------------------------
    @on(EngineGrid.ViewChanged)
    def _view_changed(self, message: EngineGrid.ViewChanged) -> None:
        grid, extra = self.grid, ""
        if grid.view.filtering and message.shown:
            cells = grid.index.matched_cells(grid.state)
            extra = f"{len(cells)} cells, {changed_within(cells, HOUR, self.app.now())} changed in the last hour"
        self.filter_bar.summary(grid.view.describe(), message.shown, message.total, extra, grid.view.problems)
        self.show_detail()

    @on(EngineGrid.MarksChanged)
    def _marks_changed(self) -> None:
        self.update_header()

    @on(Feeds.LayoutChanged)
    def _layout_changed(self, message: Feeds.LayoutChanged) -> None:
        if self.app.launch.on_layout is not None:
            self.app.launch.on_layout(dict(message.layout))

    def _age_tick(self) -> None:
        if self.grid.view.needs_clock and self.session is not None and self.session.state.loaded:
            self.grid.view_changed_rows((), full=True)

    # --- the filter bar ------------------------------------------------------------------------------
    @on(FilterInput.QueryChanged)
    def _filter_typed(self, event: FilterInput.QueryChanged) -> None:
        self.grid.view.text = event.value  # one message per burst of keys (it replaces the older ones)
        self.views.apply_filter()

    @on(Input.Submitted, "FilterInput")
    def _filter_kept(self, event: Input.Submitted) -> None:
        self.grid.view.text = event.value
        self.filter_bar.close()
        self.views.apply_filter()
        self.grid.focus()

    def clear_filter(self) -> bool:
        """Escape: drop the filter (text and toggles); True if there was one."""
        editing = self.filter_bar.editing
        self.filter_bar.close()
        if self.grid.view.clear_filter() or editing:
            self.grid.apply_view()
            self.grid.focus()
            return True
        return False

    # --- the detail ------------------------------------------------------------------------------------
    @property
    def history(self) -> HistoryTable:
        return self.detail.query_one(HistoryTable)

    @on(DataTable.CellHighlighted, "#grid")
    def _cell_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self, force: bool = False) -> None:
        session = self._ready()
        if session is None:
            return
        key = self.grid.current_key
        if key == self._last_key and not force:
            return
        changed, self._last_key = key != self._last_key, key
        if changed and self.app.poller is not None:
            self.app.poller.focus(key)  # the selected cell is read on its own, every few seconds
        cell = session.state.cells.get(key) if key else None
        column = session.state.column(key[1]) if key else None
        card = session.state.card(key) if key and cell else None
        estimate = None
        if key and cell and cell.latest and cell.latest.in_flight:
            estimate = session.estimate_for(key, cell.latest)
        elif card is not None:
            estimate = card.estimate()
        self.detail.show(cell, column, card, self.app.now(), estimate, session.takes)
        if changed and key is not None and cell is not None:
            self.load_full_cell(session, key)

    @work(group="cell", exclusive=True, exit_on_error=False)
    async def load_full_cell(self, session: Session, key: CellKey) -> None:
        with contextlib.suppress(GenApiError):  # the grid's data stands; the header shows the connection state
            await session.load_cell(key)

    @on(DataTable.CellSelected, "#grid")
    def _cell_selected(self) -> None:  # Enter on the grid (the DataTable's own binding)
        self.action_enter_detail()

    def action_enter_detail(self) -> None:
        self.history.focus()

    def action_leave_detail(self) -> None:  # Escape: the help panel, else the filter, else the grid
        if self.query("HelpPanel"):
            self.query("HelpPanel").remove()
        elif not ((self.grid.has_focus or not self.history.has_focus) and self.clear_filter()):
            self.grid.focus()

    # --- actions -------------------------------------------------------------------------------------------
    async def action_cell(self, action: str) -> None:
        """Every screen action's key and palette entry come here: the table says what it risks."""
        spec = BY_ID.get(action)
        if spec is None or spec.scope not in DISPATCHED_SCOPES:
            raise ValueError(f"not a screen action: {action!r}")
        if spec.mutating and self.app.guards.readonly:  # the reason comes first, whatever the cell
            self.notify(f"{action}: {READONLY_REASON}", severity="warning", markup=False)
            return
        if self.session is None and not spec.offline:
            self.notify(f"{action}: not connected yet", severity="warning")
            return
        try:
            await self.handlers[spec.id](self.grid.current_key)
        except Refusal as exc:
            self.notify(str(exc), severity="warning", markup=False)
