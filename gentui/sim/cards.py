"""A generate request's body, resolved against the cell's stored card and validated.

The stored card of a cell is, lowest precedence first: the column's attributes (model, ratio,
duration), card fields kept in the cell's attributes (`prompt`, `script`, ...), the cell's last
card, then the cell's configured `model` / `ratio` / `duration` / `lipSyncModel`. Fields in the
request's `data` win over all of it; `null` or `""` in the request means "use the stored one".
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gentui.api import costs, vocab
from gentui.sim.errors import validation
from gentui.sim.model import Cell, Column

#: additional_attributes key -> card data key (gen-api.md A7.3)
CONFIG_KEYS = {"model": "model", "lipSyncModel": "model", "ratio": "aspect_ratio", "duration": "duration"}
#: card fields that can sit in a cell's attributes (the simulator's own "stored card")
FREE_KEYS = frozenset(f.name for specs in vocab.CARD_FIELDS.values() for f in specs) - {"model", "aspect_ratio", "duration"}
EXPANDED_FIELDS = ("prompt", "negative_prompt", "script")
_VARIABLE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")


@dataclass(frozen=True)
class Resolved:
    """What a generate will create: canonical type, model, data (stored and expanded) and pre-charge."""

    kind: str
    model: str | None
    card: dict[str, Any]
    data: dict[str, Any]
    precharge: Decimal


def _config(attrs: dict[str, Any]) -> dict[str, Any]:
    return {CONFIG_KEYS[k]: v for k, v in attrs.items() if k in CONFIG_KEYS and v not in (None, "")}


def stored_type(cell: Cell, column: Column, last_kind: str | None) -> str:
    """The cell's card type: attributes, else its last card, else its history, else the column type."""
    for attrs in (cell.additional_attributes, column.additional_attributes):
        raw = attrs.get("generation_type")
        if raw:
            kind = vocab.canonical_type(str(raw), attrs.get("model"))
            if kind not in (vocab.UNKNOWN, vocab.RENDER):
                return kind
    if cell.card_type:
        return cell.card_type
    if last_kind and last_kind not in (vocab.UNKNOWN, vocab.RENDER):
        return last_kind
    return vocab.COLUMN_TYPE_DEFAULT.get(column.type, vocab.TEXT)


def stored_card(cell: Cell, column: Column) -> dict[str, Any]:
    card = _config(column.additional_attributes)
    attrs = cell.additional_attributes
    card.update({k: v for k, v in attrs.items() if k in FREE_KEYS and v not in (None, "")})
    card.update(cell.card)
    card.update(_config(attrs))
    return card


def resolve_type(given: Any, stored: str, model: Any) -> str:
    if not isinstance(given, str) or not given.strip():
        raise validation("generation_type must be a non-empty string")
    name = given.strip()
    if name in vocab.CANONICAL_TYPES:
        return name
    if vocab.internal_type(stored, model) == name:
        return stored  # e.g. gemini_video_generation for a video_from_image cell
    kind = vocab.canonical_type(name, model)
    if kind in (vocab.UNKNOWN, vocab.RENDER):
        raise validation(f"unknown generation_type {name!r}")
    return kind


def _duration(value: Any) -> int:
    if isinstance(value, bool):
        raise validation("duration must be an integer from 1 to 10")
    if isinstance(value, int):
        n = value
    elif isinstance(value, str) and value.strip().isdigit():
        n = int(value.strip())
    else:
        raise validation("duration must be an integer from 1 to 10")
    if not vocab.DURATION_MIN <= n <= vocab.DURATION_MAX:
        raise validation(f"duration must be an integer from 1 to 10, not {n}")
    return n


def _resource_id(item: Any) -> int | None:
    if isinstance(item, bool):
        return None
    if isinstance(item, int):
        return item
    return int(item.strip()) if isinstance(item, str) and item.strip().isdigit() else None


def check_resources(card: dict[str, Any], known: Callable[[int], bool]) -> None:
    """Every `*_resource_id` / `*_resource_ids` field names content resources that exist (422 naming the field)."""
    for name, value in card.items():
        if name.endswith("_resource_id"):
            values, single = [value], True
        elif name.endswith("_resource_ids"):
            if not isinstance(value, list):
                raise validation(f"{name} must be a list of content resource ids")
            values, single = value, False
        else:
            continue
        for item in values:
            rid = _resource_id(item)
            if rid is None:
                what = "a content resource id" if single else "a list of content resource ids"
                raise validation(f"{name} must be {what}, not {item!r}")
            if not known(rid):
                raise validation(f"{name}: content resource {rid} not found")


def expand(text: str, variables: dict[str, str]) -> str:
    """`{{name}}` -> the variable's value; unknown names stay as written."""
    return _VARIABLE.sub(lambda m: str(variables.get(m.group(1), m.group(0))), text)


def resolve(body: Any, cell: Cell, column: Column, last_kind: str | None, variables: dict[str, str],
            known: Callable[[int], bool] | None = None) -> Resolved:
    """Validate a generate body (422 validation_error) and fill it from the cell's stored card;
    with `known`, every resource id in the card must name an existing content resource."""
    if not isinstance(body, dict):
        raise validation("the body must be a JSON object")
    given = body.get("data")
    if given is None:
        given = {}
    if not isinstance(given, dict):
        raise validation("data must be an object")
    stored = stored_type(cell, column, last_kind)
    kind = stored if body.get("generation_type") in (None, "") else resolve_type(body["generation_type"], stored, given.get("model"))
    card = stored_card(cell, column) if kind == stored else {}
    card.update({k: v for k, v in given.items() if v is not None and v != ""})
    model = card.get("model")
    if model is not None:
        model = vocab.canonical_model(str(model))
        if vocab.MODELS.get(kind) and model not in vocab.MODELS[kind]:
            raise validation(f"unknown model {card['model']!r} for {kind}")
        card["model"] = model
    if card.get("duration") is not None:
        card["duration"] = _duration(card["duration"])
    missing = [name for name in vocab.required_fields(kind) if card.get(name) in (None, "", [])]
    if missing:
        raise validation(f"missing required field: {', '.join(missing)}")
    if known is not None:
        check_resources(card, known)
    names = dict(variables)
    if isinstance(card.get("variables"), dict):
        names.update({str(k): str(v) for k, v in card["variables"].items()})
    data = dict(card)
    for name in EXPANDED_FIELDS:
        if isinstance(data.get(name), str):
            data[name] = expand(data[name], names)
    precharge = costs.estimate(kind, model, card.get("duration"), card).credits
    return Resolved(kind, model, card, data, precharge)
