"""`gentui config path|show|set`: where the files live, the effective settings, and writing one key."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from gentui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from gentui.settings import (
    FIELDS,
    ConfigError,
    Paths,
    default_paths,
    display_path,
    load_settings,
    redact,
    set_config_key,
)
from gentui.settings.schema import parse_text, show_value

UNSET = "(unset)"


def configure(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="{path,show,set}")
    actions.add_parser("path", help="where each file lives (NAME<TAB>PATH)")
    actions.add_parser("show", help="the effective settings and where each comes from")
    setter = actions.add_parser(
        "set",
        help="write one key into config.toml (typed by the schema; comments are not kept)",
        description="Write one top-level key into config.toml, keeping the other keys (comments are not "
                    "kept). `none` removes an optional key; keymap.ID and engines.ID set one table entry. "
                    "Prefer `gentui login` for api_key.",
    )
    setter.add_argument("key", help="a top-level key (see `gentui config show`), or keymap.ID / engines.ID")
    setter.add_argument("value", help="the value (true/false, numbers, text; tables as {a = \"b\"})")


def path_lines(paths: Paths) -> list[str]:
    return [f"{name}\t{path}" for name, path in (
        ("config", paths.config), ("state", paths.state), ("journal", paths.journal),
        ("themes", paths.themes), ("log", paths.log))]


def format_value(key: str, value: Any) -> str:
    """A setting as `config show` prints it; the API key only ever as `***` and its last 4 characters."""
    if value is None:
        return UNSET
    if key == "api_key":
        return redact(value)
    return show_value(value, limit=10_000)


def show_lines(loaded: Any) -> list[str]:
    settings = loaded.settings
    return [f"{key} = {format_value(key, getattr(settings, key))}  # {loaded.sources[key]}" for key in FIELDS]


def _warn_unknown_theme(name: str, paths: Paths) -> None:
    from gentui.ui.themes import load_themes

    themes, _ = load_themes(paths.themes)
    names = sorted(t.name for t in themes)
    if name not in names:
        print(f"gentui: note: no theme named {name!r} yet (known: {', '.join(names)}); "
              f"the app falls back to its default", file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    if args.action == "path":
        print("\n".join(path_lines(default_paths())))
        return EXIT_OK
    try:
        if args.action == "show":
            loaded = load_settings()
            for warning in loaded.warnings:
                print(f"gentui: warning: {warning}", file=sys.stderr)
            print("\n".join(show_lines(loaded)))
            return EXIT_OK
        paths = default_paths()
        set_config_key(args.key, args.value, paths)
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    key = args.key
    if key == "api_key":
        print("gentui: note: `gentui login` checks the key and keeps it out of your shell history",
              file=sys.stderr)
    shown = show_value(args.value.strip()) if "." in key else format_value(key, parse_text(key, args.value))
    print(f"{key} = {shown}  # written to {display_path(paths.config)}")
    if key == "theme":
        _warn_unknown_theme(args.value.strip(), paths)
    return EXIT_OK
