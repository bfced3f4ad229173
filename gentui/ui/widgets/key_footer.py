"""The key footer: the keys that apply to the focused part now, read from the action table.

CONTRACTS.md section 3: the footer shows the keys that apply to the focused part now and always ends
with help and quit. Which rows apply is the table's own say (scope, `show`, `why_not` with the screen's
`Context`), so a new row appears without a change here. When the line is too narrow, whole labels are
dropped from the middle, least important first; help and quit are never dropped, no label is cut.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.reactive import reactive
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Input

from gentui.action_table import ACTIONS, BY_ID, ActionId, ActionSpec, Context, display_key, why_not

A = ActionId
#: the parts of the main screen (the focused widget decides) and of the app
GRID, HISTORY, FEEDS, FILTER, DIALOG = "grid", "history", "feeds", "filter", "dialog"
#: the table's actions that lead in a part, before the rest of what applies there
PART_FIRST: dict[str, tuple[ActionId, ...]] = {
    HISTORY: (A.PIN, A.COPY, A.COMPARE, A.PREVIEW, A.EDIT_REGENERATE),
    FEEDS: (A.ACTIVITY, A.API_LOG),
}
#: the scopes whose rows apply in each part of the main screen ("app" rows apply everywhere)
PART_SCOPES: dict[str, tuple[str, ...]] = {GRID: ("screen",), HISTORY: (HISTORY, "screen"), FEEDS: ("screen",)}
#: the keys that are no row of the table but are what the part is about (navigation, CONTRACTS.md section 3)
PART_KEYS: dict[str, tuple[tuple[str, str], ...]] = {
    GRID: (("enter", "History"),),
    HISTORY: (("escape", "Grid"),),
    FEEDS: (("escape", "Grid"),),
    FILTER: (("enter", "Keep filter"), ("escape", "Clear")),
}
TAIL = (A.HELP, A.QUIT)
PROMOTED = 2  # the grid's first keys not marked `show` that lead the global ones
#: in a text field `?` and `q` type themselves: help and quit are still a key away
TYPING_TAIL: tuple[tuple[str, str], ...] = (("f1", "Help"), ("ctrl+q", "Quit"))


@dataclass(frozen=True)
class KeyHint:
    key: str  # as a person types it
    label: str
    rank: int = 0  # lower is more important: dropped last when the line is narrow

    @property
    def width(self) -> int:
        return len(self.key) + len(self.label) + 3  # " key label " and one space between


PALETTE = KeyHint("^p", "Palette", 35)  # Textual's command palette: every action that applies now, by name


def short_key(key: str) -> str:
    """The first of an action's keys, as typed, with `^` for ctrl (`ctrl+r` -> `^r`, `slash` -> `/`)."""
    first = display_key(key.split(",")[0].strip())
    return {"escape": "esc", "question_mark": "?"}.get(first, first.replace("ctrl+", "^"))


def table_hints(part: str, now: Context, keys: Mapping[str, str],
                actions: Iterable[ActionSpec] = ACTIONS) -> list[KeyHint]:
    """What the footer lists on the main screen for this part (before fitting): the rows of the table
    that apply there and that `why_not` would let act now, most important first, then help and quit."""
    if part == FILTER:
        return [KeyHint(short_key(k), label, 1) for k, label in PART_KEYS[FILTER]] + \
            [KeyHint(short_key(k), label, -1) for k, label in TYPING_TAIL]
    scopes = PART_SCOPES.get(part, ("screen",))
    first = PART_FIRST.get(part, ())
    hints: list[tuple[int, int, KeyHint]] = []
    promoted = 0
    for order, spec in enumerate(actions):
        if spec.id in TAIL or spec.id is A.WIDGET_HELP or (spec.scope != "app" and spec.scope not in scopes):
            continue
        if why_not(spec.id, now) is not None:
            continue
        if spec.scope == part:
            rank = 0
        elif spec.id in first:
            rank = 1 + first.index(spec.id)
        elif spec.show:
            rank = 10 if spec.scope != "app" else 30
        elif part == GRID:  # the first few of the grid's other keys before the global ones (all of --readonly's)
            promoted += 1
            rank = 25 if promoted <= PROMOTED else 40
        else:
            continue
        hints.append((rank, order, KeyHint(short_key(keys.get(spec.id.value, spec.key)), spec.description, rank)))
    hints += [(20, 1000 + i, KeyHint(short_key(k), label, 20)) for i, (k, label) in enumerate(PART_KEYS.get(part, ()))]
    hints.append((PALETTE.rank, 2000, PALETTE))
    hints.sort(key=lambda h: (h[0], h[1]))
    tail = [KeyHint(short_key(keys.get(a.value, BY_ID[a].key)), BY_ID[a].description, -1) for a in TAIL]
    return [h for _, _, h in hints] + tail


def fit(hints: Sequence[KeyHint], width: int) -> list[KeyHint]:
    """The hints that fit in `width` cells, in their order: the least important (highest rank, the later
    of equals) go first; the tail (rank < 0: help and quit) always stays."""
    kept = list(hints)
    while sum(h.width for h in kept) > width:
        droppable = [i for i, h in enumerate(kept) if h.rank >= 0]
        if not droppable:
            break
        worst = max(droppable, key=lambda i: (kept[i].rank, i))
        del kept[worst]
    return kept


class KeyFooter(Widget):
    """One line at the bottom of the main screen: `key Label` for what applies to the focused part now."""

    DEFAULT_CSS = """
    KeyFooter { dock: bottom; height: 1; background: $footer-background; color: $footer-description-foreground; }
    KeyFooter > .key-footer--key { color: $footer-key-foreground; text-style: bold; }
    """
    COMPONENT_CLASSES = {"key-footer--key"}

    hints: reactive[tuple[KeyHint, ...]] = reactive(tuple)
    part: reactive[str] = reactive(GRID)

    def on_mount(self) -> None:
        screen = self.screen
        self.watch(screen, "focused", lambda _focused: self.refresh_keys(), init=False)
        screen.bindings_updated_signal.subscribe(self, lambda _screen: self.refresh_keys())
        self.app.screen_change_signal.subscribe(self, lambda _screen: self.refresh_keys())
        interval = getattr(getattr(self.app, "launch", None), "tick_interval", None)
        if interval:
            self.set_interval(min(0.5, interval), self.refresh_keys, name="key-footer")
        self.refresh_keys()

    def refresh_keys(self) -> None:
        """Look again at what has the focus and what the table lets act now (cheap: one cell's guards)."""
        if not self.is_attached:
            return
        part, hints = self.current()
        self.part, self.hints = part, tuple(hints)

    def current(self) -> tuple[str, list[KeyHint]]:
        app, screen = self.app, self.screen
        keys: Mapping[str, str] = getattr(app, "keys", {})
        top = app.screen
        if top is not screen:
            return DIALOG, dialog_hints(top, keys)
        focused = screen.focused
        if isinstance(focused, Input):
            return FILTER, table_hints(FILTER, Context(), keys)
        part = part_of(focused)
        from gentui.ui.palette import context

        try:
            now = context(screen)  # type: ignore[arg-type]  # the main screen: this footer lives there
        except Exception:  # noqa: BLE001 - mid-switch (no session, a widget gone): what applies offline
            now = Context(readonly=getattr(getattr(app, "guards", None), "readonly", False))
        return part, table_hints(part, now, keys)

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-footer--key", partial=True)
        return render_hints(fit(self.hints, max(0, self.size.width)), key_style)


def part_of(widget: Widget | None) -> str:
    """The main screen's part a focused widget belongs to."""
    node = widget
    while node is not None:
        if node.id == "detail":
            return HISTORY
        if node.id == "feeds":
            return FEEDS
        if node.id == "grid":
            return GRID
        node = node.parent if isinstance(node.parent, Widget) else None
    return GRID


def dialog_hints(top: Screen[object], keys: Mapping[str, str]) -> list[KeyHint]:
    """On a dialog: its own shown keys (Textual's bindings of the dialog and its focused widget), then
    help and quit as they work there (F1 and ctrl+q work over any dialog and in text fields)."""
    from gentui.action_table import APP_IDS

    hints: list[KeyHint] = []
    seen: set[str] = set()
    for key, active in top.active_bindings.items():
        binding = active.binding
        if not (binding.show and binding.description) or binding.action in seen:
            continue
        if any(binding.action == spec.textual_action for spec in ACTIONS if spec.id.value in APP_IDS):
            continue
        seen.add(binding.action)
        hints.append(KeyHint(short_key(binding.key_display or key), binding.description, 10))
    if not any(h.key == "esc" for h in hints):
        hints.insert(0, KeyHint("esc", "Close", 5))
    return hints + [KeyHint(short_key(k), label, -1) for k, label in TYPING_TAIL]


def render_hints(hints: Sequence[KeyHint], key_style: Style | str = "bold") -> Text:
    text = Text(no_wrap=True, overflow="crop", end="")
    for hint in hints:
        text.append(f" {hint.key} ", style=key_style)
        text.append(f"{hint.label} ")
    return text
