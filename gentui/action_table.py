"""Every action of gentui, in one table: id, default keys, words, help, where it runs, what it risks.

No Textual here: `gentui keys`, the config validator (`check_keymap`: binding ids, key names in Textual's
spelling, clashes), the UI's bindings, `?`, the command palette, the read-only guard and the screen's
dispatch all read this one table (CONTRACTS.md section 3). Adding an action means one row here and one handler on its screen.
"""

from __future__ import annotations

import difflib
import string
import unicodedata
from collections.abc import Callable, Mapping
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
    RESENDS = "resends"
    COMPARE = "compare"
    OPEN = "open"
    PREVIEW = "preview"
    PICK_ASSET = "pick_asset"


@dataclass(frozen=True)
class ActionSpec:
    id: ActionId
    key: str
    description: str
    help: str = ""  # one line for the palette and `?`
    #: "screen": the main screen's cell actions; "history": the same dispatcher, but bound on the history table
    #: only (its key may be a screen key elsewhere: `open` shares `o` with `sort`); "app": global keys;
    #: "editor": the card editor's own
    scope: str = "screen"
    mutating: bool = False  # spends, stops or edits: disabled by --readonly
    spends: bool = False  # a charged POST, sent with an Idempotency-Key
    offline: bool = False  # works before a session exists (the logs help most when nothing connects)
    show: bool = True  # shown in the footer
    priority: bool = False

    @property
    def textual_action(self) -> str:
        """The Textual action string a binding runs: the app's own method, or the screen's dispatcher."""
        if self.scope == "editor":
            return self.id.value  # the card editor's own `action_<id>`
        return _APP_METHODS.get(self.id, self.id.value) if self.scope == "app" else f"cell('{self.id.value}')"


A = ActionId
HISTORY = "history"  # the scope of the keys bound on the history table only
#: the scopes the main screen dispatches (`action_cell`): its own keys and the history table's
DISPATCHED_SCOPES = ("screen", HISTORY)
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
    ActionSpec(A.RESENDS, "ctrl+u", "Resends", "Unanswered charged requests waiting to be sent again, with cancel",
               scope="app", offline=True, show=False),
    ActionSpec(A.COMPARE, "equals_sign", "Compare", "Compare the selected take with the displayed one, side by side",
               show=False),
    ActionSpec(A.OPEN, "o", "Open", "Open the selected take's output (open_command, the browser, or copy the link)",
               scope=HISTORY),
    ActionSpec(A.PREVIEW, "v", "Preview", "The selected take's output full screen", show=False),
    ActionSpec(A.PICK_ASSET, "ctrl+o", "Pick asset",
               "In the card editor: pick a file for the focused resource field (row outputs, takes, library, upload)",
               scope="editor", priority=True),
)
#: the app's method for each global action, where its name differs from the id
_APP_METHODS: dict[ActionId, str] = {A.HELP: "show_keys"}

BINDINGS = ACTIONS  # the table as `gentui keys` and the config validator read it
# plain strings (an ActionId is one): they are shown, compared and written to config.toml as text
BY_ID: dict[str, ActionSpec] = {spec.id.value: spec for spec in ACTIONS}
BINDING_IDS: frozenset[str] = frozenset(BY_ID)
MUTATING_IDS: frozenset[str] = frozenset(s.id.value for s in ACTIONS if s.mutating)
SCREEN_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope in DISPATCHED_SCOPES)
HISTORY_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope == HISTORY)
APP_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope == "app")
EDITOR_IDS: tuple[str, ...] = tuple(s.id.value for s in ACTIONS if s.scope == "editor")


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
    resends: int = 0  # unanswered charged requests waiting to be sent again (the run's)
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
    if action is A.RESENDS:
        return None if now.resends else "nothing is waiting to be sent again"
    if spec.scope == "app" or action in (A.ACTIVITY, A.API_LOG, A.FILTER):
        return None
    if not now.connected:
        return "not connected yet"
    if action in (A.PIN, A.COMPARE, A.OPEN) and not now.take_selected:
        return "select a take in the history first"
    if action in GUARDED:
        return now.refusal(action)
    reasons: dict[ActionId, str | None] = {
        A.COPY: None if now.has_output else "this cell has no output yet",
        A.OPEN: None if now.has_output else "this take has no output to open",
        A.PREVIEW: None if now.has_output else "this take has no output to show",
        A.MARK: None if now.on_cell else "no cell selected",
        A.MARK_COLUMN: None if now.on_cell else "no cell selected",
        A.MARK_FAILED: None if now.any_failed else "no failed cell",
        A.CLEAR_MARKS: None if now.marks else "nothing is marked",
        A.MASS_REGENERATE: None if now.targets or now.batch_running else "no cells to regenerate",
        A.BULK_STOP: None if now.targets_in_flight else "nothing in flight in the marks or the column",
    }
    return reasons.get(action)


# --- key names (Textual's spelling: textual/keys.py) and the [keymap] check --------------------------------
#: Textual spells a punctuation key by its Unicode name (`/` is `slash`, `?` is `question_mark`), with these
#: common words instead of the Unicode ones (`textual.keys.KEY_NAME_REPLACEMENTS`)
_NAME_REPLACEMENTS = {"solidus": "slash", "reverse_solidus": "backslash", "commercial_at": "at",
                      "hyphen_minus": "minus", "plus_sign": "plus", "low_line": "underscore"}


def _punctuation_name(char: str) -> str:
    name = unicodedata.name(char).lower().replace("-", "_").replace(" ", "_")
    return _NAME_REPLACEMENTS.get(name, name)


#: punctuation key name -> the character it types (`slash` -> `/`)
PUNCTUATION: dict[str, str] = {_punctuation_name(c): c for c in string.punctuation}
#: keys that type no character (`textual.keys.Keys`), with or without modifiers
SPECIAL_KEYS: frozenset[str] = frozenset({
    "escape", "enter", "tab", "space", "backspace", "delete", "insert", "home", "end", "pageup", "pagedown",
    "up", "down", "left", "right", *(f"f{n}" for n in range(1, 25)),
})
#: the modifiers, in the order Textual writes them (it sorts them: `ctrl+shift+left`, `alt+shift+r`)
MODIFIERS: tuple[str, ...] = ("alt", "ctrl", "shift")
_KEY_HELP = "letters, digits, names like slash or question_mark, enter, escape, arrows, f1-f24, with ctrl+ alt+ shift+"

#: keys that are not rows of the table but are taken wherever the table's keys work: the main screen's
#: navigation (CONTRACTS.md section 3) and Textual's own app and screen keys -> what they do, and the one
#: binding id allowed to share the key (Textual's ctrl+q quits, as `quit` does)
RESERVED_KEYS: dict[str, tuple[str, str | None]] = {
    **{key: (f"navigation ({what})", None) for key, what in (
        ("up", "up"), ("down", "down"), ("left", "left"), ("right", "right"), ("h", "left"), ("j", "down"),
        ("k", "up"), ("l", "right"), ("pageup", "page up"), ("pagedown", "page down"), ("home", "first row"),
        ("end", "last row"), ("enter", "into the detail"), ("escape", "out of the detail"),
        ("tab", "next part"), ("shift+tab", "previous part"))},
    "ctrl+p": ("the command palette", None),
    "ctrl+c": ("quit (asks while a batch runs; copies in a text field)", None),
    "ctrl+q": ("quit (Textual)", A.QUIT.value),
}


class KeymapError(ValueError):
    """A [keymap] that cannot be applied, in one line naming the binding (and the one it clashes with)."""


class BadKey(KeymapError):
    """A key a terminal cannot send: `str()` is `'KEY' REASON`."""

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"{key!r} {reason}")
        self.key, self.reason = key, reason


def key_name(key: str) -> str:
    """One key in Textual's spelling (`?` -> `question_mark`, `Ctrl+S` -> `ctrl+s`, `shift+ctrl+up` ->
    `ctrl+shift+up`). Raises BadKey for a key a terminal cannot send."""
    key = key.strip()
    if len(key) == 1:
        return _base_name(key, key)
    if key.endswith("++"):  # ctrl++ : the plus key with a modifier
        *mods, base = [*key[:-2].split("+"), "+"]
    else:
        *mods, base = key.split("+")
    mods = [m.strip().lower() for m in mods]
    unknown = [m for m in mods if m not in MODIFIERS]
    if unknown or not base.strip():
        what = f"modifier {unknown[0]!r}" if unknown and unknown[0] else "key"
        raise BadKey(key, f"is not a key name: unknown {what} (use {_KEY_HELP})")
    if len(set(mods)) != len(mods):
        raise BadKey(key, "is not a key name: a modifier is repeated")
    base = _base_name(base.strip(), key)
    ordered = [m for m in MODIFIERS if m in mods]
    if base in SPECIAL_KEYS or not mods:
        return "+".join([*ordered, base])
    if base.isalpha() and base.isupper():  # an upper-case letter with a modifier: Textual says shift+lower
        better = "+".join([*[m for m in MODIFIERS if m in {*mods, "shift"}], base.lower()])
        raise BadKey(key, f"is not a key a terminal sends; write {better!r}")
    if ordered == ["shift"]:  # shift and a character: the terminal sends the character it types
        better = repr(base.upper()) if base.isalpha() else "the character shift types"
        raise BadKey(key, f"is not a key a terminal sends; write {better}")
    return "+".join([*ordered, base])


def _base_name(base: str, key: str) -> str:
    """The last part of a key (after its modifiers) in Textual's spelling."""
    if len(base) == 1:
        if base.isalnum():  # a letter or a digit, of any alphabet
            return base
        if base in string.punctuation:
            return _punctuation_name(base)
        if base == " ":
            return "space"
        raise BadKey(key, f"is not a key name (use {_KEY_HELP})")
    name = base.lower()
    if name in SPECIAL_KEYS or name in PUNCTUATION:
        return name
    close = difflib.get_close_matches(name, [*SPECIAL_KEYS, *PUNCTUATION], n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}? " if close else ""
    raise BadKey(key, f"is not a key name: unknown key {base!r} ({hint}use {_KEY_HELP})")


def display_key(key: str) -> str:
    """The key as a person types it (`slash` -> `/`)."""
    return ",".join(_display_one(k.strip()) for k in key.split(","))


def _display_one(key: str) -> str:
    return PUNCTUATION[key] if key in PUNCTUATION and key != "comma" else key


def textual_keys(keys: str) -> str:
    """A user's comma-separated keys in Textual's spelling (`/` -> `slash`), each once. Raises BadKey for a
    key a terminal cannot send (`ctrl+shift+weird`)."""
    return ",".join(dict.fromkeys(key_name(k) for k in keys.split(",") if k.strip()))


def _scope_word(spec: ActionSpec) -> str:
    return {"app": " (global)", HISTORY: " (in the history table)"}.get(spec.scope, "")


def _clash(one: ActionSpec, other: ActionSpec) -> bool:
    """Whether two bindings on one key would take it from each other: the same scope, or one is global
    (a global key works on every screen; a screen binding on it hides it there). A history-table key and a
    screen key may share a key: the history table's wins while it has the focus, the screen's elsewhere
    (`open` and `sort` on `o`)."""
    return one.scope == other.scope or "app" in (one.scope, other.scope)


def check_keymap(keymap: Mapping[str, str]) -> dict[str, str]:
    """Binding id -> keys in Textual's spelling, for every binding, after the user's remaps. Raises
    KeymapError, one line naming both bindings, for an unknown binding id, a key a terminal cannot send,
    or two bindings on one key in one scope (or one of them global), also when a remap takes another
    binding's default key; swapping two keys (`regenerate = "s"`, `stop = "r"`) is fine."""
    keys: dict[str, list[str]] = {}
    for binding_id, given in keymap.items():
        if binding_id not in BY_ID:
            close = difflib.get_close_matches(binding_id, sorted(BINDING_IDS), n=1, cutoff=0.6)
            hint = f" (did you mean {close[0]!r}?)" if close else " (`gentui keys` lists them)"
            raise KeymapError(f"unknown binding id {binding_id!r} in [keymap]{hint}")
        try:
            keys[binding_id] = textual_keys(given).split(",")
        except BadKey as bad:
            raise KeymapError(f"keymap: {bad.key.strip()!r} for {binding_id} {bad.reason}") from None
        if keys[binding_id] == [""]:
            raise KeymapError(f"keymap.{binding_id}: no key given (e.g. \"z\" or \"ctrl+s,z\")")
    for spec in ACTIONS:
        keys.setdefault(spec.id.value, spec.key.split(","))
    holders: dict[str, list[ActionSpec]] = {}
    # the user's remaps first, so the message names the binding the user moved
    for binding_id in [*keymap, *(i for i in keys if i not in keymap)]:
        spec = BY_ID[binding_id]
        for key in keys[binding_id]:
            shown = display_key(key)
            reserved = RESERVED_KEYS.get(key)
            if reserved and reserved[1] != binding_id:
                raise KeymapError(f"keymap: {shown!r} for {binding_id} clashes with {reserved[0]}; "
                                  "choose another key")
            for other in holders.get(key, []):
                if _clash(spec, other):
                    first, second = (other, spec) if other.id.value in keymap and binding_id not in keymap \
                        else (spec, other)
                    advice = "choose another key"
                    if second.id.value not in keymap:
                        advice += f", or remap {second.id.value} too"
                    raise KeymapError(f"keymap: {shown!r} for {first.id.value} clashes with "
                                      f"{second.id.value}{_scope_word(second)}; {advice}")
            holders.setdefault(key, []).append(spec)
    return {spec.id.value: ",".join(keys[spec.id.value]) for spec in ACTIONS}


def effective_keys(keymap: Mapping[str, str] | None = None) -> dict[str, str]:
    """Binding id -> keys, after the user's [keymap] overrides (checked: KeymapError as `check_keymap`)."""
    return check_keymap(keymap or {})
