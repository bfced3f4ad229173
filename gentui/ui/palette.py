"""The command palette's gentui commands (ctrl+p): every action that makes sense now, with its key.

An action is offered only when pressing its key would do something: `stop` only on a cell with work
in flight, `continue` only on a stopped one, nothing that spends in read-only mode, and so on. The
same guards as the keys decide (`gentui.core.actions`), so the palette never offers a refusal.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from textual.app import SystemCommand

from gentui.action_table import BY_ID, MUTATING_IDS, SCREEN_IDS, display_key
from gentui.core.actions import Refusal


def _offered(screen: Any, binding_id: str) -> bool:
    """Would pressing this key on this screen do something now?"""
    app = screen.app
    session, actions = app.session, app.actions
    if binding_id in ("activity", "api_log", "filter"):
        return True
    if session is None or actions is None or not session.state.loaded:
        return False
    if binding_id in MUTATING_IDS and app.guards.readonly:
        return False
    from gentui.ui.widgets.detail import HistoryTable
    from gentui.ui.widgets.grid import EngineGrid

    grid = screen.query_one(EngineGrid)
    key = grid.current_key
    state = session.state
    cell = state.cells.get(key) if key else None
    checks: dict[str, Callable[[], object]] = {
        "regenerate": lambda: actions.plan_regenerate(key),
        "edit_regenerate": lambda: actions.plan_regenerate(key, edited=True),
        "edit_value": lambda: actions.check_edit_value(key),
        "stop": lambda: actions.plan_stop(key),
        "continue": lambda: actions.plan_continue(key),
        "render": lambda: actions.plan_render(key),
    }
    if binding_id in checks:
        try:
            checks[binding_id]()
        except Exception:  # noqa: BLE001 - a guard that refuses, whatever its reason, means "not now"
            return False
        return True
    if binding_id == "pin":
        table = screen.query_one(HistoryTable)
        if not table.has_focus or table.selected_id is None:
            return False
        try:
            actions.check_pin(key, table.selected_id)
        except Refusal:
            return False
        return True
    if binding_id == "copy":
        shown = cell.displayed if cell else None
        return bool(shown and (shown.urls or shown.result))
    if binding_id in ("mark", "mark_column"):
        return cell is not None
    if binding_id == "mark_failed":
        return any(c.status == "failed" for c in state.cells.values())
    if binding_id == "clear_marks":
        return bool(grid.marks)
    if binding_id in ("mass_regenerate", "bulk_stop"):
        targets = screen.targets(key)
        if binding_id == "bulk_stop":
            return any(state.cells[k].in_flight for k in targets if k in state.cells)
        return bool(targets) or screen.batch_running()
    return True  # failed_only, in_flight_only, sort, export


def _state_note(screen: Any, binding_id: str) -> str:
    view = getattr(screen, "view", None)
    if view is None:
        return ""
    if binding_id == "failed_only":
        return f" (now {'on' if view.failed_only else 'off'})"
    if binding_id == "in_flight_only":
        return f" (now {'on' if view.in_flight_only else 'off'})"
    if binding_id == "sort":
        return f" (now: {view.sort})"
    return ""


def title(app: Any, binding_id: str) -> str:
    spec = BY_ID[binding_id]
    return f"{spec.description} ({display_key(app.keys.get(binding_id, spec.key))})"


def gentui_commands(app: Any, screen: Any) -> Iterator[SystemCommand]:
    from gentui.ui.screens.main import MainScreen

    if isinstance(screen, MainScreen):
        for binding_id in SCREEN_IDS:
            if _offered(screen, binding_id):
                yield SystemCommand(title(app, binding_id), BY_ID[binding_id].help + _state_note(screen, binding_id),
                                    partial(screen.run_action, f"cell({binding_id!r})"))
        yield SystemCommand("Spend history", "What this machine spent per day and per engine (from the journal)",
                            screen.open_spend)
        yield SystemCommand(title(app, "refresh"), BY_ID["refresh"].help, app.action_refresh)
        yield SystemCommand(title(app, "switch_engine"), BY_ID["switch_engine"].help, app.action_switch_engine)
    yield SystemCommand(title(app, "help"), BY_ID["help"].help, app.action_show_keys)
