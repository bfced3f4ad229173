"""The card editor's parts: one widget per card field, the model list with estimates, the discard question."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Label, Select, Static, TextArea

from gentui.api import costs, vocab
from gentui.core.assets import LIST_FIELDS, RESOURCE_FIELDS, AssetCatalog
from gentui.core.formatting import fmt_credits
from gentui.core.text import safe_text

EDITABLE_TYPES: tuple[str, ...] = tuple(t for t in vocab.CANONICAL_TYPES if vocab.CARD_FIELDS.get(t))


def model_options(generation_type: str, duration: Any, data: Mapping[str, Any],
                  extra: str | None = None) -> list[tuple[Text, str]]:
    """The model list, each with its estimate for the chosen duration (and a value the server knows, kept)."""
    choices = list(vocab.MODELS.get(generation_type, ()))
    if extra and extra not in choices:
        choices.append(extra)
    options = []
    for model in choices:
        est = costs.estimate(generation_type, model, duration, dict(data))
        label = Text(model.ljust(18)) + Text(f" ~{fmt_credits(est.credits)} cr", style="dim")
        options.append((label, model))
    return options


def field_widgets(spec: vocab.FieldSpec, value: Any, generation_type: str, data: Mapping[str, Any]) -> list[Widget]:
    """The label, the input and (for a resource field) the line saying what its ids are."""
    label = Text(spec.title + (" *" if spec.required else ""), style="bold" if spec.required else "")
    if spec.name in RESOURCE_FIELDS:
        label.append("  ctrl+o picks a file", style="dim")
    elif spec.help:
        label.append(f"  {spec.help}", style="dim")
    out: list[Widget] = [Label(label)]
    ident = f"f-{spec.name}"
    if spec.kind == "longtext":
        out.append(TextArea(safe_text(value, 100_000) if value is not None else "", id=ident, soft_wrap=True,
                            classes="longtext"))
    elif spec.kind == "choice":
        current = str(value) if value not in (None, "") else None
        if spec.name == "model":
            current = vocab.canonical_model(current) if current else None
            options: list[tuple[Text | str, str]] = list(
                model_options(generation_type, data.get("duration"), data, current))
        else:
            choices = list(spec.choices)
            if current and current not in choices:
                choices.append(current)  # keep a value the server knows and we do not
            options = [(c, c) for c in choices]
        out.append(Select(options, value=current if current else Select.NULL, id=ident, allow_blank=True,
                          prompt="(server default)"))
    elif spec.kind == "bool":
        out.append(Checkbox(spec.title, value=bool(value), id=ident))
    else:
        text = ", ".join(map(str, value)) if isinstance(value, list) else ("" if value is None else str(value))
        hint = "ids, comma-separated" if spec.name in LIST_FIELDS else "an id"
        placeholder = f"ctrl+o to pick, or {hint}" if spec.name in RESOURCE_FIELDS else "(blank: server's stored card)"
        out.append(Input(safe_text(text, 2000), id=ident, placeholder=placeholder))
    if spec.name in RESOURCE_FIELDS:
        out.append(Static("", id=f"d-{spec.name}", classes="picked"))
    return out


def widget_value(widget: Widget) -> Any:
    """What a field widget holds, as the card wants it (None: blank)."""
    if isinstance(widget, TextArea):
        return widget.text
    if isinstance(widget, Select):
        return None if widget.value is Select.NULL else widget.value
    if isinstance(widget, Checkbox):
        return widget.value if widget.value else None
    if isinstance(widget, Input):
        return widget.value
    raise TypeError(f"no value in {widget!r}")


def ids_text(ids: list[str], assets: AssetCatalog) -> Text:
    """The line under a resource field: what its ids are (kind, where, name), never bare numbers."""
    text = Text()
    for i in ids:
        if i in assets.known:
            text.append(f"{chr(10) if text else ''}▸ {assets.known[i].label}  (id {i})", style="green")
        elif i in assets.missing:
            text.append(f"{chr(10) if text else ''}? id {i}: the server lists no such content resource", style="yellow")
    return text


def edited_words(before: Mapping[str, Any], now: Mapping[str, Any]) -> str:
    """What changed between two cards' data, in words: a prompt first ("the prompt and 2 more"); "" for nothing."""
    changed = [k for k in {*now, *before} if now.get(k) != before.get(k)]
    if not changed:
        return ""
    prompts = [k for k in changed if "prompt" in k or k == "script"]
    return "the " + (prompts[0] if prompts else changed[0]).replace("_", " ") + (
        f" and {len(changed) - 1} more" if len(changed) > 1 else "")


def carry_over(old_type: str, new_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """The card data for a new type: the fields both types share, and what neither type names (kept as
    it came); a model the new type does not offer becomes its default model."""
    old_names = {f.name for f in vocab.CARD_FIELDS.get(old_type, ())}
    new_specs = {f.name: f for f in vocab.CARD_FIELDS.get(new_type, ())}
    out = {k: v for k, v in data.items() if k in new_specs or k not in old_names}
    if "model" in new_specs:
        model = out.get("model")
        if model is None or vocab.canonical_model(str(model)) not in vocab.MODELS.get(new_type, ()):
            default = vocab.DEFAULT_MODEL.get(new_type)
            if default:
                out["model"] = default
            else:
                out.pop("model", None)
    for name, spec in new_specs.items():
        if spec.kind == "choice" and name != "model" and name in out and str(out[name]) not in spec.choices:
            out.pop(name)  # e.g. an image aspect ratio a video type does not take
    return out


class DiscardDialog(ModalScreen[bool]):
    """Escape over an edited card: `y` throws the edit away; `n`, Escape or the focused Keep button keep it."""

    BINDINGS = [
        Binding("y", "discard", "Discard"),
        Binding("n", "keep", "Keep editing"),
        Binding("escape", "keep", "Keep editing", show=False),
    ]

    def __init__(self, what: str) -> None:
        super().__init__()
        self.what = what

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="discard-dialog"):
            yield Label(Text("Discard the edited card?", style="bold"))
            yield Static(Text(f"You changed {self.what}. Escape again or n keeps editing.", style="dim"), id="what")
            with Horizontal(classes="buttons"):
                yield Button("Keep editing (n)", id="keep")
                yield Button("Discard (y)", id="discard", variant="error")

    def on_mount(self) -> None:
        self.query_one("#keep", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_discard() if event.button.id == "discard" else self.action_keep()

    def action_discard(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)
