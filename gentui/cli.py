"""The `gentui` command: the cockpit by default, and its subcommands (CONTRACTS.md section 1).

Each subcommand lives in its own module with `configure(parser)` and `run(args) -> int`; this
module only routes. Heavy imports (Textual, the simulator) happen inside the command that needs them,
and a subcommand imports only its own module. `--config PATH` and `--debug` are gentui's own options:
they are taken out of the command line wherever they stand, before the routing.

Shell completion (`gentui completion bash|zsh|fish`) is argcomplete's: the script the shell loads runs
`gentui` again with `_ARGCOMPLETE` set, and `main` then answers from the whole parser tree.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import shutil
import sys
import textwrap
from collections.abc import Sequence

from gentui import __version__
from gentui.commands.exit_codes import EXIT_BROKEN_PIPE, EXIT_USAGE
from gentui.commands.options import add_connection_options

#: subcommand -> (module, one line of help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "sim": ("gentui.commands.sim", "serve the GEN API simulator over HTTP (needs gentui[sim])"),
    "config": ("gentui.commands.config_cmd", "show, locate or set settings"),
    "login": ("gentui.commands.login", "check an API key with the server and store it"),
    "logout": ("gentui.commands.logout", "remove the stored API key from config.toml"),
    "keys": ("gentui.commands.keys", "list every key binding"),
    "export": ("gentui.commands.export", "export an engine's generation history (CSV or JSON)"),
    "status": ("gentui.commands.status", "one JSON snapshot of credits and generations"),
    "serve": ("gentui.commands.serve", "the app in a browser through textual-serve (needs gentui[serve])"),
    "completion": ("gentui.commands.completion", "print the shell completion script (bash, zsh or fish)"),
}

EXIT_CODES = """exit codes:
  0  ok
  2  usage or config error (also: no terminal for the cockpit)
  3  authentication (the API key was rejected)
  4  not found (agent, engine, generation)
  5  server unreachable"""
DESCRIPTION = "A terminal cockpit for the GEN Auto Content Engine API. Without a command: the cockpit."


def add_global_options(p: argparse.ArgumentParser, *, documented_only: bool = False) -> None:
    """`--config PATH` and `--debug`, which every command takes (before or after its name).

    `documented_only`: on a subcommand's parser, for its --help and completion; the values were
    already taken out of the command line by `split_global_options`.
    """
    default = argparse.SUPPRESS if documented_only else None
    p.add_argument("--config", metavar="PATH", default=default,
                   help="read and write this config file instead of $XDG_CONFIG_HOME/gentui/config.toml")
    p.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if documented_only else False,
                   help="write the log file at debug level (see `gentui config path`; the API key is never in it)")


def split_global_options(argv: list[str]) -> tuple[argparse.Namespace, list[str]]:
    """`--config PATH` / `--config=PATH` / `--debug` from anywhere in `argv`, and what is left (in order).

    Exact spellings only: `--de` must stay an abbreviation of the cockpit's `--demo`.
    """
    pre = argparse.ArgumentParser(prog="gentui", add_help=False, allow_abbrev=False)
    add_global_options(pre)
    if "--" in argv:
        cut = argv.index("--")
        known, rest = pre.parse_known_args(argv[:cut])
        return known, rest + argv[cut:]
    return pre.parse_known_args(argv)


def _formatter(prog: str) -> argparse.HelpFormatter:
    return argparse.RawDescriptionHelpFormatter(prog, max_help_position=32)


def _fill(parser: argparse.ArgumentParser) -> None:
    """The description wrapped to the terminal (the formatter keeps the epilog's lines as written)."""
    if parser.description:
        width = max(40, min(100, shutil.get_terminal_size().columns) - 2)
        parser.description = "\n\n".join(textwrap.fill(" ".join(part.split()), width)
                                          for part in parser.description.split("\n\n"))


def add_cockpit_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--version", action="version", version=f"gentui {__version__}", help="print the version and exit")
    p.add_argument("--demo", action="store_true", help="run against the embedded simulator (no key, no network)")
    add_connection_options(p)
    p.add_argument("--readonly", action="store_true", default=None, help="monitor mode: nothing spends, stops or edits")
    p.add_argument("--theme", metavar="NAME", help="theme name (gentui's own, Textual's, or one of yours)")
    add_global_options(p)


def build_parser(*, configure_subcommands: bool = False) -> argparse.ArgumentParser:
    """The whole command line: the cockpit's options and one sub-parser per subcommand.

    `configure_subcommands`: give each sub-parser its real options (imports every command module;
    for completion). Otherwise they are placeholders that only carry their one line of help.
    """
    p = argparse.ArgumentParser(prog="gentui", description=DESCRIPTION, formatter_class=_formatter,
                                epilog=f"{EXIT_CODES}\n\nEach command has its own help: gentui COMMAND --help")
    add_cockpit_options(p)
    commands = p.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        if configure_subcommands:
            sub = commands.add_parser(name, help=help_text, description=help_text, formatter_class=_formatter,
                                      epilog=EXIT_CODES)
            importlib.import_module(module_name).configure(sub)
            add_global_options(sub, documented_only=True)
            _fill(sub)
        else:
            sub = commands.add_parser(name, help=help_text, add_help=False)
            sub.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return p


def _cockpit_parser() -> argparse.ArgumentParser:
    """The cockpit's parser (the subcommands as placeholders): what `gentui [options]` is parsed with."""
    return build_parser()


def subcommand_parser(name: str) -> argparse.ArgumentParser:
    module_name, help_text = SUBCOMMANDS[name]
    parser = argparse.ArgumentParser(prog=f"gentui {name}", description=help_text, formatter_class=_formatter,
                                     epilog=EXIT_CODES)
    importlib.import_module(module_name).configure(parser)
    add_global_options(parser, documented_only=True)
    _fill(parser)
    return parser


def _subcommand(name: str, argv: Sequence[str], common: argparse.Namespace) -> int:
    module = importlib.import_module(SUBCOMMANDS[name][0])
    args = subcommand_parser(name).parse_args(list(argv))
    args.config, args.debug, args.command_name = common.config, common.debug, name
    return int(module.run(args) or 0)


def _complete() -> None:
    """Answer the shell's completion request (argcomplete exits the process itself)."""
    try:
        import argcomplete
    except ImportError:  # nothing to offer: the shell falls back to file names
        return
    argcomplete.autocomplete(build_parser(configure_subcommands=True))


def main(argv: Sequence[str] | None = None) -> int:
    if argv is None and "_ARGCOMPLETE" in os.environ:
        _complete()  # answers and exits; without argcomplete, nothing to offer and nothing else to run
        return 1
    argv = list(sys.argv[1:] if argv is None else argv)
    from gentui.settings.paths import set_config_file

    try:
        common, rest = split_global_options(argv)
    except SystemExit as exc:  # `--config` without its PATH: argparse said so on stderr
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    previous = set_config_file(common.config) if common.config is not None else None
    try:
        code = _route(rest, common)
        sys.stdout.flush()  # a reader that went away shows up here, not in the interpreter's final flush
        return code
    except BrokenPipeError:  # `gentui keys | head -1`: stop quietly, the way Python's docs advise
        with contextlib.suppress(OSError, ValueError, AttributeError):
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())  # the final flush at exit then goes nowhere
        return EXIT_BROKEN_PIPE
    finally:
        if common.config is not None:
            set_config_file(previous)


def _route(argv: list[str], common: argparse.Namespace) -> int:
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return _subcommand(argv[0], argv[1:], common)
        args = _cockpit_parser().parse_args(argv)
        if args.command is not None:
            print(f"gentui: the cockpit's options go without a command, a command's after its name: "
                  f"gentui {args.command} [options] (see gentui {args.command} --help)", file=sys.stderr)
            return EXIT_USAGE
        args.config, args.debug = common.config, common.debug
        from gentui.commands.cockpit import run

        return int(run(args) or 0)
    except KeyboardInterrupt:
        return 130
    except SystemExit as exc:  # argparse: usage errors exit 2, --help exits 0
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)


if __name__ == "__main__":
    raise SystemExit(main())
