"""state.toml: what the app remembers by itself (last engine, recent engines, layout toggles).

Never an obstacle: a missing or broken state file gives the defaults (and a warning), and what can be
salvaged from a partly broken one is kept.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator

from gentui.api.urls import without_userinfo
from gentui.settings.files import atomic_write, dump_toml, read_toml
from gentui.settings.paths import Paths, display_path
from gentui.settings.schema import ConfigError

log = logging.getLogger("gentui.settings")

RECENT_LIMIT = 20
HEADER = "# gentui's own memory (last engine, recent engines, layout). Safe to delete.\n\n"


class AppState(BaseModel, extra="ignore"):
    """The app's memory between runs."""

    last_engine_id: str | None = None
    last_agent_id: str | None = None
    last_base_url: str | None = None
    engine_prefix: str | None = None
    recent_engines: list[dict[str, Any]] = Field(default_factory=list)  # {id, title, agent_id, base_url, seen_at}
    layout: dict[str, bool] = Field(default_factory=dict)
    warnings: list[str] = Field(default_factory=list, exclude=True)  # what load_state had to skip

    @field_validator("last_engine_id", "last_agent_id", mode="before")
    @classmethod
    def _ids_as_text(cls, value: Any) -> Any:
        return str(value) if isinstance(value, int) and not isinstance(value, bool) else value

    @field_validator("recent_engines", mode="before")
    @classmethod
    def _recent(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        entries = [dict(e) for e in value if isinstance(e, dict) and e.get("id") is not None]
        for entry in entries:
            entry["id"] = str(entry["id"])
            if entry.get("agent_id") is not None:
                entry["agent_id"] = str(entry["agent_id"])
        return entries[:RECENT_LIMIT]


def load_state(paths: Paths) -> AppState:
    """state.toml, or the defaults (with `.warnings`) when it is missing or broken; never raises."""
    where = display_path(paths.state)
    try:
        raw = read_toml(paths.state)
    except ConfigError as exc:
        return _warn(AppState(), f"{exc}; starting from an empty state")
    try:
        return AppState.model_validate(raw)
    except ValidationError:
        pass
    state, skipped = AppState(), []
    for name in AppState.model_fields:
        if name in raw and name != "warnings":
            try:
                setattr(state, name, AppState.model_validate({name: raw[name]}).__dict__[name])
            except ValidationError:
                skipped.append(name)
    return _warn(state, f"{where}: ignored unreadable {', '.join(skipped)}")


def _warn(state: AppState, message: str) -> AppState:
    log.warning("%s", message)
    state.warnings.append(message)
    return state


def save_state(state: AppState, paths: Paths) -> None:
    """Write state.toml atomically (mode 0600)."""
    data = state.model_dump(exclude_none=True, exclude={"warnings"})
    atomic_write(paths.state, dump_toml(data, HEADER))


def remember_engine(state: AppState, engine_id: str, title: str | None, agent_id: str | None,
                    base_url: str | None, *, now: float | None = None) -> None:
    """Put the engine first in `recent_engines` (one entry per engine and server, 20 at most) and make it
    the last engine."""
    engine_id, agent_id = str(engine_id), None if agent_id is None else str(agent_id)
    base_url = None if base_url is None else without_userinfo(base_url)  # state.toml never holds a password
    seen_at = datetime.fromtimestamp(time.time() if now is None else now, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    entry = {"id": engine_id, "title": title or "", "agent_id": agent_id, "base_url": base_url, "seen_at": seen_at}
    rest = [e for e in state.recent_engines
            if not (str(e.get("id")) == engine_id and e.get("base_url") == base_url)]
    state.recent_engines = [entry, *rest][:RECENT_LIMIT]
    state.last_engine_id, state.last_agent_id, state.last_base_url = engine_id, agent_id, base_url
