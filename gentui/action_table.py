"""Every binding of gentui: stable id, default keys, description, and whether it mutates.

No Textual here: `gentui keys`, the config validator and the UI all read this one table
(CONTRACTS.md section 3). The UI turns it into `textual.binding.Binding`s.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class BindingSpec:
    id: str
    key: str
    description: str
    mutating: bool = False  # spends, stops or edits: disabled by --readonly
    show: bool = True  # shown in the footer
    priority: bool = False


BINDINGS: tuple[BindingSpec, ...] = (
    BindingSpec("regenerate", "r", "Regenerate", True),
    BindingSpec("edit_regenerate", "e", "Edit & regenerate", True),
    BindingSpec("edit_value", "i", "Edit value", True, show=False),
    BindingSpec("stop", "s", "Stop", True),
    BindingSpec("continue", "c", "Continue", True),
    BindingSpec("pin", "p", "Pin take", True, show=False),
    BindingSpec("render", "R", "Render row", True, show=False),
    BindingSpec("copy", "y", "Copy output", show=False),
    BindingSpec("refresh", "ctrl+r", "Refresh", priority=True),
    BindingSpec("mark", "space", "Mark", show=False),
    BindingSpec("mark_column", "V", "Mark column", show=False),
    BindingSpec("mark_failed", "X", "Mark failed", show=False),
    BindingSpec("clear_marks", "U", "Clear marks", show=False),
    BindingSpec("mass_regenerate", "m", "Mass regenerate", True, show=False),
    BindingSpec("bulk_stop", "S", "Bulk stop", True, show=False),
    BindingSpec("filter", "slash", "Filter", show=False),
    BindingSpec("failed_only", "F", "Failed only", show=False),
    BindingSpec("in_flight_only", "I", "In flight only", show=False),
    BindingSpec("sort", "o", "Sort", show=False),
    BindingSpec("activity", "a", "Activity", show=False),
    BindingSpec("api_log", "L", "API log", show=False),
    BindingSpec("export", "x", "Export", show=False),
    BindingSpec("switch_engine", "g", "Engines"),
    BindingSpec("help", "question_mark", "Help"),
    BindingSpec("widget_help", "f1", "Widget help", show=False, priority=True),
    BindingSpec("quit", "q", "Quit"),
)

BINDING_IDS: frozenset[str] = frozenset(b.id for b in BINDINGS)
MUTATING_IDS: frozenset[str] = frozenset(b.id for b in BINDINGS if b.mutating)
BY_ID: dict[str, BindingSpec] = {b.id: b for b in BINDINGS}

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
    return {b.id: textual_keys(keymap[b.id]) if b.id in keymap else b.key for b in BINDINGS}
