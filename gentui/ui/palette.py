"""The command palette's gentui commands (ctrl+p): every action that makes sense now, with its key.

An action is offered only when pressing its key would do something: the action table's `why_not`
decides, with the same core guards the keys run, so the palette never offers a refusal. The charged
POSTs whose answers were lost (`gentui.core.resends`) are listed, each with its cancel (and, once past
the server's idempotency window, a resend that asks first).
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from typing import TYPE_CHECKING

from textual.app import SystemCommand
from textual.screen import Screen

from gentui.action_table import BY_ID, SCREEN_IDS, ActionId, Context, display_key, why_not
from gentui.api import vocab
from gentui.core.actions import Refusal

if TYPE_CHECKING:
    from gentui.ui.app import GentuiApp
    from gentui.ui.screens.main import MainScreen


def context(screen: MainScreen) -> Context:
    """What is true on the main screen now, for `why_not`."""
    app, session, grid = screen.app, screen.session, screen.grid
    actions = app.actions
    if session is None or actions is None or not session.state.loaded:
        return Context(readonly=app.guards.readonly, resends=len(app.whole_run.unanswered))
    state, key = session.state, grid.current_key
    cell = state.cells.get(key) if key else None
    history = screen.history
    take = history.selected_id if history.has_focus else None
    shown = next((j for j in cell.jobs if j.id == take), None) if cell and take else (cell.displayed if cell else None)
    targets = grid.targets()
    A = ActionId
    checks = {A.REGENERATE: lambda: actions.plan_regenerate(key), A.EDIT_REGENERATE: lambda: actions.plan_regenerate(
        key, edited=True), A.EDIT_VALUE: lambda: actions.check_edit_value(key), A.STOP: lambda: actions.plan_stop(key),
        A.CONTINUE: lambda: actions.plan_continue(key), A.RENDER: lambda: actions.plan_render(key),
        A.PIN: lambda: actions.check_pin(key, take)}

    def refusal(action: ActionId) -> str | None:
        try:
            checks[action]()
        except Refusal as exc:
            return str(exc)
        return None

    return Context(readonly=app.guards.readonly, connected=True, on_cell=cell is not None, take_selected=take is not None,
                   has_output=bool(shown and (shown.urls or shown.result)),
                   any_failed=any(c.status == vocab.FAILED for c in state.cells.values()), marks=len(grid.marks),
                   targets=len(targets), targets_in_flight=any(state.cells[k].in_flight for k in targets if k in state.cells),
                   batch_running=screen.batch_bar.running, resends=len(app.whole_run.unanswered), refusal=refusal)


def _state_note(screen: MainScreen, binding_id: str) -> str:
    view = screen.grid.view
    if binding_id == "failed_only":
        return f" (now {'on' if view.failed_only else 'off'})"
    if binding_id == "in_flight_only":
        return f" (now {'on' if view.in_flight_only else 'off'})"
    if binding_id == "sort":
        return f" (now: {view.sort})"
    return ""


def title(app: GentuiApp, binding_id: str) -> str:
    spec = BY_ID[binding_id]
    return f"{spec.description} ({display_key(app.keys.get(binding_id, spec.key))})"


def gentui_commands(app: GentuiApp, screen: Screen[object]) -> Iterator[SystemCommand]:
    from gentui.ui.screens.main import MainScreen

    if isinstance(screen, MainScreen):
        now = context(screen)
        for binding_id in SCREEN_IDS:
            if why_not(ActionId(binding_id), now) is None:
                yield SystemCommand(title(app, binding_id), BY_ID[binding_id].help + _state_note(screen, binding_id),
                                    partial(screen.run_action, f"cell({binding_id!r})"))
        yield SystemCommand("Spend history", "What this machine spent per day and per engine (from the journal)",
                            screen.views.open_spend)
        yield SystemCommand(title(app, "refresh"), BY_ID["refresh"].help, app.action_refresh)
        yield SystemCommand(title(app, "switch_engine"), BY_ID["switch_engine"].help, app.action_switch_engine)
        if why_not(ActionId.RESENDS, now) is None:
            yield SystemCommand(title(app, "resends"), BY_ID["resends"].help, app.action_resends)
        yield from resend_commands(app, screen)
    yield SystemCommand(title(app, "help"), BY_ID["help"].help, app.action_show_keys)


def resend_commands(app: GentuiApp, screen: MainScreen) -> Iterator[SystemCommand]:
    """One cancel per lost answer waiting to be sent again; a resend that asks for those past the window."""
    now = app.now()
    for idem, pending in list(app.whole_run.unanswered.items()):
        what = f"{pending.plan.title} ({pending.describe(now)}, engine {pending.engine_id})"
        yield SystemCommand(f"Cancel resend: {what}",
                            "Abandon this unanswered charged request: it is never sent again",
                            partial(cancel_resend, app, idem))
        if pending.expired(now):
            yield SystemCommand(f"Resend (asks, may charge again): {what}",
                                "Past the server's idempotency window: ask, with the amount, then send it again",
                                partial(ask_resend, app, screen, idem))


def cancel_resend(app: GentuiApp, idem: str) -> None:
    if app.actions is not None:
        app.actions.cancel_uncertain(idem)


def ask_resend(app: GentuiApp, screen: MainScreen, idem: str) -> None:
    """A resend past the window may be charged twice: the confirmation shows the amount; Cancel is the default."""
    from gentui.ui.screens.plan_dialogs import ConfirmScreen

    actions = app.actions
    if actions is None:
        return
    try:
        plan = actions.plan_resend(idem)
    except Refusal as exc:
        app.notify(str(exc), severity="warning", markup=False)
        return

    def decided(ok: bool | None) -> None:
        if ok:
            screen.cells.run(actions.resend_one(idem), plan.action)

    app.push_screen(ConfirmScreen(plan), decided)
