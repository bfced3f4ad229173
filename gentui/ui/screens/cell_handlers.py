"""What the main screen's cell keys do: regenerate, edit, stop, continue, render, pin, copy."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Awaitable, Callable, Coroutine
from typing import TYPE_CHECKING, Any

from gentui.action_table import BY_ID, ActionId
from gentui.api.errors import GenApiError
from gentui.core.actions import Actions, Plan, Refusal
from gentui.core.assets import AssetCatalog
from gentui.core.card import Card
from gentui.core.formatting import describe_error
from gentui.core.session import Session
from gentui.core.text import one_line, safe_text
from gentui.core.views import CellKey
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.modals import ValueEditor
from gentui.ui.screens.plan_dialogs import ConfirmScreen

if TYPE_CHECKING:
    from gentui.ui.screens.main import MainScreen

VALUE_SHOWN = 100_000  # characters of a value the editor opens with
Handler = Callable[[CellKey | None], Awaitable[None]]
LOST_ANSWER = ("\nThe server may have acted: gentui sends it again with the same "
               "Idempotency-Key once the server answers (it is never charged twice); "
               "ctrl+p lists it, with cancel.")
NOT_SENT = "\nNot sent: the connection was refused, so nothing was charged; try again when the server is back."


class CellHandlers:
    """The single-cell actions of the action table, for one main screen."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen

    def handlers(self) -> dict[ActionId, Handler]:
        A = ActionId
        return {A.REGENERATE: self.regenerate, A.EDIT_REGENERATE: self.edit_regenerate, A.EDIT_VALUE: self.edit_value,
                A.STOP: self.stop, A.CONTINUE: self.continue_, A.PIN: self.pin, A.RENDER: self.render,
                A.COPY: self.copy}

    @property
    def actions(self) -> Actions:
        actions = self.screen.app.actions
        assert actions is not None  # the screen dispatches only with a session (and so its actions)
        return actions

    @property
    def session(self) -> Session:
        session = self.screen.session
        assert session is not None  # as above
        return session

    # --- the handlers -----------------------------------------------------------------------------
    async def regenerate(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.actions.plan_regenerate(key))

    async def edit_regenerate(self, key: CellKey | None) -> None:
        actions = self.actions
        actions.plan_regenerate(key, edited=True)  # refuses early (read-only, unknown type, render column)
        assert key is not None  # plan_regenerate refuses without a cell
        card = self.session.state.card(key)
        title = f"Edit & regenerate {self.session.where(key)}"

        def edited(new_card: Card | None) -> None:
            if new_card is None:
                return
            try:
                self.confirm_and_run(actions.plan_regenerate(key, new_card, edited=True))
            except Refusal as exc:
                self.screen.notify(str(exc), severity="warning", markup=False)

        self.screen.app.push_screen(CardEditor(card, title, assets=AssetCatalog(self.session, key)), edited)

    async def stop(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.actions.plan_stop(key))

    async def continue_(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.actions.plan_continue(key))

    async def render(self, key: CellKey | None) -> None:
        self.confirm_and_run(self.actions.plan_render(key))

    async def pin(self, key: CellKey | None) -> None:
        history = self.screen.history
        gen_id = history.selected_id if history.has_focus else None
        if gen_id is None:
            raise Refusal("pin: press Enter to go to the history table, select a take, then p")
        self.actions.check_pin(key, gen_id)
        assert key is not None  # check_pin refuses without a cell
        self.run(self.actions.pin(key, gen_id), "pin")

    async def edit_value(self, key: CellKey | None) -> None:
        cell = self.actions.check_edit_value(key)
        assert key is not None  # check_edit_value refuses without a cell
        title = f"Value of {self.session.where(key)}"

        def saved(value: str | None) -> None:
            if value is not None and value != cell.value:
                self.run(self.actions.edit_value(key, value), "edit_value")

        self.screen.app.push_screen(ValueEditor(title, safe_text(cell.full_value, VALUE_SHOWN)), saved)

    async def copy(self, key: CellKey | None) -> None:
        cell = self.session.state.cells.get(key) if key else None
        history = self.screen.history
        job = None
        if cell is not None:
            wanted = history.selected_id if history.has_focus else cell.displayed_id
            job = next((j for j in cell.jobs if j.id == wanted), None) or cell.displayed
        if job is None or not (job.urls or job.result):
            raise Refusal("copy: this cell has no output to copy yet")
        self.copy_out(job.urls[0] if job.urls else job.result)

    def copy_out(self, text: str) -> None:
        """To the tmux buffer under tmux (which also reaches the outer terminal), else with OSC 52."""
        screen = self.screen
        if os.environ.get("TMUX") and shutil.which("tmux"):
            try:
                subprocess.run(["tmux", "load-buffer", "-w", "-"], input=text.encode(), check=True, timeout=3)
                screen.notify("copied to the tmux buffer (and the outer terminal's clipboard)", timeout=3)
                return
            except (OSError, subprocess.SubprocessError):
                pass
        screen.app.copy_to_clipboard(text)
        screen.notify("copied with OSC 52 (your terminal must allow clipboard writes)", timeout=3)

    # --- running a plan ------------------------------------------------------------------------------
    def confirm_and_run(self, plan: Plan) -> None:
        """Ask when the plan says so (its amount is on the dialog), then run it in a worker."""
        actions = self.actions

        def decided(ok: bool | None) -> None:
            if ok:
                self.run(actions.send(plan), plan.action)  # a charged one marks its cell busy at once
            else:
                self.screen.notify(f"{plan.action}: cancelled, nothing spent", timeout=3)

        if plan.needs_confirm:
            self.screen.app.push_screen(ConfirmScreen(plan), decided)
        else:
            decided(True)

    def run(self, coro: Coroutine[Any, Any, object], name: str) -> None:
        """An action's call in a worker: an API error becomes one line (saying when it may have been charged)."""
        screen = self.screen

        async def guarded() -> None:
            try:
                await coro
            except GenApiError as exc:
                message = f"{name}: {describe_error(exc)}"
                if name in BY_ID and BY_ID[name].spends and exc.not_sent:
                    message += NOT_SENT
                elif name in BY_ID and BY_ID[name].spends and not exc.refused:
                    message += LOST_ANSWER
                screen.notify(message, severity="error", timeout=10, markup=False)
            except Exception as exc:  # noqa: BLE001 - a full disk under the journal, a bug: one line, not silence
                screen.notify(f"{name}: {one_line(str(exc) or type(exc).__name__, 300)}", severity="error",
                              timeout=15, markup=False)
            finally:
                screen.app.wake_poller(credits=True)

        screen.run_worker(guarded(), group="actions", exit_on_error=False)
