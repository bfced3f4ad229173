"""`gentui serve`: the app in a browser through textual-serve, on loopback unless `--public`."""

from __future__ import annotations

import argparse
import shlex
import sys

from gentui.commands.exit_codes import EXIT_USAGE
from gentui.commands.options import add_connection_options


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--public", action="store_true",
                        help="allow a non-loopback host (textual-serve has no authentication)")
    parser.add_argument("--demo", action="store_true", help="serve the demo")
    parser.add_argument("--readonly", action="store_true", help="the served app cannot spend, stop or edit")
    add_connection_options(parser)


def app_command(args: argparse.Namespace) -> str:
    """The shell command textual-serve runs for each browser session: this gentui, with the options given."""
    argv = [sys.executable, "-m", "gentui"]
    if args.demo:
        argv.append("--demo")
    if args.readonly:
        argv.append("--readonly")
    for option, name in (("--base-url", "base_url"), ("--agent", "agent_id"), ("--engine", "engine_id")):
        if getattr(args, name, None):
            argv += [option, getattr(args, name)]
    if getattr(args, "allow_insecure_http", None):
        argv.append("--allow-insecure-http")
    return shlex.join(argv)


def is_loopback(host: str) -> bool:
    return host in ("localhost", "::1") or host.startswith("127.")


def run(args: argparse.Namespace) -> int:
    if not is_loopback(args.host) and not args.public:
        print(f"gentui: refusing to serve on {args.host}: textual-serve has no authentication and the app spends "
              "your credits; pass --public if you really mean it", file=sys.stderr)
        return EXIT_USAGE
    if not is_loopback(args.host):
        print("gentui: WARNING: serving without authentication on a public address", file=sys.stderr)
    try:
        from textual_serve.server import Server
    except ImportError:
        print("gentui: serve needs textual-serve: pip install textual-serve", file=sys.stderr)
        return EXIT_USAGE
    Server(app_command(args), host=args.host, port=args.port, title="gentui").serve()
    return 0
