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
from gentui.core.formatting import fmt_credits, plural
from gentui.core.text import safe_text
from gentui.core.views import CellKey
from gentui.ui.screens.plan_dialogs import BUTTONS_CSS
from gentui.ui.widgets.batch_bar import progress_text

CELLS_SHOWN = 500  # cells listed in the plan dialog (the rest are counted)
VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}")


def preview(template: str, variables: dict[str, str]) -> str:
    """The prompt as the server will expand it, as far as the engine's global variables tell."""
    return VARIABLE.sub(lambda m: variables.get(m.group(1), m.group(0)), template)


class BatchDialog(ModalScreen[tuple[dict, str] | None]):
    """Optional card changes for every cell, then the plan; returns (overrides, "all" | "fit")."""

    BINDINGS = [Binding("escape", "cancel", "Cancel"), Binding("n", "cancel", "Cancel", show=False),
                Binding("y", "run_all", "Run all", show=False),  # typed text in a field stays text
                Binding("ctrl+s", "run_all", "Run", priority=True)]

    DEFAULT_CSS = """
    BatchDialog #b-body { height: 1fr; min-height: 6; }
    BatchDialog #b-prompt { height: 5; min-height: 3; }
    BatchDialog #b-cells { height: auto; color: $text-muted; }
    """ + BUTTONS_CSS.replace("PlanDialog", "BatchDialog")

    def __init__(self, title: str, generation_type: str | None, make_plan: Callable[[dict], BatchPlan],
                 variables: dict[str, str], where: Callable[[CellKey], str] | None = None) -> None:
        super().__init__()
        self.title_text, self.generation_type = title, generation_type
        self.make_plan, self.variables = make_plan, variables
        self.where = where or (lambda key: f"{key[0]} {key[1]}")
        self.plan: BatchPlan | None = None

    def compose(self) -> ComposeResult:
        gt = self.generation_type
        with Vertical(classes="dialog wide tall"):
            yield Label(Text(self.title_text, style="bold"))
            with VerticalScroll(id="b-body"):  # everything but the title and the buttons scrolls
                if gt and vocab.MODELS.get(gt):
                    yield Static("model (blank: each cell keeps its own)")
                    yield Select([(m, m) for m in vocab.MODELS[gt]], id="b-model", allow_blank=True,
                                 prompt="(keep)")
                if gt and any(f.name == "prompt" for f in vocab.CARD_FIELDS.get(gt, ())):
                    yield Static(Text("prompt template (blank: keep); the server expands {{variables}}"))
                    yield TextArea("", id="b-prompt", soft_wrap=True)
                    yield Static("", id="b-preview")
                if gt in vocab.ASPECT_RATIOS:
                    yield Static("aspect ratio")
                    yield Select([(a, a) for a in vocab.ASPECT_RATIOS[gt]], id="b-aspect", allow_blank=True,
                                 prompt="(keep)")
                if gt in (vocab.VIDEO_FROM_TEXT, vocab.VIDEO_FROM_IMAGE, vocab.VIDEO_FROM_INGREDIENTS):
                    yield Static("duration (s)")
                    yield Input("", id="b-duration", placeholder="(keep)")
                if not gt:
                    yield Static(Text("Cells of several card types: each is regenerated with its own card.",
                                      style="dim"))
                yield Static("", id="b-plan")
                yield Static("", id="b-error")
                yield Static("", id="b-cells")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Run the part that fits", id="fit", variant="default")
                yield Button("Run all (ctrl+s)", id="all", variant="warning")

    def cell_lines(self) -> list[str]:
        """The cells the plan runs, one line each: where, the card type and model, the estimate."""
        items = self.plan.items if self.plan is not None else []
        lines = [f"{'Cells' if len(items) != 1 else 'Cell'} it runs:"]
        for item in items[:CELLS_SHOWN]:
            card = item.card
            model = f" {card.model}" if card.model else ""
            label = vocab.TYPE_LABELS.get(card.generation_type, card.generation_type)
            lines.append(f"  · {self.where(item.key)}: {label}{model}, ~{fmt_credits(item.estimate)}")
        if len(items) > CELLS_SHOWN:
            lines.append(f"  … and {plural(len(items) - CELLS_SHOWN, 'more cell')}")
        return lines

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
        self.query_one("#b-cells", Static).update(Text("\n".join(safe_text(line, 300) for line in self.cell_lines())))
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

    DEFAULT_CSS = BUTTONS_CSS.replace("PlanDialog", "BatchControl")

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
