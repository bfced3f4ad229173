"""`gentui keys`: every binding as `BINDING_ID<TAB>KEYS<TAB>DESCRIPTION`, after the user's [keymap]."""

from __future__ import annotations

import argparse
import sys

from gentui.action_table import BINDINGS, display_key, effective_keys
from gentui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from gentui.settings import ConfigError, load_settings


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Every key binding as BINDING_ID<TAB>KEYS<TAB>DESCRIPTION, with your [keymap] "
                          "from config.toml applied. Remap with `gentui config set keymap.ID KEYS`.")


def key_lines(keymap: dict[str, str]) -> list[str]:
    keys = effective_keys(keymap)
    return [f"{spec.id}\t{display_key(keys[spec.id])}\t{spec.description}" for spec in BINDINGS]


def run(args: argparse.Namespace) -> int:
    try:
        loaded = load_settings()
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print("\n".join(key_lines(loaded.settings.keymap)))
    return EXIT_OK
