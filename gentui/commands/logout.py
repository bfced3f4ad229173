"""`gentui logout`: remove the stored API key from config.toml; every other key stays, the file stays 0600."""

from __future__ import annotations

import argparse
import os
import sys

from gentui.commands.exit_codes import EXIT_OK, EXIT_USAGE
from gentui.settings import ConfigError, default_paths, display_path, read_config_dict, update_config


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Remove the API key stored by `gentui login` from config.toml. Your other settings "
                          "stay; the file stays private (mode 0600). A key in GEN_API_KEY or GENTUI_API_KEY "
                          "is yours to unset.")


def run(args: argparse.Namespace) -> int:
    paths = default_paths()
    where = display_path(paths.config)
    try:
        stored = "api_key" in read_config_dict(paths)
        if stored:
            update_config({"api_key": None}, paths)
    except (ConfigError, OSError) as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Logged out: the API key was removed from {where}" if stored else f"No API key stored in {where}")
    for var in ("GENTUI_API_KEY", "GEN_API_KEY"):
        if os.environ.get(var, "").strip():
            print(f"gentui: note: {var} is still set in your environment and gives gentui a key", file=sys.stderr)
    return EXIT_OK
