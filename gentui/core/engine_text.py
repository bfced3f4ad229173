"""Reading a big engine answer a row at a time, and generations straight from their JSON.

A 500 x 8 engine with 10 generations per cell is ~20 MB of JSON. Decoding it in one `json.loads`
blocks the event loop for ~0.3 s and holds ~100 MB of objects; validating it all with pydantic takes
more than a second. `walk_engine` decodes the engine object's own fields one by one and its rows
array one row at a time, so the caller can yield to the event loop between rows, skip rows whose
text did not change since the last read (a hash of the row's exact text), and drop each row's
objects once it has been read.

`job_fields` reads one generation dict exactly as `gentui.api.models.Generation` does (same
spellings, same coercions, same items dropped); a test holds the two paths equal on both simulator
dialects and on hostile payloads.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from gentui.api.fields import to_datetime, to_id, to_money, to_opt_str
from gentui.api.models import GenerationStatus, _result

ROWS_KEYS = ("spreadsheet_rows", "rows")
COLUMNS_KEYS = ("spreadsheet_columns", "columns")
CELLS_KEYS = ("spreadsheet_cells", "cells")
JOB_KEYS = ("user_jobs", "generations", "default_user_job")

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()

#: ("field", key, value, text hash) for the object's own fields; ("rows", key) when a rows array
#: starts; ("row", key, index, value, text hash, text length) for each of its items (value None:
#: the same text as `known` said).
Event = tuple[Any, ...]


def walk_engine(text: str, known: Callable[[int], tuple[int, int] | None] | None = None) -> Iterator[Event]:
    """The engine object's fields and rows, in document order; ValueError when it is not one JSON object.

    Accepts exactly what `json.loads` accepts for an object (same decoder, duplicate keys reported
    as they come: the caller decides what a duplicate means). `known(index)` may give the (length,
    hash) of the row at that index in the last read: when the text there is the same, the row is
    not decoded at all and its value comes as None (a complete JSON value's text ends where its
    own text ends, so the same text is the same row).
    """
    scan, ws = _DECODER.raw_decode, _WS.match
    i = ws(text, 0).end()
    if text[i : i + 1] != "{":
        raise ValueError("expected an object")
    i = ws(text, i + 1).end()
    if text[i : i + 1] == "}":
        i += 1
    else:
        while True:
            if text[i : i + 1] != '"':
                raise ValueError(f"expected a key at {i}")
            key, i = scan(text, i)
            i = ws(text, i).end()
            if text[i : i + 1] != ":":
                raise ValueError(f"expected ':' at {i}")
            i = ws(text, i + 1).end()
            if key in ROWS_KEYS and text[i : i + 1] == "[":
                yield ("rows", key)
                i = ws(text, i + 1).end()
                if text[i : i + 1] == "]":
                    i += 1
                else:
                    index = 0
                    while True:
                        start = i
                        guess = known(index) if known is not None else None
                        if guess is not None and text[start + guess[0] : start + guess[0] + 1] in (",", "]", " ", "\n", "\r", "\t") \
                                and hash(text[start : start + guess[0]]) == guess[1]:
                            i = start + guess[0]
                            yield ("row", key, index, None, guess[1], guess[0])
                        else:
                            value, i = scan(text, i)
                            yield ("row", key, index, value, hash(text[start:i]), i - start)
                        index += 1
                        i = ws(text, i).end()
                        sep = text[i : i + 1]
                        if sep == ",":
                            i = ws(text, i + 1).end()
                            continue
                        if sep == "]":
                            i += 1
                            break
                        raise ValueError(f"expected ',' or ']' at {i}")
            else:
                start = i
                value, i = scan(text, i)
                yield ("field", key, value, hash(text[start:i]) if key in COLUMNS_KEYS else 0)
            i = ws(text, i).end()
            sep = text[i : i + 1]
            if sep == ",":
                i = ws(text, i + 1).end()
                continue
            if sep == "}":
                i += 1
                break
            raise ValueError(f"expected ',' or '}}' at {i}")
    if ws(text, i).end() != len(text):
        raise ValueError("extra data after the object")


def first_set(data: dict, keys: tuple[str, ...]) -> Any:
    """The first non-null value among `keys` (the models' spelling rule)."""
    for key in keys:
        value = data.get(key)
        if value is not None:
            return value
    return None


def _ts(data: dict, keys: tuple[str, str]) -> float | None:
    for key in keys:
        when = to_datetime(data.get(key))
        if when is not None:
            return when.timestamp()
    return None


def _opt_id_ok(value: Any) -> bool:
    """Whether `OptId` accepts the value."""
    if value is None or value == "":
        return True
    return isinstance(to_id(value), str)


def _opt_str(value: Any) -> str | None:
    return value if value is None or type(value) is str else to_opt_str(value)


_STATUS = {s.value: s.value for s in GenerationStatus}


def job_fields(data: Any) -> dict[str, Any] | None:
    """A generation dict read like `Generation.model_validate` (None where the model would refuse it).

    Returns the fields `gentui.core.engine_state` keeps: id, status, user_job_type, result, failed_reason,
    outputs [(url, object_type)], execution_cost, created_at / updated_at as epoch seconds.
    """
    if not isinstance(data, dict):
        return None
    get = data.get
    gid = get("id")
    if gid is None:
        gid = get("generation_id")
        if gid is None:
            gid = get("user_job_id")
    if type(gid) is not str:
        gid = to_id(gid)
        if not isinstance(gid, str):
            return None
    else:
        gid = gid.strip()
    outputs: list[tuple[str | None, str | None]] = []
    resources = get("output_resources")
    if resources and isinstance(resources, list):
        for item in resources:
            if not isinstance(item, dict) or not _opt_id_ok(item.get("id")):
                continue  # OutputResource refuses it; lenient_list drops it
            kind = (to_opt_str(item.get("object_type")) or "").strip().lower() or None
            outputs.append((_opt_str(item.get("url")), kind))
    status = get("status")
    status = _STATUS.get(status) if type(status) is str else None
    if status is None:
        status = GenerationStatus.parse(get("status")).value
    cost = get("execution_cost")
    reason = get("failed_reason")
    if reason is None:
        reason = get("error")
    result = get("result")
    return {
        "id": gid,
        "status": status,
        "user_job_type": _opt_str(get("user_job_type")),
        "result": result if result is None or type(result) in (str, dict, list) else _result(result),
        "failed_reason": _opt_str(reason),
        "outputs": outputs,
        "execution_cost": None if cost is None else to_money(cost),
        "created_at": _ts(data, ("created_at", "created_at_ts")),
        "updated_at": _ts(data, ("updated_at", "updated_at_ts")),
    }
