"""The start-up question about an earlier gentui's unsent generations: resume, keep for later, or discard."""

from __future__ import annotations

from typing import Literal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from gentui.core.actions import Plan
from gentui.core.text import safe_text

Choice = Literal["resume", "discard"]


class ResumeDialog(ModalScreen[Choice | None]):
    """Lists what would be sent and its cost; Keep is focused; `y` resumes, `d` discards, `n`/Escape keep."""

    BINDINGS = [
        Binding("y", "choose('resume')", "Resume"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("n", "keep", "Keep for later"),
        Binding("escape", "keep", "Keep for later", show=False),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog", classes="dialog wide"):
            yield Label(Text(self.plan.title, style="bold"), id="title")
            body = Text()
            for line in self.plan.summary():
                body.append(safe_text(line, 500) + "\n")
            yield Static(body, id="dialog-body")
            with Horizontal(classes="buttons"):
                yield Button("Keep for later (n)", id="keep", variant="default")
                yield Button("Discard (d)", id="discard", variant="error")
                yield Button("Resume (y)", id="resume", variant="warning")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = event.button.id
        self.dismiss(choice if choice in ("resume", "discard") else None)  # type: ignore[arg-type]

    def action_choose(self, choice: Choice) -> None:
        self.dismiss(choice)

    def action_keep(self) -> None:
        self.dismiss(None)
