"""The card editor (`e`): the card's type and its fields, validated, ids checked, then regenerate.

The type can change (fields and estimate follow); the model list shows each model's estimate for the
duration; `pick_asset` (ctrl+o) picks for the focused resource field (else the card's first); typed ids
are checked with the server first; Escape over an edited card asks before throwing the edit away."""

from __future__ import annotations

import asyncio
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static

from gentui.action_table import ACTIONS
from gentui.api import costs, vocab
from gentui.core.assets import LIST_FIELDS, RESOURCE_FIELDS, Asset, AssetCatalog, AssetIdError, ids_of, resource_fields
from gentui.core.card import Card, CardError, missing_required, validate_card
from gentui.core.formatting import fmt_credits
from gentui.ui.screens.card_fields import (
    EDITABLE_TYPES,
    DiscardDialog,
    carry_over,
    edited_words,
    field_widgets,
    ids_text,
    model_options,
    widget_value,
)


def editor_bindings() -> list[Binding]:
    """The card editor's rows of the action table (`pick_asset`), each running the editor's own action."""
    return [Binding(s.key, s.textual_action, s.description, show=s.show, priority=s.priority, id=s.id.value)
            for s in ACTIONS if s.scope == "editor"]


class CardEditor(ModalScreen[Card | None]):
    """Edit a copy of the card; ctrl+s validates, checks typed ids and returns it; Escape cancels (asking
    when something was edited)."""

    HELP = """
## Card editor
- **type**: change the generation type; shared fields carry over, the estimate follows
- **model**: each model with its estimate for the chosen duration
- **ctrl+o** (`pick_asset`): pick a file for the focused resource field (else the first one)
- **ctrl+s**: check the card (ids typed by hand are checked with the server), then regenerate
- **Escape**: cancel (asks when something was edited)
"""
    DEFAULT_CSS = """
    CardEditor #type-row { height: auto; }
    CardEditor #type-row Label { padding: 1 1 0 0; }
    CardEditor #type-row Select { width: 36; }
    CardEditor .picked { height: auto; padding: 0 2; }
    """
    BINDINGS = [
        Binding("ctrl+s", "submit", "Regenerate", priority=True),
        Binding("escape", "cancel", "Cancel", show=False),
        *editor_bindings(),
    ]

    def __init__(self, card: Card, title: str, *, assets: AssetCatalog | None = None) -> None:
        super().__init__()
        self.card, self.title_text, self.assets = card, title, assets
        self.generation_type = self.start_type = card.generation_type
        self.retyping = False  # the fields are being swapped for another type's (keys wait for it)
        self.start_data: dict[str, Any] = {}  # the fields as they opened, to know what was edited
        self._duration: object = card.duration
        self._checking = False
        # type swaps: not before the fields first mounted, one at a time, the last asked winning
        self._ready, self._swap, self._wanted = asyncio.Event(), asyncio.Lock(), card.generation_type

    @property
    def specs(self) -> tuple[vocab.FieldSpec, ...]:
        return vocab.CARD_FIELDS.get(self.generation_type, ())

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="card-editor"):
            yield Label(Text(self.title_text, style="bold"))
            types = list(EDITABLE_TYPES)
            with Horizontal(id="type-row"):
                yield Label(Text("type ", style="bold"))
                known = self.generation_type in types
                yield Select([(t, t) for t in types], id="type", allow_blank=not known, prompt="(choose a type)",
                             value=self.generation_type if known else Select.NULL)
            with VerticalScroll(id="fields"):
                for spec in self.specs:
                    yield from field_widgets(spec, self.card.data.get(spec.name), self.generation_type, self.card.data)
            yield Static("", id="estimate")
            yield Static("", id="error")
            with Horizontal(classes="buttons"):
                yield Button("Cancel", id="cancel")
                yield Button("Regenerate… (ctrl+s)", id="submit", variant="warning")

    def on_mount(self) -> None:
        self.start_data = self.collect()
        self._update_estimate()
        self._focus_first()
        self.describe_ids()
        self._ready.set()

    def _focus_first(self) -> None:
        first = self.query("#fields > *").exclude("Label").exclude(".picked").first()
        first.focus()

    # --- the card as edited ---------------------------------------------------------------------------
    def collect(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for spec in self.specs:
            value = widget_value(self.query_one(f"#f-{spec.name}"))
            if value not in (None, ""):
                data[spec.name] = value
        known = {s.name for s in self.specs}
        data.update({k: v for k, v in self.card.data.items() if k not in known and k not in data})
        return data

    def _update_estimate(self) -> None:
        data = self.collect()
        if data.get("duration") != self._duration:
            self._duration = data.get("duration")
            self._refresh_models(data)
        est = costs.estimate(self.generation_type, data.get("model"), data.get("duration"), data)
        text = Text(f"Estimated cost: ~{fmt_credits(est.credits)} credits ({est.basis})", style="bold")
        missing = missing_required(self.generation_type, data)
        if missing and self.generation_type != self.start_type:
            text.append(f"\nRequired for {self.generation_type}: {', '.join(missing)}", style="bold")
        elif missing:
            text.append(f"\nBlank required fields come from the server's stored card: {', '.join(missing)}",
                        style="dim")
        self.query_one("#estimate", Static).update(text)

    def _refresh_models(self, data: dict[str, Any]) -> None:
        """The model list's estimates follow the duration (the selection stays)."""
        found = self.query("#f-model")
        if not found:
            return
        select = found.first(Select)
        current = select.value
        extra = str(current) if current is not Select.NULL else None
        with select.prevent(Select.Changed):
            select.set_options(model_options(self.generation_type, data.get("duration"), data, extra))
            if extra is not None:
                select.value = extra

    def on_input_changed(self, event: Input.Changed) -> None:
        self._update_estimate()
        name = (event.input.id or "").removeprefix("f-")
        if name in RESOURCE_FIELDS:
            self._show_ids(name)  # an id typed by hand shows nothing until checked (when the card is sent)

    def on_text_area_changed(self) -> None:
        self._update_estimate()

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id == "type":
            if event.value is not Select.NULL and event.value != self._wanted:  # the type last asked for
                self._wanted = str(event.value)  # now, not when the worker starts: the next change compares to it
                self.change_type(self._wanted)
            return
        self._update_estimate()

    # --- the type ------------------------------------------------------------------------------------
    @work(group="card-type", exit_on_error=False)
    async def change_type(self, new_type: str) -> None:
        """Fields follow the type; shared fields carry over; the estimate follows. Fields removed while still
        mounting (a swap right as the editor opened, or one cancelled by the next) crashed on render."""
        await self._ready.wait()
        async with self._swap:
            if new_type != self._wanted or new_type == self.generation_type:
                return  # a later change supersedes this one, or it is already done
            data = carry_over(self.generation_type, new_type, self.collect())
            self.card = Card(new_type, data, "edited", "edited")
            self.generation_type, self.retyping = new_type, True
            fields = self.query_one("#fields", VerticalScroll)
            for old in fields.children:  # hidden for a frame first: never drawn once removed
                old.display = False
            refreshed: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            self.call_after_refresh(refreshed.set_result, None)
            await refreshed
            await fields.remove_children()
            await fields.mount_all([w for spec in self.specs for w in field_widgets(spec, data.get(spec.name), new_type, data)])
            self.retyping = False
        self._duration = data.get("duration")
        self._update_estimate()
        self.query_one("#error", Static).update("")
        self.describe_ids()

    # --- assets --------------------------------------------------------------------------------------
    def _target_field(self) -> str | None:
        focused = self.focused
        name = (focused.id or "").removeprefix("f-") if focused is not None else ""
        if name in RESOURCE_FIELDS and name in {s.name for s in self.specs}:
            return name
        fields = resource_fields(self.generation_type)
        return fields[0] if fields else None

    def action_pick_asset(self) -> None:
        from gentui.ui.screens.asset_picker import AssetPicker

        if self.retyping:
            return  # the fields are being swapped: a pick now would land in a field that is going
        name = self._target_field()
        if name is None:
            self.notify(f"{self.generation_type} cards have no resource field to pick for", severity="warning")
            return
        if self.assets is None:
            self.notify("no asset library here: type the id", severity="warning")
            return
        title = next(s.title for s in self.specs if s.name == name)
        self.app.push_screen(AssetPicker(self.assets, name, title), lambda asset: self.picked(name, asset))

    def picked(self, name: str, asset: Asset | None) -> None:
        if asset is None:
            return
        if self.assets is not None:
            self.assets.known[asset.id] = asset  # named as it was picked (a row output, not its library entry)
        field = self.query_one(f"#f-{name}", Input)
        ids = ids_of(field.value) if name in LIST_FIELDS else []  # a list gathers picks; one id is replaced
        field.value = ", ".join(ids if asset.id in ids else [*ids, asset.id])
        field.focus()
        self._show_ids(name)

    def _show_ids(self, name: str) -> None:
        """The line under a resource field: what its ids are (kind, where, name), never bare numbers."""
        if self.assets is None or not self.query(f"#d-{name}"):
            return
        self.query_one(f"#d-{name}", Static).update(ids_text(ids_of(self.query_one(f"#f-{name}", Input).value),
                                                            self.assets))

    @work(group="card-ids", exclusive=True, exit_on_error=False)
    async def describe_ids(self) -> None:
        """Say what the ids the card came with are (the server's names for them)."""
        if self.assets is None:
            return
        data = self.collect()
        for name in resource_fields(self.generation_type):
            for resource_id in ids_of(data.get(name))[:8]:
                await self.assets.describe(resource_id)
            self._show_ids(name)

    # --- leaving -------------------------------------------------------------------------------------
    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.action_submit() if event.button.id == "submit" else self.action_cancel()

    def action_submit(self) -> None:
        try:
            # a new type has no stored card on the server to fill its blank required fields
            data = validate_card(self.generation_type, self.collect(), require=self.generation_type != self.start_type)
        except CardError as exc:
            self.query_one("#error", Static).update(Text(f"× {exc}", style="bold red"))
            return
        if self.assets is None:
            self.dismiss(self.card_with(data))
        elif not self._checking:
            self.check_and_send(data)

    def card_with(self, data: dict[str, Any]) -> Card:
        if self.generation_type != self.card.generation_type or self.card.type_source == "edited":
            return Card(self.generation_type, data, "edited", "edited")
        return self.card.with_data(data)

    @work(group="card-ids", exclusive=True, exit_on_error=False)
    async def check_and_send(self, data: dict[str, Any]) -> None:
        """Ids typed by hand are checked with the server first; a bad one is refused, nothing sent."""
        assert self.assets is not None
        self._checking = True
        error = self.query_one("#error", Static)
        error.update(Text("checking the resource ids with the server…", style="dim"))
        trusted = [i for name in RESOURCE_FIELDS for i in ids_of(self.start_data.get(name))]
        try:
            await self.assets.check_ids(data, trusted)
        except AssetIdError as exc:
            error.update(Text(f"× {exc}", style="bold red"))
            return
        finally:
            self._checking = False
        error.update("")
        self.dismiss(self.card_with(data))

    def edited(self) -> str:
        """What was edited since the editor opened, in words ("" when nothing)."""
        return "the type" if self.generation_type != self.start_type else edited_words(self.start_data, self.collect())

    def action_cancel(self) -> None:
        what = self.edited()
        if not what:
            self.dismiss(None)
            return

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(DiscardDialog(what), decided)
