"""The effective settings: command line > environment > config.toml > state.toml > defaults.

Each layer is checked on its own, so an error names where the bad value came from: the config file,
the environment variable or the command-line option.
"""

from __future__ import annotations

import difflib
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from gentui.settings.app_state import load_state
from gentui.settings.files import read_config_dict
from gentui.settings.paths import Paths, default_paths, display_path
from gentui.settings.schema import (
    FIELDS,
    BadValue,
    ConfigError,
    Settings,
    check_value,
    parse_text,
    suggest,
    unknown_key,
)

#: the official tools' variables; `GENTUI_<KEY>` works for every key and wins over these
ENV_ALIASES = {"GEN_API_KEY": "api_key", "GEN_API_BASE_URL": "base_url"}
ENV_PREFIX = "GENTUI_"


@dataclass
class LoadedSettings:
    settings: Settings
    sources: dict[str, str]  # key -> "default" | "config" | "env" | "cli" | "state"
    paths: Paths
    warnings: list[str] = field(default_factory=list)


def env_var(key: str) -> str:
    return ENV_PREFIX + key.upper()


def config_layer(raw: Mapping[str, Any], where: str) -> dict[str, Any]:
    """The keys of a parsed config.toml, each checked; ConfigError naming `where` and the key."""
    values: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in FIELDS:
            raise unknown_key(key, where)
        try:
            values[key] = check_value(key, value)
        except BadValue as bad:
            raise ConfigError(f"{where}: {bad.render(key)}") from None
    return values


def env_layer(env: Mapping[str, str], warnings: list[str]) -> dict[str, Any]:
    """The settings given by environment variables (empty ones count as unset)."""
    values: dict[str, Any] = {}
    names = [(var, key) for var, key in ENV_ALIASES.items()] + [(env_var(key), key) for key in FIELDS]
    for var, key in names:  # GENTUI_<KEY> comes later, so it wins over GEN_API_*
        text = env.get(var)
        if text is None or not text.strip():
            continue
        try:
            value = parse_text(key, text)
        except BadValue as bad:
            shown = bad.render(None)
            if key == "api_key":
                shown = "must be a non-empty string"
            raise ConfigError(f"{var}: {shown}") from None
        if value is not None:
            values[key] = value
    known = {env_var(key) for key in FIELDS}
    for var in env:
        if var.startswith(ENV_PREFIX) and var not in known:
            close = difflib.get_close_matches(var[len(ENV_PREFIX):].lower(), FIELDS, n=1, cutoff=0.75)
            if close:
                warnings.append(f"{var} is not a gentui setting (did you mean {env_var(close[0])}?); ignored")
    return values


def cli_layer(cli: Mapping[str, Any]) -> dict[str, Any]:
    """Command-line values (None means not given); text is typed like an environment variable."""
    values: dict[str, Any] = {}
    for key, value in cli.items():
        if value is None:
            continue
        where = "--" + key.replace("_", "-")
        if key not in FIELDS:
            raise ConfigError(f"{where}: not a setting{suggest(key, FIELDS)}")
        try:
            values[key] = parse_text(key, value) if isinstance(value, str) else check_value(key, value)
        except BadValue as bad:
            raise ConfigError(f"{where}: {bad.render(None)}") from None
    return values


def permission_warnings(paths: Paths, raw: Mapping[str, Any]) -> list[str]:
    """config.toml writable by others (they could redirect base_url), or readable by others while it
    holds the API key."""
    if os.name != "posix":
        return []
    try:
        mode = stat.S_IMODE(paths.config.stat().st_mode)
    except OSError:
        return []
    writable = mode & (stat.S_IWGRP | stat.S_IWOTH)
    readable = mode & (stat.S_IRGRP | stat.S_IROTH) and "api_key" in raw
    if not (writable or readable):
        return []
    what = "writable" if writable else "readable"
    where = display_path(paths.config)
    holds = "your settings and API key" if "api_key" in raw else "your settings"
    return [f"{where} is {what} by other users (mode {mode:04o}) and holds {holds}: chmod 600 {where}"]


def load_settings(cli: Mapping[str, Any] | None = None, *, env: Mapping[str, str] | None = None,
                  paths: Paths | None = None) -> LoadedSettings:
    """The effective settings and where each came from. Raises ConfigError (one line, naming the file,
    variable or option, and the key) when anything is invalid.

    `env` defaults to the process environment; `paths` to the XDG locations read from `env`.
    state.toml only fills `agent_id` / `engine_id` (the last ones used) when nothing else gives them,
    and only when it was written for the same base_url (and, for the engine, the same agent).
    """
    env = os.environ if env is None else env
    paths = paths or default_paths(env)
    warnings: list[str] = []
    raw = read_config_dict(paths)
    warnings += permission_warnings(paths, raw)
    layers = [
        ("config", config_layer(raw, display_path(paths.config))),
        ("env", env_layer(env, warnings)),
        ("cli", cli_layer(cli or {})),
    ]
    values: dict[str, Any] = {}
    sources = dict.fromkeys(FIELDS, "default")
    for source, layer in layers:
        values.update(layer)
        sources.update(dict.fromkeys(layer, source))

    state = load_state(paths)
    warnings += state.warnings
    base_url = values.get("base_url", Settings.model_fields["base_url"].default)
    if state.last_base_url in (None, base_url):
        if "agent_id" not in values and state.last_agent_id:
            values["agent_id"], sources["agent_id"] = state.last_agent_id, "state"
        same_agent = state.last_agent_id is None or values.get("agent_id") in (None, state.last_agent_id)
        if "engine_id" not in values and state.last_engine_id and same_agent:
            values["engine_id"], sources["engine_id"] = state.last_engine_id, "state"

    if not urlsplit(base_url).path.strip("/"):
        warnings.append(f"base_url {base_url} has no path: the API root usually ends in /v1")
    return LoadedSettings(Settings.checked(values, "settings"), sources, paths, warnings)
