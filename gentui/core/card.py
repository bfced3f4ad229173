"""A cell's card: the generation type and data that (re)generate it (gen-api.md part 0, "A cell's card").

No card object exists on the wire; it is assembled from, in order: the cell's or column's
`additional_attributes.generation_type`, the latest history entry's `user_job_type`, the column's
type. Data: the last card sent from this machine for the cell, else the cell's attributes mapped.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gentui.api import costs, vocab

#: additional_attributes key -> card data key; keys not listed are not part of the card.
_ATTRIBUTE_TO_DATA = {"ratio": "aspect_ratio", "lipSyncModel": "model", "model": "model", "duration": "duration",
                      # not documented as attributes, but kept when a server (or the web app) stores them there
                      "prompt": "prompt", "negative_prompt": "negative_prompt", "aspect_ratio": "aspect_ratio"}
# resource fields too (the simulator keeps a card's image_resource_id there): the editor names what they are
_ATTRIBUTE_TO_DATA.update({f.name: f.name for fields in vocab.CARD_FIELDS.values() for f in fields
                           if f.kind in ("id", "ids") and "resource_id" in f.name})
_DROPPED = {"textMode", "autoGenerate", "generation_type"}


@dataclass(frozen=True)
class Card:
    """What a cell is generated from: canonical type + data, and where we learnt it."""

    generation_type: str
    data: dict[str, Any] = field(default_factory=dict)
    type_source: str = "column"
    data_source: str = "none"

    @property
    def model(self) -> str | None:
        model = self.data.get("model")
        return vocab.canonical_model(str(model)) if model not in (None, "") else None

    @property
    def duration(self) -> Any:
        return self.data.get("duration")

    def estimate(self) -> Decimal:
        return costs.estimate_credits(self.generation_type, self.model, self.duration, self.data)

    def made(self, job_type: str) -> bool:
        """Whether a job of this canonical type can be this card's take. The wire name a card is sent
        under may read back as another type (an image-to-video card on a Veo model goes as
        `gemini_video_generation`, which reads back as video_from_text); unknown types count too."""
        sent_as = vocab.canonical_type(vocab.internal_type(self.generation_type, self.model))
        return job_type in (vocab.UNKNOWN, self.generation_type, sent_as)

    def body(self) -> tuple[str, dict[str, Any]]:
        """(canonical type, data) for a generate call; data is `{}` when nothing is known."""
        return self.generation_type, dict(self.data)

    def with_data(self, data: Mapping[str, Any], source: str = "edited") -> Card:
        return Card(self.generation_type, dict(data), self.type_source, source)


def _type_from_attributes(attributes: Mapping[str, Any] | None) -> str | None:
    if not attributes:
        return None
    raw = attributes.get("generation_type")
    if not raw:
        return None
    gt = vocab.canonical_type(str(raw), attributes.get("model"))
    return gt if gt != vocab.UNKNOWN else None


def card_type(
    cell_attributes: Mapping[str, Any] | None,
    column_attributes: Mapping[str, Any] | None,
    latest_user_job_type: str | None,
    column_type: str | None,
) -> tuple[str, str]:
    """(canonical generation type, source) for a cell, by the precedence of part 0."""
    for attrs, source in ((cell_attributes, "cell"), (column_attributes, "column")):
        gt = _type_from_attributes(attrs)
        if gt:
            return gt, source
    if latest_user_job_type:
        gt = vocab.canonical_type(latest_user_job_type)
        if gt not in (vocab.UNKNOWN, vocab.RENDER):
            return gt, "history"
    if column_type:
        gt = vocab.COLUMN_TYPE_DEFAULT.get(str(column_type).lower())
        if gt:
            return gt, "column type"
    return vocab.UNKNOWN, "unknown"


def data_from_attributes(attributes: Mapping[str, Any] | None) -> dict[str, Any]:
    """The card data that a cell's (or column's) attributes imply: ratio -> aspect_ratio, etc."""
    data: dict[str, Any] = {}
    for key, value in (attributes or {}).items():
        if key in _DROPPED or value in (None, ""):
            continue
        target = _ATTRIBUTE_TO_DATA.get(key)
        if target and target not in data:
            data[target] = value
    if "model" in data:
        data["model"] = vocab.canonical_model(str(data["model"]))
    if "aspect_ratio" in data:
        data["aspect_ratio"] = vocab.canonical_aspect(str(data["aspect_ratio"]))
    return data


def resolve_card(
    *,
    cell_attributes: Mapping[str, Any] | None,
    column_attributes: Mapping[str, Any] | None,
    latest_user_job_type: str | None,
    column_type: str | None,
    local_card: Card | None = None,
) -> Card:
    """The card of a cell. `local_card` is the last card this machine sent for it."""
    gt, type_source = card_type(cell_attributes, column_attributes, latest_user_job_type, column_type)
    if local_card is not None and gt in (local_card.generation_type, vocab.UNKNOWN):
        return Card(local_card.generation_type, dict(local_card.data), type_source, "sent from here")
    data = data_from_attributes(column_attributes)
    data.update(data_from_attributes(cell_attributes))
    return Card(gt, data, type_source, "attributes" if data else "none")


def attributes_patch(card: Card) -> dict[str, Any]:
    """What edit-and-regenerate PATCHes into the cell's attributes (free) so an as-is run reuses it.

    A type changed in the editor goes there too (`generation_type`, where the card's type is read
    first), so the next as-is regenerate keeps the new type with the card sent from here."""
    patch: dict[str, Any] = {}
    if card.type_source == "edited" and card.generation_type in vocab.CARD_FIELDS:
        patch["generation_type"] = card.generation_type
    if card.model:
        patch["lipSyncModel" if card.generation_type == vocab.LIPSYNC else "model"] = card.model
    if card.data.get("aspect_ratio"):
        patch["ratio"] = card.data["aspect_ratio"]
    if card.data.get("duration") not in (None, ""):
        patch["duration"] = card.data["duration"]
    return patch


class CardError(ValueError):
    """A card that the server would refuse; the message names the field."""


def validate_card(generation_type: str, data: Mapping[str, Any], *, require: bool = False) -> dict[str, Any]:
    """Check and normalise an edited card; returns clean data or raises CardError naming the field.

    With `require=False` a blank required field is allowed: the server fills it from the cell's
    stored card (CONTRACTS.md section 4), which is what an as-is regenerate relies on too.
    """
    specs = {f.name: f for f in vocab.CARD_FIELDS.get(generation_type, ())}
    if not specs:
        raise CardError(f"generation type {generation_type!r} cannot be edited here")
    clean: dict[str, Any] = {}
    for name, raw in data.items():
        spec = specs.get(name)
        if spec is None or raw is None or (isinstance(raw, str) and not raw.strip()):
            if spec is None and raw not in (None, ""):
                clean[name] = raw  # fields we do not know are kept as the server sent them
            continue
        value: Any = raw.strip() if isinstance(raw, str) and spec.kind != "longtext" else raw
        if spec.kind == "choice" and spec.choices and name == "model":
            value = vocab.canonical_model(str(value))
            if value not in spec.choices:
                raise CardError(f"model: {value!r} is not a model of {generation_type} ({', '.join(spec.choices)})")
        elif spec.kind == "choice" and spec.choices and str(value) not in spec.choices:
            if name == "aspect_ratio" and vocab.canonical_aspect(str(value)) in spec.choices:
                value = vocab.canonical_aspect(str(value))
            else:
                raise CardError(f"{spec.title}: {value!r} is not one of {', '.join(spec.choices)}")
        elif spec.kind == "int":
            try:
                value = int(str(value))
            except ValueError:
                raise CardError(f"{spec.title}: {value!r} is not a whole number") from None
            if name == "duration" and not vocab.DURATION_MIN <= value <= vocab.DURATION_MAX:
                raise CardError(f"duration: {value} s is outside {vocab.DURATION_MIN}-{vocab.DURATION_MAX} s")
            if value < 0:
                raise CardError(f"{spec.title}: must not be negative")
        elif spec.kind == "float":
            try:
                value = float(str(value))
            except ValueError:
                raise CardError(f"{spec.title}: {value!r} is not a number") from None
            if name == "temperature" and not 0.0 <= value <= 1.0:
                raise CardError("temperature: must be between 0.0 and 1.0")
        elif spec.kind == "ids" and isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        elif spec.kind == "bool" and isinstance(value, str):
            value = value.strip().lower() in ("1", "true", "yes", "on")
        clean[name] = value
    missing = missing_required(generation_type, clean)
    if require and missing:
        raise CardError(f"required: {', '.join(missing)}")
    return clean


def missing_required(generation_type: str, data: Mapping[str, Any]) -> list[str]:
    """Titles of the required fields of a type that `data` leaves blank."""
    return [f.title for f in vocab.CARD_FIELDS.get(generation_type, ()) if f.required and data.get(f.name) in (None, "", [])]
