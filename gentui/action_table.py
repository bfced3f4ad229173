"""Every action of gentui, in one table: id, default keys, words, help, where it runs, what it risks.

No Textual here: `gentui keys`, the config validator (keymap ids), the UI's bindings, `?`, the
command palette, the read-only guard and the screen's dispatch all read this one table
(CONTRACTS.md section 3). Adding an action means one row here and one handler on its screen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class ActionId(StrEnum):
    """The stable binding ids (CONTRACTS.md section 3): `[keymap]` in config.toml names these."""

    REGENERATE = "regenerate"
    EDIT_REGENERATE = "edit_regenerate"
    EDIT_VALUE = "edit_value"
    STOP = "stop"
    CONTINUE = "continue"
    PIN = "pin"
    RENDER = "render"
    COPY = "copy"
    REFRESH = "refresh"
    MARK = "mark"
    MARK_COLUMN = "mark_column"
    MARK_FAILED = "mark_failed"
    CLEAR_MARKS = "clear_marks"
    MASS_REGENERATE = "mass_regenerate"
    BULK_STOP = "bulk_stop"
    FILTER = "filter"
    FAILED_ONLY = "failed_only"
    IN_FLIGHT_ONLY = "in_flight_only"
    SORT = "sort"
    ACTIVITY = "activity"
    API_LOG = "api_log"
    EXPORT = "export"
    SWITCH_ENGINE = "switch_engine"
    HELP = "help"
    WIDGET_HELP = "widget_help"
    QUIT = "quit"


@dataclass(frozen=True)
class ActionSpec:
    id: ActionId
    key: str
    description: str
    help: str = ""  # one line for the palette and `?`
    scope: str = "screen"  # "screen": the main screen's cell actions; "app": global keys
    mutating: bool = False  # spends, stops or edits: disabled by --readonly
    spends: bool = False  # a charged POST, sent with an Idempotency-Key
    offline: bool = False  # works before a session exists (the logs help most when nothing connects)
    show: bool = True  # shown in the footer
    priority: bool = False

    @property
    def textual_action(self) -> str:
        """The Textual action string a binding runs: the app's own method, or the screen's dispatcher."""
        return _APP_METHODS.get(self.id, self.id.value) if self.scope == "app" else f"cell('{self.id.value}')"


A = ActionId
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec(A.REGENERATE, "r", "Regenerate", "New generation from the cell's card (asks, showing the estimate)",
               mutating=True, spends=True),
    ActionSpec(A.EDIT_REGENERATE, "e", "Edit & regenerate",
               "Edit the card (model, prompt, aspect ratio, duration…), then regenerate", mutating=True, spends=True),
    ActionSpec(A.EDIT_VALUE, "i", "Edit value", "Edit the cell's value (free)", mutating=True, show=False),
    ActionSpec(A.STOP, "s", "Stop", "Stop the cell's in-flight generation (refunded in full)", mutating=True),
    ActionSpec(A.CONTINUE, "c", "Continue", "Continue the cell's stopped generation (re-charged)",
               mutating=True, spends=True),
    ActionSpec(A.PIN, "p", "Pin take", "Pin the selected take as displayed", mutating=True, show=False),
    ActionSpec(A.RENDER, "R", "Render row", "Render the row's final video", mutating=True, spends=True, show=False),
    ActionSpec(A.COPY, "y", "Copy output", "Copy the displayed output's URL or text", show=False),
    ActionSpec(A.REFRESH, "ctrl+r", "Refresh", "Refresh the engine and the credits now", scope="app", priority=True),
    ActionSpec(A.MARK, "space", "Mark", "Mark or unmark the cell", show=False),
    ActionSpec(A.MARK_COLUMN, "V", "Mark column", "Mark the whole column", show=False),
    ActionSpec(A.MARK_FAILED, "X", "Mark failed", "Mark every failed cell", show=False),
    ActionSpec(A.CLEAR_MARKS, "U", "Clear marks", "Clear every mark", show=False),
    ActionSpec(A.MASS_REGENERATE, "m", "Mass regenerate", "Regenerate the marked cells (or the column)",
               mutating=True, show=False),
    ActionSpec(A.BULK_STOP, "S", "Bulk stop", "Stop every in-flight generation of the marks (or the column)",
               mutating=True, show=False),
    ActionSpec(A.FILTER, "slash", "Filter", "Filter the grid: text, is:failed, is:running, col:NAME, age:1h",
               offline=True, show=False),
    ActionSpec(A.FAILED_ONLY, "F", "Failed only", "Only rows with a failed cell", show=False),
    ActionSpec(A.IN_FLIGHT_ONLY, "I", "In flight only", "Only rows with work in flight", show=False),
    ActionSpec(A.SORT, "o", "Sort", "Cycle the sort: sheet, last change, status, cost", show=False),
    ActionSpec(A.ACTIVITY, "a", "Activity", "Show or hide the activity feed", offline=True, show=False),
    ActionSpec(A.API_LOG, "L", "API log", "Show or hide the API call log (with the credits each call moved)",
               offline=True, show=False),
    ActionSpec(A.EXPORT, "x", "Export", "Export the engine's whole history to CSV or JSON", show=False),
    ActionSpec(A.SWITCH_ENGINE, "g", "Engines", "Go to another engine", scope="app"),
    ActionSpec(A.HELP, "question_mark", "Help", "Every key with its binding id", scope="app"),
    ActionSpec(A.WIDGET_HELP, "f1", "Widget help", "What the focused part can do", scope="app", show=False,
               priority=True),
    ActionSpec(A.QUIT, "q", "Quit", "Quit gentui", scope="app"),
)
#: the app's method for each global action, where its name differs from the id
_APP_METHODS: dict[ActionId, str] = {A.HELP: "show_keys"}

BINDINGS = ACTIONS  # the table as `gentui keys` and the config validator read it
# plain strings (an ActionId is one): they are shown, compared and written to config.toml as text
BY_ID: dict[str, ActionSpec] = {spec.id.value: spec for spec in ACTIONS}
BINDING_IDS: frozenset[str] = frozenset(BY_ID)
MUTATING_IDS: frozenset[str] = frozenset(s.id.value for s in ACTIONS if s.mutating)
SCREEN_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope == "screen")
APP_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope == "app")



@dataclass(frozen=True)
class Context:
    """What is true now, as far as the actions care: the screen fills it in; `why_not` reads it."""

    readonly: bool = False
    connected: bool = False  # a session whose engine is loaded
    on_cell: bool = False  # the cursor is on a cell
    take_selected: bool = False  # a take is selected in the focused history
    has_output: bool = False  # the take `copy` would copy has a URL or text
    any_failed: bool = False
    marks: int = 0
    targets: int = 0  # the cells a mass action would act on
    targets_in_flight: bool = False
    batch_running: bool = False
    #: the core's own guard for a cell action (`Actions.plan_*`): its refusal, or None when it would go
    refusal: Callable[[ActionId], str | None] = lambda action: None


#: the actions whose go/no-go is the core's own guard (the same one the key runs)
GUARDED: frozenset[ActionId] = frozenset({A.REGENERATE, A.EDIT_REGENERATE, A.EDIT_VALUE, A.STOP, A.CONTINUE,
                                          A.RENDER, A.PIN})


def why_not(action: ActionId, now: Context) -> str | None:
    """Why pressing this action's key now would do nothing (one line), or None when it would act."""
    spec = BY_ID[action]
    if spec.mutating and now.readonly:
        return "read-only mode"
    if spec.scope == "app" or action in (A.ACTIVITY, A.API_LOG, A.FILTER):
        return None
    if not now.connected:
        return "not connected yet"
    if action is A.PIN and not now.take_selected:
        return "select a take in the history first"
    if action in GUARDED:
        return now.refusal(action)
    reasons: dict[ActionId, str | None] = {
        A.COPY: None if now.has_output else "this cell has no output yet",
        A.MARK: None if now.on_cell else "no cell selected",
        A.MARK_COLUMN: None if now.on_cell else "no cell selected",
        A.MARK_FAILED: None if now.any_failed else "no failed cell",
        A.CLEAR_MARKS: None if now.marks else "nothing is marked",
        A.MASS_REGENERATE: None if now.targets or now.batch_running else "no cells to regenerate",
        A.BULK_STOP: None if now.targets_in_flight else "nothing in flight in the marks or the column",
    }
    return reasons.get(action)


_DISPLAY = {"slash": "/", "question_mark": "?", "space": "space"}


def display_key(key: str) -> str:
    """The key as a person types it (`slash` -> `/`)."""
    return ",".join(_DISPLAY.get(k.strip(), k.strip()) for k in key.split(","))


_TO_TEXTUAL = {"/": "slash", "?": "question_mark", " ": "space"}


def textual_keys(keys: str) -> str:
    """A user's comma-separated keys in Textual's spelling (`/` -> `slash`)."""
    return ",".join(_TO_TEXTUAL.get(k.strip(), k.strip()) for k in keys.split(",") if k.strip())


def effective_keys(keymap: dict[str, str] | None = None) -> dict[str, str]:
    """Binding id -> keys, after the user's [keymap] overrides."""
    keymap = keymap or {}
    return {b.id.value: textual_keys(keymap[b.id]) if b.id in keymap else b.key for b in ACTIONS}
