"""The card editor (`e`): the fields of the cell's generation type, validated, then regenerate."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from gentui.api import costs, vocab
from gentui.core.card import Card, CardError, missing_required, validate_card
from gentui.core.formatting import fmt_credits
from gentui.core.text import safe_text


class CardEditor(ModalScreen[Card | None]):
    """Edit a copy of the card; ctrl+s validates and returns it; Escape cancels."""

    BINDINGS = [
        Binding("ctrl+s", "submit", "Regenerate", priority=True),
        Binding("escape", "cancel", "Cancel", show=False),
    ]

    def __init__(self, card: Card, title: str) -> None:
        super().__init__()
        self.card, self.title_text = card, title
        self.specs = vocab.CARD_FIELDS.get(card.generation_type, ())

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="card-editor"):
            yield Label(Text(f"{self.title_text} — {self.card.generation_type}", style="bold"))
            with VerticalScroll(id="fields"):
                for spec in self.specs:
                    label = Text(spec.title + (" *" if spec.required else ""), style="bold" if spec.required else "")
                    if spec.help:
                        label.append(f"  {spec.help}", style="dim")
                    yield Label(label)
                    yield self._field(spec)
            yield Static("", id="estimate")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Regenerate… (ctrl+s)", id="submit", variant="warning")

    def _field(self, spec: vocab.FieldSpec) -> Any:
        value = self.card.data.get(spec.name)
        ident = f"f-{spec.name}"
        if spec.kind == "longtext":
            return TextArea(safe_text(value, 100_000) if value is not None else "", id=ident, soft_wrap=True,
                            classes="longtext")
        if spec.kind == "choice":
            choices = list(spec.choices)
            current = str(value) if value not in (None, "") else None
            if spec.name == "model" and current:
                current = vocab.canonical_model(current)
            if current and current not in choices:
                choices.append(current)  # keep a value the server knows and we do not
            return Select([(c, c) for c in choices], value=current if current else Select.NULL, id=ident,
                          allow_blank=True, prompt="(server default)")
        if spec.kind == "bool":
            return Checkbox(spec.title, value=bool(value), id=ident)
        text = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        return Input(safe_text(text, 2000), id=ident, placeholder="(blank: server's stored card)")

    def on_mount(self) -> None:
        self._update_estimate()
        first = self.query("#fields > *").exclude("Label").first()
        first.focus()

    def collect(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in self.specs:
            widget = self.query_one(f"#f-{spec.name}")
            if isinstance(widget, TextArea):
                value: Any = widget.text
            elif isinstance(widget, Select):
                value = None if widget.value is Select.NULL else widget.value
            elif isinstance(widget, Checkbox):
                value = widget.value if widget.value else None
            elif isinstance(widget, Input):
                value = widget.value
            else:
                raise TypeError(f"no value in {widget!r}")
            if value not in (None, ""):
                data[spec.name] = value
        known = {s.name for s in self.specs}
        data.update({k: v for k, v in self.card.data.items() if k not in known})
        return data

    def _update_estimate(self) -> None:
        data = self.collect()
        est = costs.estimate(self.card.generation_type, data.get("model"), data.get("duration"), data)
        text = Text(f"Estimated cost: ~{fmt_credits(est.credits)} credits ({est.basis})", style="bold")
        missing = missing_required(self.card.generation_type, data)
        if missing:
            text.append(f"\nBlank required fields come from the server's stored card: {', '.join(missing)}",
                        style="dim")
        self.query_one("#estimate", Static).update(text)

    def on_input_changed(self) -> None:
        self._update_estimate()

    def on_select_changed(self) -> None:
        self._update_estimate()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_submit() if event.button.id == "submit" else self.action_cancel()

    def action_submit(self) -> None:
        try:
            data = validate_card(self.card.generation_type, self.collect())
        except CardError as exc:
            self.query_one("#error", Static).update(Text(f"× {exc}", style="bold red"))
            return
        self.dismiss(self.card.with_data(data))

    def action_cancel(self) -> None:
        self.dismiss(None)
