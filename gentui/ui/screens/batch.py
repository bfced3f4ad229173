"""Mass regenerate: the plan dialog (card changes, cost, balance after) and the batch controls."""

from __future__ import annotations

import re
from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, TextArea

from gentui.api import vocab
from gentui.core.actions import Refusal
from gentui.core.batch import BatchPlan
from gentui.core.card import CardError, validate_card
from gentui.core.events import BatchProgress
from gentui.core.text import safe_text
from gentui.ui.widgets.batch_bar import progress_text

VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


def preview(template: str, variables: dict[str, str]) -> str:
    """The prompt as the server will expand it, as far as the engine's global variables tell."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), template)


class BatchDialog(ModalScreen[tuple[dict, str] | None]):
    """Optional card changes for every cell, then the plan; returns (overrides, "all" | "fit")."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("n", "cancel", "Cancel", show=False),
                Binding("y", "run_all", "Run all", show=False),  # typed text in a field stays text
                Binding("ctrl+s", "run_all", "Run", priority=True)]

    def __init__(self, title: str, generation_type: str | None, make_plan: Callable[[dict], BatchPlan],
                 variables: dict[str, str]) -> None:
        super().__init__()
        self.title_text, self.generation_type = title, generation_type
        self.make_plan, self.variables = make_plan, variables
        self.plan: BatchPlan | None = None

    def compose(self) -> ComposeResult:
        gt = self.generation_type
        with Vertical(classes="dialog wide tall"):
            yield Label(Text(self.title_text, style="bold"))
            with VerticalScroll():
                if gt and vocab.MODELS.get(gt):
                    yield Label("model (blank: each cell keeps its own)")
                    yield Select([(m, m) for m in vocab.MODELS[gt]], id="b-model", allow_blank=True,
                                 prompt="(keep)")
                if gt and any(f.name == "prompt" for f in vocab.CARD_FIELDS.get(gt, ())):
                    yield Label(Text("prompt template (blank: keep); {{variables}} are expanded by the server"))
                    yield TextArea("", id="b-prompt", soft_wrap=True)
                    yield Static("", id="b-preview")
                if gt in vocab.ASPECT_RATIOS:
                    yield Label("aspect ratio")
                    yield Select([(a, a) for a in vocab.ASPECT_RATIOS[gt]], id="b-aspect", allow_blank=True,
                                 prompt="(keep)")
                if gt in (vocab.VIDEO_FROM_TEXT, vocab.VIDEO_FROM_IMAGE, vocab.VIDEO_FROM_INGREDIENTS):
                    yield Label("duration (s)")
                    yield Input("", id="b-duration", placeholder="(keep)")
                if not gt:
                    yield Static(Text("Cells of several card types: each is regenerated with its own card.",
                                      style="dim"))
            yield Static("", id="b-plan")
            yield Static("", id="b-error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Run the part that fits", id="fit", variant="default")
                yield Button("Run all (ctrl+s)", id="all", variant="warning")

    def on_mount(self) -> None:
        self.replan()
        self.query_one("#cancel", Button).focus()

    def overrides(self) -> dict:
        out: dict = {}
        for ident, name in (("#b-model", "model"), ("#b-aspect", "aspect_ratio")):
            for select in self.query(ident).results(Select):
                if select.value is not Select.NULL:
                    out[name] = select.value
        for area in self.query("#b-prompt").results(TextArea):
            if area.text.strip():
                out["prompt"] = area.text
        for field in self.query("#b-duration").results(Input):
            if field.value.strip():
                out["duration"] = field.value.strip()
        return out

    def replan(self) -> None:
        error = self.query_one("#b-error", Static)
        try:
            overrides = self.overrides()
            if self.generation_type and overrides:
                overrides = {**overrides, **validate_card(self.generation_type, overrides)}
            self.plan = self.make_plan(overrides)
        except (CardError, Refusal) as exc:  # a refusal or a bad field: say it, keep the dialog
            error.update(Text(f"× {exc}", style="bold red"))
            self.plan = None
            self.query_one("#all", Button).disabled = True
            self.query_one("#fit", Button).disabled = True
            return
        error.update("")
        for area in self.query("#b-prompt").results(TextArea):
            shown = preview(area.text, self.variables) if area.text.strip() else ""
            self.query_one("#b-preview", Static).update(
                Text("preview: " + safe_text(shown, 400), style="dim") if shown else "")
        self.query_one("#b-plan", Static).update(Text("\n".join(self.plan.lines()), style="bold"))
        fits = self.plan.fitting()
        self.query_one("#all", Button).disabled = fits < len(self.plan.items)
        fit_button = self.query_one("#fit", Button)
        fit_button.disabled = fits in (0, len(self.plan.items))
        fit_button.display = not fit_button.disabled  # only when short of credits
        fit_button.label = f"Run the {fits} that fit"

    def on_input_changed(self) -> None:
        self.replan()

    def on_select_changed(self) -> None:
        self.replan()

    def on_text_area_changed(self) -> None:
        self.replan()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel" or self.plan is None:
            self.dismiss(None)
        else:
            self.dismiss((self.overrides(), event.button.id or "all"))

    def action_run_all(self) -> None:
        if self.plan is not None and not self.query_one("#all", Button).disabled:
            self.dismiss((self.overrides(), "all"))

    def action_cancel(self) -> None:
        self.dismiss(None)


class BatchControl(ModalScreen[str | None]):
    """While a batch runs: pause, resume, cancel."""

    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, progress: BatchProgress) -> None:
        super().__init__()
        self.progress = progress

    def compose(self) -> ComposeResult:
        p = self.progress
        with Vertical(classes="dialog"):
            yield Label(Text("Batch", style="bold"))
            yield Static(progress_text(p))
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close")
                if p.state == "paused":
                    yield Button("Resume", id="resume", variant="warning")
                else:
                    yield Button("Pause", id="pause")
                yield Button("Cancel batch", id="cancel", variant="error")

    def on_mount(self) -> None:
        self.query_one("#close", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(None if event.button.id == "close" else event.button.id)

    def action_close(self) -> None:
        self.dismiss(None)
