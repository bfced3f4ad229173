"""The Textual app: start-up (agent and engine choice), the session and its poller, global keys.

Kept small on purpose: the main screen owns the grid and the cell actions, the core owns the data.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual import on, work
from textual.binding import Binding
from textual.worker import Worker, WorkerState

from gentui.action_table import ACTIONS, MUTATING_IDS, effective_keys
from gentui.api.errors import NO_KEY, AuthError, GenApiError
from gentui.core.actions import Actions
from gentui.core.events import ConnectionChanged
from gentui.core.formatting import describe_error
from gentui.core.poller import Poller
from gentui.core.recovery import Recovery
from gentui.core.run import Run
from gentui.core.session import Session
from gentui.core.text import one_line
from gentui.ui import messages
from gentui.ui.early_unreachable import note_unreachable
from gentui.ui.engine_picker import choose_agent, choose_engine
from gentui.ui.launch import Launch
from gentui.ui.saves_files import SavesFiles
from gentui.ui.themes import DEFAULT_THEME

if TYPE_CHECKING:
    from gentui.api.answers import RequestRecord
    from gentui.api.client import GenClient
    from gentui.ui.screens.main import MainScreen


class GentuiApp(SavesFiles):
    """gentui."""

    CSS_PATH = "styles.tcss"
    TITLE = "gentui"
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding(s.key, s.textual_action, s.description, show=s.show, priority=s.priority, id=s.id.value)
                for s in ACTIONS if s.scope == "app"]

    def __init__(self, launch: Launch) -> None:
        super().__init__()
        self.launch = launch
        self.guards = launch.guards
        self.session: Session | None = None
        self.poller: Poller | None = None
        self.actions: Actions | None = None
        self.whole_run = Run()  # the ledger, the lost answers: the run's, kept across engine switches
        self.connection = ConnectionChanged("connecting")  # until a session knows better (then: its own)
        self._poll_worker: Worker | None = None
        self.keys = effective_keys(launch.keymap)
        self._theme_ready = False
        self._resume_offered = False
        self._client: GenClient | None = None
        self.request_observers: list[Callable[[RequestRecord], None]] = [partial(note_unreachable, self)]  # +API log
        for theme in launch.themes:  # before the first paint: styles are computed once, not twice
            self.register_theme(theme)
        wanted = launch.theme
        if wanted and wanted not in self.available_themes and DEFAULT_THEME in self.available_themes:
            launch.warnings.append(f"theme {wanted!r} is not available; using {DEFAULT_THEME}")
            wanted = DEFAULT_THEME
        if wanted and wanted in self.available_themes:
            self.theme = wanted

    # --- set-up --------------------------------------------------------------------------------------
    def on_mount(self) -> None:
        self._theme_ready = True
        for warning in self.launch.warnings:  # stderr is hidden behind the app's screen: say it here too
            self.notify(warning, severity="warning", timeout=12, markup=False)
        if self.launch.keymap:
            self.set_keymap(self.keys)
        from gentui.ui.screens.main import MainScreen

        self.push_screen(MainScreen())  # its on_mount calls start()

    @property
    def client(self) -> GenClient:
        """The API client, made on first use; every request it records goes to `request_observers`."""
        if self._client is None:
            launch = self.launch
            if launch.client is None and launch.client_factory is None:
                raise ValueError("Launch needs a client or a client_factory")
            if launch.client is not None:
                client = launch.client
            else:
                assert launch.client_factory is not None  # checked just above
                client = launch.client_factory()
            previous = client.on_request

            def observe(record: RequestRecord) -> None:
                for observer in self.request_observers:
                    observer(record)
                if previous is not None:
                    previous(record)

            client.on_request = observe
            self._client = client
        return self._client

    def now(self) -> float:
        return self.launch.clock()

    @property
    def main(self) -> MainScreen | None:
        from gentui.ui.screens.main import MainScreen

        for screen in self.screen_stack:
            if isinstance(screen, MainScreen):
                return screen
        return None

    def watch_theme(self, theme: str) -> None:  # the screens repaint on `theme_changed_signal`
        if self._theme_ready and self.launch.on_theme:
            self.launch.on_theme(theme)  # picked in the palette: remembered in config.toml

    # --- start-up: agent, engine, session --------------------------------------------------------------
    @work(group="start", exclusive=True, exit_on_error=False)
    async def start(self, agent_id: str | None = None, engine_id: str | None = None) -> None:
        if self._client is None:  # made in a thread: the HTTP stack imports while the first frame is written
            await asyncio.to_thread(lambda: self.client)
        client = self.client
        agent_id = agent_id or self.launch.agent_id
        engine_id = engine_id or self.launch.engine_id
        if self.launch.no_key:  # a fresh install: how to get a key, not a network error
            self.set_connection("auth", NO_KEY)
            return
        while agent_id is None or engine_id is None:
            try:
                agent_id = agent_id or await choose_agent(self, client)
                if agent_id is None:
                    return
                engine_id = engine_id or await choose_engine(self, client, agent_id)
                if engine_id is None:
                    return
            except GenApiError as exc:
                self.set_connection("auth" if isinstance(exc, AuthError) else "offline", describe_error(exc))
                if isinstance(exc, AuthError):
                    return
                await asyncio.sleep(5)
        self.open_engine(agent_id, engine_id)

    def set_connection(self, state: str, reason: str) -> None:
        self.connection = ConnectionChanged(state, reason)
        if self.main is not None:
            self.main.update_header()
        if state == "auth":
            self.notify(reason, severity="error", timeout=15, markup=False)

    def open_engine(self, agent_id: str, engine_id: str) -> None:
        if self.poller is not None:
            self.poller.stop()
        if self._poll_worker is not None:
            self._poll_worker.cancel()
        self.session = Session(self.client, agent_id, engine_id, emit=self.post_core,
                               clock=self.launch.clock, cache=self.launch.engine_cache, ledger=self.whole_run.ledger)
        self.poller = Poller(self.session, self.launch.policy, monotonic=self.launch.monotonic)
        journal = self.launch.journal
        if journal is not None:
            journal.bind(base_url=self.launch.base_url, agent_id=agent_id, engine_id=engine_id)
        self.actions = actions = self.whole_run.actions(self.session, self.guards, journal, self.poller.watch)
        self.poller.resend, self.poller.has_uncertain = actions.resend_uncertain, actions.resends_due
        self._resume_offered = False
        self.launch.agent_id, self.launch.engine_id = agent_id, engine_id
        if self.main is not None:
            self.main.update_header()
        if self.launch.start_poller:
            self._poll_worker = self.run_worker(self.poller.run(), name="poller", group="poller",
                                                exit_on_error=False)

    def post_core(self, event: object) -> None:
        """The session's `emit`: any thread, any worker; the message is handled on the UI thread."""
        self.post_message(messages.message_for(event))

    @on(messages.CreditsUpdated)
    def _credits_updated(self, message: messages.CreditsUpdated) -> None:
        if self.main is not None:
            self.main.credits_changed()

    @on(messages.ConnectionUpdated)
    def _connection_updated(self, message: messages.ConnectionUpdated) -> None:
        if self.main is not None:
            self.main.connection_changed(message.event)

    @on(messages.NoticePosted)
    def _notice_posted(self, message: messages.NoticePosted) -> None:
        if self.main is not None:
            self.main.notice(message.event)

    @on(messages.ResendsUpdated)
    def _resends_updated(self, message: messages.ResendsUpdated) -> None:  # the marks: patched by key, no rebuild
        if self.main is not None and self.main.grid.is_attached:
            self.main.grid.set_pending(self.whole_run.pending_keys(self.session))

    @on(messages.BatchProgressed)
    def _batch_progressed(self, message: messages.BatchProgressed) -> None:
        if self.main is not None:
            self.main.batch_bar.show(message.event)

    @on(messages.BatchEnded)
    def _batch_ended(self, message: messages.BatchEnded) -> None:
        if self.main is not None:
            self.main.batch_finished(message.event)

    @on(messages.EngineUpdated)
    def _engine_updated(self, message: messages.EngineUpdated) -> None:
        if self.main is not None:
            self.main.engine_changed(message.event)
        event = message.event
        if event.full and self.session:
            if self.launch.on_engine:
                self.launch.on_engine(self.session.agent_id, self.session.engine_id, self.session.state.title)
            if self.launch.journal is not None and not self._resume_offered and self.main is not None \
                    and self.session.showing_cache is None:  # resume only once the server answers
                self._resume_offered = True
                orphans = self.launch.journal.orphans()
                if orphans and self.poller is not None:
                    recovery = Recovery(self.session, self.launch.journal, self.poller.watch, self.guards)
                    offer = recovery.start(orphans)
                    if offer is not None:
                        self.main.mass.offer_resume(offer)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.group != "cell":
            error = event.worker.error
            self.notify(f"internal error in {event.worker.name or event.worker.group}: {one_line(repr(error), 200)}",
                        severity="error", timeout=15, markup=False)
            if event.worker.group == "poller" and self.poller is not None:  # keep watching
                self._poll_worker = self.run_worker(self.poller.run(), name="poller", group="poller",
                                                    exit_on_error=False)

    def wake_poller(self, *, engine: bool = False, credits: bool = False) -> None:
        if self.poller is not None:
            self.poller.wake(engine=engine, credits=credits)

    def get_system_commands(self, screen):  # Textual calls it with the screen the palette opened on
        """The command palette: Textual's commands, then every gentui action that makes sense now."""
        from gentui.ui.palette import gentui_commands

        yield from (c for c in super().get_system_commands(screen) if c.title != "Keys")  # one help entry: ours
        yield from gentui_commands(self, screen)

    # --- global actions ----------------------------------------------------------------------------------
    def action_refresh(self) -> None:
        if self.session is None:
            self.start()
            return
        self.wake_poller(engine=True, credits=True)
        self.notify("refreshing…", timeout=2)

    def action_show_keys(self) -> None:
        from gentui.ui.screens.modals import HelpScreen

        disabled = {b: "disabled: read-only" for b in MUTATING_IDS} if self.guards.readonly else {}
        self.push_screen(HelpScreen(self.keys, disabled))

    def action_widget_help(self) -> None:
        """F1: Textual's help panel (the focused part's HELP, rendered, and its keys); F1 again hides it."""
        (self.action_hide_help_panel if self.screen.query("HelpPanel") else self.action_show_help_panel)()

    def action_resends(self) -> None:  # ctrl+u: the unanswered charged requests, each cancellable
        from gentui.ui.screens.resends import open_resends

        open_resends(self)

    def action_switch_engine(self) -> None:  # no engine yet: the start-up's own choice
        (self.switch_engine if self.session is not None else self.start)()

    @work(group="start", exclusive=True, exit_on_error=False)
    async def switch_engine(self) -> None:
        if self.session is None:
            return
        try:
            engine_id = await choose_engine(self, self.client, self.session.agent_id)
        except GenApiError as exc:
            self.notify(f"engines: {describe_error(exc)}", severity="error", markup=False)
            return
        if engine_id and engine_id != self.session.engine_id:
            self.open_engine(self.session.agent_id, engine_id)

    async def action_quit(self) -> None:  # q, ctrl+q; asks first while a batch runs
        from gentui.ui.quitting import quit_asking

        quit_asking(self)

    def action_help_quit(self) -> None:  # ctrl+c (Textual's "press ctrl+q"): quits, as in k9s and lazygit
        self.call_later(self.action_quit)

    def _quit(self) -> None:
        if self.poller is not None:
            self.poller.stop()
        self.exit()
