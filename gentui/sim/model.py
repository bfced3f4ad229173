"""The simulator's world objects: plain slotted records, written to JSON by `dialect`.

Ids are integers inside; the `sdk` dialect writes them as strings. Times are clock seconds
(`created_at`, `updated_at`); a generation's lifecycle deadlines are in simulated seconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from gentui.api import vocab

#: the statuses under the simulator's own names (the one list is gentui.api.vocab)
PENDING, PROCESSING, COMPLETED = vocab.PENDING, vocab.PROCESSING, vocab.COMPLETED
FAILED, STOPPED = vocab.FAILED, vocab.STOPPED
RUNNING = frozenset(vocab.IN_FLIGHT_STATUSES)
FINISHED = frozenset(vocab.TERMINAL_STATUSES)


@dataclass(slots=True, eq=False)
class Organization:
    id: int
    uuid: str
    name: str
    created_at: float


@dataclass(slots=True, eq=False)
class Agent:
    id: int
    name: str
    description: str
    organization_id: int
    created_at: float


@dataclass(slots=True, eq=False)
class Engine:
    id: int
    agent_id: int
    title: str
    slug: str
    uuid: str
    is_default: bool
    created_at: float
    updated_at: float
    column_ids: list[int] = field(default_factory=list)
    row_ids: list[int] = field(default_factory=list)
    #: global variables as (key, value) pairs; None when none were imported
    variables: list[tuple[str, str]] | None = None
    variables_id: int | None = None


@dataclass(slots=True, eq=False)
class Column:
    id: int
    engine_id: int
    title: str
    type: str
    role: str
    description: str
    position: int
    additional_attributes: dict[str, Any]
    created_at: float
    updated_at: float


@dataclass(slots=True, eq=False)
class Row:
    id: int
    engine_id: int
    position: int
    created_at: float
    updated_at: float
    cell_ids: list[int] = field(default_factory=list)
    additional_attributes: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True, eq=False)
class Cell:
    id: int
    engine_id: int
    row_id: int
    column_id: int
    role: str
    value: Any
    additional_attributes: dict[str, Any]
    created_at: float
    updated_at: float
    #: generation ids, oldest first
    jobs: list[int] = field(default_factory=list)
    #: the displayed generation (default_user_job), if any
    displayed: int | None = None
    #: a generation pinned by set_default_user_job, and the newest job id when it was pinned
    pinned: int | None = None
    pin_floor: int = 0
    #: the last card a generate resolved for this cell (type, data with {{variables}} unexpanded)
    card_type: str | None = None
    card: dict[str, Any] = field(default_factory=dict)
    #: bumped on every change: the serializer caches a cell's JSON per revision
    rev: int = 0


@dataclass(slots=True, eq=False)
class Generation:
    id: int
    engine_id: int
    cell_id: int
    kind: str  # canonical generation type, or "render"
    model: str | None
    data: dict[str, Any]  # the resolved card, {{variables}} expanded
    status: str
    created_at: float
    updated_at: float
    precharge: Decimal
    #: what the ledger holds for this generation right now (pre-charge, final cost or 0)
    held: Decimal = Decimal(0)
    factor: Decimal = Decimal(1)
    fails: bool = False
    failed_reason: str | None = None
    final_cost: Decimal | None = None
    result: Any = None
    outputs: int = 0
    #: lifecycle, in simulated seconds: pending from phase_start for pending_for, then processing
    phase_start: float = 0.0
    pending_for: float = 1.0
    processing_for: float = 5.0
    idempotency_key: str | None = None
    #: output_resources as written, instead of the made-up CDN ones (hostile-content tests)
    resources: list[dict[str, Any]] | None = None


@dataclass(slots=True, eq=False)
class Upload:
    """A content resource that is not a generation's output: a seeded library item or an upload."""

    id: int
    kind: str  # image, video, audio, zip, ...
    file_name: str
    content_type: str
    byte_size: int | None
    created_at: float
    #: the bytes as uploaded; None for a seeded library item (its media is drawn from the seed)
    data: bytes | None = None
    #: the row drawn on a seeded item's media (0: none)
    row: int = 0


@dataclass(slots=True, eq=False)
class Blob:
    """A direct upload: declared by `POST /v1/direct_upload`, its bytes sent by `PUT /_sim/uploads/{key}`."""

    id: int
    key: str
    signed_id: str
    filename: str
    content_type: str
    byte_size: int
    checksum: str
    created_at: float
    data: bytes | None = None
    #: the content resource made from it, once `POST /v1/content_resources` used it
    resource_id: int | None = None
