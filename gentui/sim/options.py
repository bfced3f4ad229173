"""The simulator's options (CONTRACTS.md section 4): world shape, dialect, prefixes and faults."""

from __future__ import annotations

from dataclasses import dataclass, fields

DIALECTS = ("docs", "sdk")
PREFIXES = ("both", "vidsheet", "autocontentengine")

#: The fault fields, as `POST /_sim/faults` names them.
FAULT_FIELDS = (
    "error_rate",
    "error_statuses",
    "rate_limit_rate",
    "retry_after",
    "latency_ms",
    "spike_rate",
    "spike_ms",
    "drop_rate",
    "malformed_rate",
    "compress",
)


@dataclass
class SimOptions:
    """Everything `gentui sim` takes on its command line, and `create_app` in-process.

    Without `rows` and `columns` the seeded demo world is built; with either, the first engine is
    an N x M engine with `in_flight` generations running and `history` past generations per cell
    (0-10, seeded, when `history` is None). `quiet` starts with nothing running.
    """

    host: str = "127.0.0.1"
    port: int = 8765
    api_key: str = "sim-key"
    speed: float = 1.0
    seed: int = 0
    dialect: str = "docs"
    prefix: str = "both"
    rows: int | None = None
    columns: int | None = None
    in_flight: int | None = None
    quiet: bool = False
    history: int | None = None
    failure_rate: float = 0.1
    # faults (same names as POST /_sim/faults)
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    rate_limit_rate: float = 0.0
    retry_after: float | None = None
    latency_ms: int = 0
    spike_rate: float = 0.0
    spike_ms: int = 0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    #: gzip answers over 1 KB when the request's Accept-Encoding allows it (production servers do)
    compress: bool = True

    def __post_init__(self) -> None:
        if self.dialect not in DIALECTS:
            raise ValueError(f"dialect must be one of {', '.join(DIALECTS)}, not {self.dialect!r}")
        if self.prefix not in PREFIXES:
            raise ValueError(f"prefix must be one of {', '.join(PREFIXES)}, not {self.prefix!r}")
        if self.speed < 0:
            raise ValueError("speed must not be negative")
        for name in ("rows", "columns", "in_flight", "history"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} must not be negative")
        self.error_statuses = tuple(int(s) for s in self.error_statuses)

    @property
    def prefixes(self) -> tuple[str, ...]:
        """The engine path prefixes served, `vidsheet` first."""
        return ("vidsheet", "autocontentengine") if self.prefix == "both" else (self.prefix,)

    @property
    def scaled(self) -> bool:
        return self.rows is not None or self.columns is not None

    def faults(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in FAULT_FIELDS}
