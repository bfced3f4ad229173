"""Scalar coercions for the wire models: ids, text, money, timestamps, lists that tolerate bad items.

Each function takes whatever JSON the server sent and returns the value gentui keeps, or ``None`` /
an empty container for something unusable: a bad optional value never fails a whole payload.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator
from pydantic import ValidationError as PydanticValidationError

# --- scalar coercions ---------------------------------------------------------------------------


def to_id(value: Any) -> Any:
    """Ids arrive as int or str; keep them as str. Anything else is left for pydantic to refuse."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return value.strip()
    return value


def to_opt_str(value: Any) -> str | None:
    """A string field: null stays None, numbers become text, objects become compact JSON."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


MONEY_LIMIT = Decimal(10) ** 15  # credits: no real balance or cost comes near; far inside Decimal's 28 digits


def to_money(value: Any) -> Decimal | None:
    """A JSON number or decimal string as Decimal; floats go through str() so 2.5 stays 2.5.

    Unknown is ``None``, never zero: null, a bool, text that is not a number, NaN, infinity and
    anything beyond +/-`MONEY_LIMIT` (``"1e400"``, ``-1e308``) are unknown, so every figure gentui
    keeps is finite and small enough for exact arithmetic and display."""
    number: Decimal | None = None
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal):
        number = value
    elif isinstance(value, int):
        if abs(value) > MONEY_LIMIT:
            return None
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(str(value)) if math.isfinite(value) else None
    elif isinstance(value, str):
        text = value.strip().replace(",", "")
        if not text or len(text) > 100:
            return None
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
    if number is None or not number.is_finite() or abs(number) > MONEY_LIMIT:
        return None
    return number


def to_cost(value: Any) -> Decimal | None:
    """What a generation cost: money that is not negative (a negative cost is unknown, not a refund)."""
    number = to_money(value)
    return None if number is None or number < 0 else number


def to_datetime(value: Any) -> datetime | None:
    """ISO-8601 text, epoch milliseconds or epoch seconds (number or numeric text) -> aware datetime."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, str):
        return _text_datetime(value)
    if isinstance(value, (int, float)):
        return _epoch_datetime(value)
    return None


@lru_cache(maxsize=4096)
def _text_datetime(value: str) -> datetime | None:
    text = value.strip()
    if len(text) >= 10 and text[4:5] == "-":  # ISO-8601 (3.11 reads "Z" and fractions)
        try:
            parsed = datetime.fromisoformat(text)
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    try:
        return _epoch_datetime(float(text))
    except ValueError:
        return None


def _epoch_datetime(value: float) -> datetime | None:
    if not math.isfinite(value):
        return None
    seconds = value / 1000.0 if abs(value) >= 100_000_000_000 else float(value)  # ms vs s
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        return None


def to_dict(value: Any) -> dict:
    return dict(value) if isinstance(value, dict) else {}


def to_int(value: Any) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(str(value).strip())
    except ValueError:
        return None
    return int(number) if math.isfinite(number) else None


def lenient_list(model: type[BaseModel]) -> Callable[[Any], list]:
    """A list of `model`: non-objects and items that fail validation are dropped, not fatal."""

    def parse(value: Any) -> list:
        if not isinstance(value, list):
            return []
        items = []
        for item in value:
            if isinstance(item, model):
                items.append(item)
                continue
            if not isinstance(item, dict):
                continue
            try:
                items.append(model.model_validate(item))
            except PydanticValidationError:
                continue
        return items

    return parse


def optional_model(model: type[BaseModel]) -> Callable[[Any], Any]:
    def parse(value: Any) -> Any:
        if isinstance(value, model):
            return value
        if not isinstance(value, dict):
            return None
        try:
            return model.model_validate(value)
        except PydanticValidationError:
            return None

    return parse


Id = Annotated[str, BeforeValidator(to_id)]
OptId = Annotated[str | None, BeforeValidator(lambda v: None if v is None or v == "" else to_id(v))]
OptStr = Annotated[str | None, BeforeValidator(to_opt_str)]
Text = Annotated[str, BeforeValidator(lambda v: to_opt_str(v) or "")]
Money = Annotated[Decimal | None, BeforeValidator(to_money)]
Cost = Annotated[Decimal | None, BeforeValidator(to_cost)]
Timestamp = Annotated[datetime | None, BeforeValidator(to_datetime)]
Attrs = Annotated[dict, BeforeValidator(to_dict)]
OptInt = Annotated[int | None, BeforeValidator(to_int)]
OptDict = Annotated[dict | None, BeforeValidator(lambda v: v if isinstance(v, dict) else None)]
LowerStr = Annotated[str | None, BeforeValidator(lambda v: (to_opt_str(v) or "").strip().lower() or None)]


def variables_dict(value: Any) -> dict[str, str]:
    """Global variables from `{id, variables:[{key, value}]}` (docs), an array of `{id, key, value}` (SDK),
    one `{id, key, value}`, a plain dict, or null."""
    if isinstance(value, dict) and "variables" in value:
        value = value["variables"]
    elif isinstance(value, dict) and "key" in value and "value" in value:
        value = [value]
    out: dict[str, str] = {}
    if isinstance(value, list):
        for item in value:
            if isinstance(item, dict):
                key = to_opt_str(item.get("key", item.get("name")))
                if key:
                    out[key] = to_opt_str(item.get("value")) or ""
    elif isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, (str, int, float, Decimal)) or item is None:
                out[str(key)] = to_opt_str(item) or ""
    return out
