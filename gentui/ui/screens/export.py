"""The export dialog (`x`): the engine's whole history to CSV, JSON or both, in a folder of your choice."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from gentui.core.text import one_line


class ExportScreen(ModalScreen[tuple[tuple[str, ...], str] | None]):
    """Returns (formats, folder) or None; `c` CSV, `j` JSON, `b` both, Escape cancels."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("c", "export('csv')", "CSV"),
        Binding("j", "export('json')", "JSON"),
        Binding("b", "export('both')", "Both"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, engine_title: str, folder: Path, *, web: bool = False) -> None:
        super().__init__()
        self.engine_title, self.folder, self.web = engine_title, folder, web

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="export-dialog"):
            yield Label(Text(f"Export the history of {one_line(self.engine_title, 60)}", style="bold"))
            yield Static(Text("Every cell, every generation, with its status, times, final cost, failure reason and "
                              "outputs. Nothing is spent: one GET of the engine.", style="dim"))
            if self.web:
                yield Static(Text("Your browser downloads the files.", style="dim"))
            else:
                yield Label("folder")
                yield Input(str(self.folder), id="export-folder")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("JSON (j)", id="json")
                yield Button("Both (b)", id="both")
                yield Button("CSV (c)", id="csv", variant="primary")

    def on_mount(self) -> None:
        self.query_one("#csv", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel()
        else:
            self.action_export(event.button.id or "csv")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.action_export("csv")

    def action_export(self, which: str) -> None:
        formats = ("csv", "json") if which == "both" else (which,)
        folder = str(self.folder)
        for field in self.query("#export-folder").results(Input):
            folder = field.value.strip() or folder
        self.dismiss((formats, folder))

    def action_cancel(self) -> None:
        self.dismiss(None)
