"""The `gentui` command: the cockpit by default, and its subcommands (CONTRACTS.md section 1).

Each subcommand lives in its own module with `configure(parser)` and `run(args) -> int`; this
module only routes. Heavy imports (Textual, the simulator) happen inside the command that needs them.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import sys
from collections.abc import Sequence

from gentui import __version__
from gentui.commands.exit_codes import EXIT_BROKEN_PIPE, EXIT_USAGE
from gentui.commands.options import add_connection_options

#: subcommand -> (module, help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "sim": ("gentui.commands.sim", "serve the GEN API simulator"),
    "config": ("gentui.commands.config_cmd", "show, locate or set settings"),
    "login": ("gentui.commands.login", "store an API key after checking it"),
    "keys": ("gentui.commands.keys", "list every key binding"),
    "export": ("gentui.commands.export", "export an engine's generation history"),
    "status": ("gentui.commands.status", "one JSON snapshot of credits and generations"),
    "serve": ("gentui.commands.serve", "the app in a browser through textual-serve"),
}


def _cockpit_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="gentui",
        description="A terminal cockpit for the GEN Auto Content Engine API.",
        epilog="subcommands: " + ", ".join(SUBCOMMANDS) + " (gentui SUBCOMMAND --help)",
    )
    p.add_argument("--version", action="version", version=f"gentui {__version__}")
    p.add_argument("--demo", action="store_true", help="run against the embedded simulator (no key, no network)")
    add_connection_options(p)
    p.add_argument("--readonly", action="store_true", default=None, help="monitor mode: nothing spends, stops or edits")
    p.add_argument("--theme", help="theme name")
    return p


def _subcommand(name: str, argv: Sequence[str]) -> int:
    module_name, help_text = SUBCOMMANDS[name]
    module = importlib.import_module(module_name)
    parser = argparse.ArgumentParser(prog=f"gentui {name}", description=help_text)
    module.configure(parser)
    args = parser.parse_args(list(argv))
    return int(module.run(args) or 0)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _route(argv)
        sys.stdout.flush()  # a reader that went away shows up here, not in the interpreter's final flush
        return code
    except BrokenPipeError:  # `gentui keys | head -1`: stop quietly, the way Python's docs advise
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # the final flush at exit then goes nowhere
        return EXIT_BROKEN_PIPE


def _route(argv: list[str]) -> int:
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return _subcommand(argv[0], argv[1:])
        args = _cockpit_parser().parse_args(argv)
        from gentui.commands.cockpit import run

        return int(run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)


if __name__ == "__main__":
    raise SystemExit(main())
