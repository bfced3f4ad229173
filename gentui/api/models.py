"""The GEN API's resources as tolerant pydantic models.

Every documented spelling is read (gen-api.md part C): ``spreadsheet_columns``/``columns``,
``column_role``/``role``, ``title``/``name``, ids as int or string (always ``str`` here), money as
number or decimal string (always ``Decimal``), timestamps as ISO strings, epoch milliseconds or
epoch seconds. Unknown fields are ignored; a bad optional value becomes ``None`` instead of an error.
"""

from __future__ import annotations

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from gentui.api import vocab
from gentui.api.fields import (
    Attrs,
    Cost,
    Id,
    LowerStr,
    Money,
    OptDict,
    OptId,
    OptInt,
    OptStr,
    Text,
    Timestamp,
    lenient_list,
    optional_model,
    to_datetime,
    to_opt_str,
    variables_dict,
)

__all__ = [
    "Agent",
    "Cell",
    "Column",
    "Credit",
    "Engine",
    "EngineSummary",
    "ErrorBody",
    "GenerateResponse",
    "Generation",
    "GenerationStatus",
    "GlobalVariables",
    "Me",
    "Organization",
    "OutputResource",
    "Row",
]


class _Wire(BaseModel):
    """Base: ignore unknown fields; `_keys` lists the wire spellings of each field, first non-null wins."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True, arbitrary_types_allowed=False)

    _keys: ClassVar[dict[str, tuple[str, ...]]] = {}
    _times: ClassVar[dict[str, tuple[str, ...]]] = {}
    _plan: ClassVar[tuple[tuple[str, bool, tuple[str, ...]], ...]] = ()

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        super().__pydantic_init_subclass__(**kwargs)
        # (field, its own name is the first spelling, every spelling) - precomputed for big engines
        cls._plan = tuple((name, keys[0] == name, keys) for name, keys in cls._keys.items())

    @model_validator(mode="before")
    @classmethod
    def _spellings(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        out = data
        for name, own_first, keys in cls._plan:
            if own_first and data.get(name) is not None:
                continue
            for key in keys:
                value = data.get(key)
                if value is not None:
                    if out is data:
                        out = dict(data)
                    out[name] = value
                    break
        for name, keys in cls._times.items():
            when = None
            for key in keys:
                when = to_datetime(data.get(key))
                if when is not None:
                    break
            if out is data:
                out = dict(data)
            out[name] = when
        return out


# --- generations --------------------------------------------------------------------------------


class GenerationStatus(StrEnum):
    """A generation's lifecycle state (A6); anything else the server says is UNKNOWN."""

    PENDING = vocab.PENDING
    PROCESSING = vocab.PROCESSING
    COMPLETED = vocab.COMPLETED
    FAILED = vocab.FAILED
    STOPPED = vocab.STOPPED
    UNKNOWN = vocab.UNKNOWN

    @classmethod
    def parse(cls, value: Any) -> GenerationStatus:
        if isinstance(value, GenerationStatus):
            return value
        return cls(vocab.known_status(value))

    @property
    def in_flight(self) -> bool:
        return vocab.is_in_flight(self.value)

    @property
    def terminal(self) -> bool:
        return vocab.is_terminal(self.value)


Status = Annotated[GenerationStatus, BeforeValidator(GenerationStatus.parse)]


def _result(value: Any) -> str | dict | list | None:
    if value is None or isinstance(value, (str, dict, list)):
        return value
    return to_opt_str(value)


class OutputResource(_Wire):
    """A media output of a generation (`output_resources[]`)."""

    id: OptId = None
    url: OptStr = None
    thumbnail_url: OptStr = None
    object_type: LowerStr = None
    type: OptStr = None
    duration: Cost = None  # seconds, where the server says (audio, video); lenient like a cost


class Generation(_Wire):
    """A generation (= user job): GET /generations/{id}, a cell's `user_jobs[]`, or a stop/continue answer."""

    _keys = {"id": ("id", "generation_id", "user_job_id"), "failed_reason": ("failed_reason", "error")}
    _times = {"created_at": ("created_at", "created_at_ts"), "updated_at": ("updated_at", "updated_at_ts")}

    id: Id
    status: Status = GenerationStatus.UNKNOWN
    raw_status: OptStr = None
    user_job_type: OptStr = None
    result: Annotated[str | dict | list | None, BeforeValidator(_result)] = None
    failed_reason: OptStr = None
    output_resources: Annotated[list[OutputResource], BeforeValidator(lenient_list(OutputResource))] = Field(
        default_factory=list
    )
    execution_cost: Cost = None
    created_at: Timestamp = None
    updated_at: Timestamp = None

    @model_validator(mode="before")
    @classmethod
    def _raw_status(cls, data: Any) -> Any:
        if isinstance(data, dict) and "raw_status" not in data:
            data = {**data, "raw_status": data.get("status")}
        return data

    @property
    def canonical_type(self) -> str:
        return vocab.canonical_type(self.user_job_type)


class GenerateResponse(_Wire):
    """The answer of generate / render: `{generation_id, status}` (201)."""

    _keys = {"generation_id": ("generation_id", "id", "user_job_id")}

    generation_id: Id
    status: Status = GenerationStatus.PENDING


# --- engine -------------------------------------------------------------------------------------


class Column(_Wire):
    _keys = {"title": ("title", "name"), "column_role": ("column_role", "role")}

    id: Id
    title: Text = ""
    type: OptStr = None
    column_role: OptStr = None
    position: OptInt = None
    description: OptStr = None
    additional_attributes: Attrs = Field(default_factory=dict)


class Cell(_Wire):
    _keys = {"cell_role": ("cell_role", "role"), "user_jobs": ("user_jobs", "generations")}
    _times = {"updated_at": ("updated_at", "updated_at_ts")}

    id: Id
    column_id: OptId = None
    value: OptStr = None
    cell_role: OptStr = None
    additional_attributes: Attrs = Field(default_factory=dict)
    default_user_job: Annotated[Generation | None, BeforeValidator(optional_model(Generation))] = None
    user_jobs: Annotated[list[Generation], BeforeValidator(lenient_list(Generation))] = Field(default_factory=list)
    user_job_id: OptId = None
    execution_cost: Cost = None
    updated_at: Timestamp = None


class Row(_Wire):
    _keys = {"cells": ("spreadsheet_cells", "cells")}

    id: Id
    position: OptInt = None
    cells: Annotated[list[Cell], BeforeValidator(lenient_list(Cell))] = Field(default_factory=list)
    additional_attributes: Attrs = Field(default_factory=dict)
    execution_cost: Cost = None


class Engine(_Wire):
    """An engine (sheet / vidsheet) with its columns, rows and cells (A5.1)."""

    _keys = {
        "title": ("title", "name"),
        "columns": ("spreadsheet_columns", "columns"),
        "rows": ("spreadsheet_rows", "rows"),
        "global_variables": ("global_variables_sheet", "global_variables"),
    }
    _times = {"created_at": ("created_at", "created_at_ts")}

    id: Id
    title: Text = ""
    slug: OptStr = None
    columns: Annotated[list[Column], BeforeValidator(lenient_list(Column))] = Field(default_factory=list)
    rows: Annotated[list[Row], BeforeValidator(lenient_list(Row))] = Field(default_factory=list)
    global_variables: Annotated[dict[str, str], BeforeValidator(variables_dict)] = Field(default_factory=dict)
    created_at: Timestamp = None

    @model_validator(mode="after")
    def _match_cells_to_columns(self) -> Engine:
        ordered = self.ordered_columns()
        for row in self.rows:
            taken = {cell.column_id for cell in row.cells if cell.column_id is not None}
            for index, cell in enumerate(row.cells):
                if cell.column_id is not None:
                    continue
                candidate = ordered[index].id if index < len(ordered) else None
                if candidate is None or candidate in taken:
                    candidate = next((c.id for c in ordered if c.id not in taken), None)
                if candidate is not None:
                    cell.column_id = candidate
                    taken.add(candidate)
        return self

    def ordered_columns(self) -> list[Column]:
        """Columns by `position` when every column has one, else in list order."""
        if self.columns and all(c.position is not None for c in self.columns):
            return sorted(self.columns, key=lambda c: c.position or 0)
        return list(self.columns)

    def cell_column_pairs(self) -> Iterator[tuple[Row, Cell, Column | None]]:
        by_id = {c.id: c for c in self.columns}
        for row in self.rows:
            for cell in row.cells:
                yield row, cell, by_id.get(cell.column_id or "")


class EngineSummary(_Wire):
    """One item of an engine list."""

    _keys = {"title": ("title", "name")}

    id: Id
    title: Text = ""


class GlobalVariables(_Wire):
    variables: Annotated[dict[str, str], BeforeValidator(variables_dict)] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _null(cls, data: Any) -> Any:
        if data is None:
            return {}
        if isinstance(data, list):
            return {"variables": data}
        return data


# --- organizations, agents, me ------------------------------------------------------------------


class Credit(_Wire):
    """A balance: each figure is None when the server sent nothing readable (unknown, never zero)."""

    generic: Money = None
    aura: Money = None


class Organization(_Wire):
    """A workspace and its credit balance (A5.8)."""

    _keys = {"id": ("id", "organization_id")}

    id: Id
    name: Text = ""
    available_credit: Annotated[Credit, BeforeValidator(lambda v: v if isinstance(v, (dict, Credit)) else {})] = Field(
        default_factory=Credit
    )
    credit: Money = None
    credit_plan: OptDict = None
    user_role: OptStr = None


class Agent(_Wire):
    """An agent; list items come in three shapes (A4): workspace_id, organization name, or bare {id, name}."""

    _keys = {"organization_id": ("organization_id", "workspace_id")}

    id: Id
    name: Text = ""
    organization_id: OptId = None
    organization_name: OptStr = None
    role: OptStr = None

    @model_validator(mode="before")
    @classmethod
    def _organization(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        org = data.get("organization")
        out = dict(data)
        if isinstance(org, str) and data.get("organization_name") is None:
            out["organization_name"] = org
        elif isinstance(org, dict):
            if data.get("organization_id") is None and data.get("workspace_id") is None:
                out["organization_id"] = org.get("id", org.get("organization_id"))
            if data.get("organization_name") is None:
                out["organization_name"] = org.get("name")
        return out


class Me(_Wire):
    id: Id
    email: OptStr = None
    name: OptStr = None
    username: OptStr = None


class ErrorBody(_Wire):
    """`{"error": "...", "error_code": "..."}`; `message` / `errors` read when `error` is absent."""

    _keys = {"error": ("error", "message", "errors")}

    error: Text = ""
    error_code: OptStr = None
