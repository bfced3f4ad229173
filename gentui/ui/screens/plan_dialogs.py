"""Dialogs that show a plan's cost and ask: the confirm (`y`/`n`) and the start-up resume (resume, keep, discard).

Neither accepts what was not shown: while the terminal is too small for the whole summary and every
button, the choice that spends is refused and a line says so.
"""

from __future__ import annotations

from typing import Generic, Literal, TypeVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.errors import NoWidget
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Static

from gentui.core.actions import Plan
from gentui.core.text import safe_text

#: a dialog's buttons: only the focused one stands out (a coloured Confirm must not look focused while Cancel
#: is); the others say what they risk by their text colour alone. Other dialogs take it with their own name.
BUTTONS_CSS = """
PlanDialog .buttons Button.-warning, PlanDialog .buttons Button.-error, PlanDialog .buttons Button.-primary {
    background: $surface; border-top: tall $surface-lighten-1; border-bottom: tall $surface-darken-1;
}
PlanDialog .buttons Button.-warning { color: $text-warning; }
PlanDialog .buttons Button.-error { color: $text-error; }
PlanDialog .buttons Button.-primary { color: $text-primary; }
PlanDialog .buttons Button:focus {
    background: $accent; color: $text; text-style: bold underline;
    border-top: tall $accent-lighten-2; border-bottom: tall $accent-darken-2;
}
"""
TOO_SMALL = "terminal too small to confirm: enlarge it to see the cost, or press n"
R = TypeVar("R")
Choice = Literal["resume", "discard"]


class PlanDialog(ModalScreen[R], Generic[R]):
    """The plan's title and summary, then `BUTTONS` (id, label, variant); the first is focused."""

    DEFAULT_CSS = """
    PlanDialog #too-small { dock: top; height: auto; width: 100%; background: $error; color: $text; }
    """ + BUTTONS_CSS
    BUTTONS: tuple[tuple[str, str, str], ...] = ()
    CLASSES = "dialog"

    def __init__(self, plan: Plan) -> None:
        super().__init__()
        self.plan = plan

    def compose(self) -> ComposeResult:
        yield Static(Text(TOO_SMALL), id="too-small")
        body = Text()
        for line in self.plan.summary():
            body.append(safe_text(line, 500) + "\n")
        with Vertical(id="dialog", classes=self.CLASSES):
            yield Label(Text(self.plan.title, style="bold"), id="title")
            yield Static(body, id="dialog-body")
            with Horizontal(classes="buttons"):
                for button_id, label, variant in self.BUTTONS:
                    yield Button(label, id=button_id, variant=variant)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        if not self.query("#too-small"):  # answered and closed before it mounted (a quick key): nothing to set up
            return
        self.query_one("#too-small").display = False
        self.query_one(f"#{self.BUTTONS[0][0]}", Button).focus()
        self.call_after_refresh(self._show_fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self._show_fit)

    def fully_shown(self) -> bool:
        """The whole summary and every button are on screen, uncut (as last drawn)."""
        try:
            for selector in ("#dialog-body", *(f"#{b[0]}" for b in self.BUTTONS)):
                geometry = self.find_widget(self.query_one(selector))
                if geometry.region.area == 0 or not geometry.clip.contains_region(geometry.region):
                    return False
        except (NoWidget, NoMatches):
            return False
        return True

    def _show_fit(self) -> None:
        """After a refresh, and so maybe after the dialog closed (a quick answer): then there is nothing to fit."""
        for warning in self.query("#too-small"):
            warning.display = not self.fully_shown()

    def shown_or_refused(self) -> bool:
        """True when the spending choice may go on; else say why (and ring)."""
        if self.fully_shown():
            return True
        for warning in self.query("#too-small"):
            warning.display = True
        self.app.bell()
        return False


class ConfirmScreen(PlanDialog[bool]):
    """What an action costs or refunds; Cancel is focused; `y` confirms, `n`/Escape cancel."""

    BINDINGS = [
        Binding("y", "confirm", "Confirm"),
        Binding("n", "cancel", "Cancel"),
        Binding("escape", "cancel", "Cancel", show=False),
    ]
    BUTTONS = (("cancel", "Cancel (n)", "default"), ("confirm", "Confirm (y)", "warning"))

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_confirm() if event.button.id == "confirm" else self.action_cancel()

    def action_confirm(self) -> None:
        if self.shown_or_refused():
            self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class ResumeDialog(PlanDialog[Choice | None]):
    """An earlier gentui's unsent generations, listed with the cost; Keep is focused; `y` resumes, `d`
    discards, `n`/Escape keep them for next time."""

    BINDINGS = [
        Binding("y", "choose('resume')", "Resume"),
        Binding("d", "choose('discard')", "Discard"),
        Binding("n", "keep", "Keep for later"),
        Binding("escape", "keep", "Keep for later", show=False),
    ]
    BUTTONS = (("keep", "Keep for later (n)", "default"), ("discard", "Discard (d)", "error"),
               ("resume", "Resume (y)", "warning"))
    CLASSES = "dialog wide"

    def on_button_pressed(self, event: Button.Pressed) -> None:
        choice = event.button.id
        self.action_choose(choice) if choice in ("resume", "discard") else self.action_keep()  # type: ignore[arg-type]

    def action_choose(self, choice: Choice) -> None:
        if choice == "discard" or self.shown_or_refused():  # discarding spends nothing
            self.dismiss(choice)

    def action_keep(self) -> None:
        self.dismiss(None)
