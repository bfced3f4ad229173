"""What the API's answers look like, without any HTTP: records for the API log, the answer shapes
of part C of gen-api.md (bare or wrapped, lists or objects), and why an answer could not be read.

The core and the UI import these; only `gentui.api.transport` and `gentui.api.client` need httpx, so
the screen can be drawn before the HTTP stack is imported.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from gentui.api import errors
from gentui.api.models import Generation


def check_key(api_key: str | None) -> str | None:
    """The key stripped, None when empty; a key that cannot go in a header is refused (without echoing it)."""
    if api_key is None:
        return None
    key = str(api_key).strip()
    if not key:
        return None
    if not all(33 <= ord(ch) <= 126 for ch in key):
        raise ValueError("the API key contains spaces or characters that cannot be sent in an HTTP header")
    return key


@dataclass(frozen=True)
class RequestRecord:
    """One HTTP attempt, for the API log and the poller's cost model: never headers, never the key.

    `elapsed_ms` is the measured latency (sending to the last byte of the body); `wire_bytes` what
    the answer cost on the wire as received (its headers and its body before decompression, so a
    gzipped answer counts compressed); `body_bytes` its decompressed size. Both 0 without an answer.
    """

    method: str
    path: str
    status: int | None
    elapsed_ms: float
    error_code: str | None
    attempt: int
    started_at: float
    wire_bytes: int = 0
    body_bytes: int = 0
    encoding: str = ""  # the answer's Content-Encoding ("" = none)


# --- answers --------------------------------------------------------------------------------------


def unwrap(data: Any, *keys: str) -> Any:
    """`{"spreadsheet_cell": {...}}` -> the inner object, for servers that wrap answers Rails-style."""
    if isinstance(data, dict) and "id" not in data:
        for key in keys:
            inner = data.get(key)
            if isinstance(inner, dict):
                return inner
    return data


def items(data: Any, *keys: str) -> list:
    """A JSON array, bare or under one of `keys`."""
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        for key in keys:
            if isinstance(data.get(key), list):
                return data[key]
    raise ValueError("expected a list")


def parse_list(model: type[BaseModel], data: Any, *keys: str) -> list:
    """Every item that validates; the others are skipped."""
    out = []
    for item in items(data, *keys):
        if isinstance(item, dict):
            try:
                out.append(model.model_validate(item))
            except PydanticValidationError:
                continue
    return out


def model_parser(model: type[BaseModel], *keys: str) -> Callable[[Any], Any]:
    return lambda data: model.model_validate(unwrap(data, *keys))


def engine_object(data: Any) -> dict:
    data = unwrap(data, "spreadsheet", "engine", "vidsheet", "sheet")
    if not isinstance(data, dict):
        raise ValueError("expected an object")  # noqa: TRY004 - becomes MalformedResponseError
    return data


def object_text(content: bytes) -> str:
    """A body that looks like one JSON object, as text (its full parse is left to the caller)."""
    if isinstance(content, bytes):
        text = content.decode(json.detect_encoding(content), "surrogatepass")  # as json.loads decodes
    else:
        text = str(content)
    stripped = text.strip()
    if not (stripped.startswith("{") and stripped.endswith("}")):
        raise ValueError("expected an object")
    return text


def generation_answer(generation_id: str) -> Callable[[Any], Generation | None]:
    """Stop/continue answer: the whole generation (docs) or `{generation_id, status}` (OAS/SDK); empty -> None."""

    def parse(data: Any) -> Generation | None:
        if data is None:
            return None
        data = unwrap(data, "generation", "user_job")
        if not isinstance(data, dict):
            raise ValueError("expected an object")  # noqa: TRY004 - becomes MalformedResponseError
        if data.get("id") is None and data.get("generation_id") is None:
            data = {**data, "id": generation_id}
        return Generation.model_validate(data)

    return parse


def describe_invalid(exc: Exception) -> str:
    """Why an answer could not be read, without echoing the body."""
    if isinstance(exc, PydanticValidationError):
        first = exc.errors(include_input=False, include_url=False)[0]
        where = ".".join(str(p) for p in first.get("loc", ())) or "body"
        return f"{where}: {first.get('msg', 'invalid')}"
    if isinstance(exc, RecursionError):
        return "nested too deeply"
    if isinstance(exc, json.JSONDecodeError):
        return "not JSON"
    if isinstance(exc, errors.MalformedResponseError):
        return exc.message
    return str(exc)[:200] or type(exc).__name__
