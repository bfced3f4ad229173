"""Themes as TOML files: the built-in ones (shipped in the wheel as `gentui/_themes`) and the user's.

A theme file holds `textual.theme.Theme` fields (`name`, `primary`, … `dark`, `[variables]`); its
`[variables]` carry the status colours (`status-idle` … `status-marked`). A broken user theme is
reported and skipped, never a crash; a user theme without status colours borrows the built-in ones.
"""

from __future__ import annotations

import difflib
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from textual.color import Color, ColorParseError
from textual.theme import Theme

from gentui.api import vocab

STATUSES = (*vocab.CELL_STATUSES, "marked")
STATUS_VARIABLES: tuple[str, ...] = tuple(f"status-{s}" for s in STATUSES)
DEFAULT_THEME = "gentui-dark"

#: gentui-dark's status colours: the last resort when even the built-in files cannot be read
FALLBACK_STATUS: dict[str, str] = {
    "status-idle": "#8a93a3",
    "status-pending": "#f2d35b",
    "status-processing": "#5fa8ff",
    "status-completed": "#4fd37a",
    "status-failed": "#ff5f6d",
    "status-stopped": "#ff8c42",
    "status-unknown": "#c792ea",
    "status-marked": "#ff79c6",
}

COLOR_FIELDS = ("primary", "secondary", "accent", "foreground", "background", "surface", "panel", "boost",
                "warning", "error", "success")
BOOL_FIELDS = ("dark", "ansi")
NUMBER_FIELDS = ("luminosity_spread", "text_alpha")
KNOWN_KEYS = ("name", *COLOR_FIELDS, *BOOL_FIELDS, *NUMBER_FIELDS, "variables")


class ThemeError(Exception):
    """A theme file that cannot be used: the file and the reason, in one line."""


def builtin_themes_dir() -> Path:
    """The installed `gentui/_themes`, or the repository's `themes/` for an editable install."""
    package = Path(__file__).resolve().parent.parent
    installed = package / "_themes"
    return installed if installed.is_dir() else package.parent / "themes"


def _color(path: Path, key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise ThemeError(f"{path}: {key!r} must be a colour string, got {value!r}")
    try:
        Color.parse(value)
    except ColorParseError:
        raise ThemeError(f"{path}: {key!r} is not a colour: {value!r}") from None
    return value


def load_theme_file(path: Path) -> Theme:
    """One theme file as a Textual `Theme`; ThemeError naming the file and the problem otherwise."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ThemeError(f"{path}: cannot read ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise ThemeError(f"{path}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ThemeError(f"{path}: invalid TOML: {exc}") from None
    for key in data:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1)
            raise ThemeError(f"{path}: unknown key {key!r}" + (f" (did you mean {close[0]!r}?)" if close else ""))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ThemeError(f"{path}: missing 'name' (a non-empty string)")
    if "primary" not in data:
        raise ThemeError(f"{path}: missing 'primary' (a colour)")
    fields: dict[str, Any] = {"name": name.strip()}
    for key in COLOR_FIELDS:
        if key in data:
            fields[key] = _color(path, key, data[key])
    for key in BOOL_FIELDS:
        if key in data:
            if not isinstance(data[key], bool):
                raise ThemeError(f"{path}: {key!r} must be true or false, got {data[key]!r}")
            fields[key] = data[key]
    for key in NUMBER_FIELDS:
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ThemeError(f"{path}: {key!r} must be a number from 0 to 1, got {value!r}")
            fields[key] = float(value)
    variables = data.get("variables", {})
    if not isinstance(variables, dict):
        raise ThemeError(f"{path}: [variables] must be a table")
    for key, value in variables.items():
        if not isinstance(value, str):
            raise ThemeError(f"{path}: variable {key!r} must be a string, got {value!r}")
        if key.startswith("status-"):
            _color(path, key, value)
    fields["variables"] = dict(variables)
    theme = Theme(**fields)
    try:
        theme.to_color_system().generate()
    except Exception as exc:  # noqa: BLE001 - whatever Textual refuses, the file is at fault
        raise ThemeError(f"{path}: Textual refuses it: {exc}") from None
    return theme


def _files(directory: Path | None) -> list[Path]:
    if directory is None or not directory.is_dir():
        return []
    return sorted(p for p in directory.glob("*.toml") if p.is_file() or p.is_symlink())


def load_themes(user_dir: Path | None) -> tuple[list[Theme], list[str]]:
    """Built-in themes, then the user's (from `user_dir`), and one error string per file skipped.

    A user theme named like a built-in replaces it. A user theme without some status colours gets them
    from gentui-light (a light theme) or gentui-dark (a dark one).
    """
    themes: dict[str, Theme] = {}
    errors: list[str] = []
    for path in _files(builtin_themes_dir()):
        try:
            theme = load_theme_file(path)
        except ThemeError as exc:
            errors.append(str(exc))
            continue
        themes[theme.name] = theme
    builtin = dict(themes)
    for path in _files(user_dir):
        try:
            theme = load_theme_file(path)
        except ThemeError as exc:
            errors.append(str(exc))
            continue
        base = builtin.get("gentui-light" if not theme.dark else DEFAULT_THEME) or builtin.get(DEFAULT_THEME)
        defaults = {**FALLBACK_STATUS, **({k: base.variables[k] for k in STATUS_VARIABLES if k in base.variables}
                                          if base else {})}
        theme.variables = {**{k: v for k, v in defaults.items() if k not in theme.variables}, **theme.variables}
        themes.pop(theme.name, None)  # a replacement goes after the built-ins, like a new theme
        themes[theme.name] = theme
    return list(themes.values()), errors


def status_color(variables: Mapping[str, str], status: str) -> str:
    """The colour of a status (`completed`, or `status-completed`) from a theme's variables.

    Unknown statuses take `status-unknown`; a missing variable falls back to gentui-dark's colour.
    """
    name = status if status.startswith("status-") else f"status-{status}"
    if name not in FALLBACK_STATUS:
        name = "status-unknown"
    return variables.get(name) or FALLBACK_STATUS[name]
