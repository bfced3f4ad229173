"""Small modal screens: edit a value, help, and a picker for engines and agents (confirm: `plan_dialogs`)."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Input, Label, OptionList, Static, TextArea
from textual.widgets.option_list import Option

from gentui.action_table import BINDINGS, display_key
from gentui.core.text import one_line


class ValueEditor(ModalScreen[str | None]):
    """Edit a cell's value (PATCH, free). ctrl+s saves, Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, title: str, value: str) -> None:
        super().__init__()
        self.title_text, self.value = title, value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"))
            yield TextArea(self.value, id="value", soft_wrap=True)
            yield Label(Text("ctrl+s save · Escape cancel · free (no credits)", style="dim"))
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Save (ctrl+s)", id="save", variant="primary")

    def on_mount(self) -> None:
        self.query_one(TextArea).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_save() if event.button.id == "save" else self.action_cancel()

    def action_save(self) -> None:
        self.dismiss(self.query_one(TextArea).text)

    def action_cancel(self) -> None:
        self.dismiss(None)


class HelpScreen(ModalScreen[None]):
    """Every key with its binding id (`?`)."""

    BINDINGS = [Binding("escape,q,question_mark", "close", "Close")]

    def __init__(self, keys: dict[str, str], disabled: dict[str, str] | None = None) -> None:
        super().__init__()
        self.keys, self.disabled_reasons = keys, disabled or {}

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall"):
            yield Label(Text("Keys — remap any of them in config.toml [keymap] by binding id", style="bold"))
            yield DataTable(id="keys", cursor_type="row", zebra_stripes=True)
            yield Static(Text("Navigation: arrows, h j k l, PageUp/PageDown, Home/End, Enter (detail), "
                              "Escape (back). Dialogs: y confirms, n/Escape cancels.", style="dim"))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("key", "binding id", "what", "now")
        for spec in BINDINGS:
            state = self.disabled_reasons.get(spec.id, "")
            table.add_row(Text(display_key(self.keys.get(spec.id, spec.key)), style="bold"), spec.id.value,
                          spec.description, Text(state, style="dim"))
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)


class PickerScreen(ModalScreen[str | None]):
    """Choose an engine or an agent from a list, or type an id."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, title: str, choices: Sequence[tuple[str, str]], *, allow_typed: bool = True,
                 note: str = "") -> None:
        super().__init__()
        self.title_text, self.choices, self.allow_typed, self.note = title, list(choices), allow_typed, note

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide"):
            yield Label(Text(self.title_text, style="bold"))
            if self.note:
                yield Static(Text(self.note, style="dim"))
            options = [Option(Text(f"{one_line(label, 70)}  ", no_wrap=True) + Text(f"id {ident}", style="dim"),
                              id=ident) for ident, label in self.choices]
            yield OptionList(*options, id="choices")
            if self.allow_typed:
                yield Input(placeholder="or type an id and press Enter", id="typed")

    def on_mount(self) -> None:
        if self.choices:
            self.query_one(OptionList).focus()
        elif self.allow_typed:
            self.query_one(Input).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value:
            self.dismiss(value)

    def action_cancel(self) -> None:
        self.dismiss(None)
