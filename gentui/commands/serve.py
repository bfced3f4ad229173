"""`gentui serve`: the app in a browser through textual-serve, on loopback unless `--public`."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys

from gentui.commands.exit_codes import EXIT_USAGE
from gentui.commands.options import add_connection_options
from gentui.core.text import terminal_safe


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


def resolve(host: str) -> list[str]:
    """Every address `host` names (an address names itself); raises OSError when it does not resolve."""
    name = host.strip("[]")
    try:
        infos = socket.getaddrinfo(name, None, proto=socket.IPPROTO_TCP)
    except UnicodeError as exc:  # a label too long or not encodable as IDNA
        raise OSError(str(exc)) from None
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise OSError("no address")
    return addresses


def _all_loopback(addresses: list[str]) -> bool:
    try:
        return all(ipaddress.ip_address(a).is_loopback for a in addresses)
    except ValueError:
        return False


def is_loopback(host: str) -> bool:
    """True when every address the host resolves to is loopback (never by its name: `127.evil.example`
    is whatever DNS says it is); an unresolvable host is not loopback."""
    try:
        return _all_loopback(resolve(host))
    except OSError:
        return False


def run(args: argparse.Namespace) -> int:
    try:
        addresses = resolve(args.host)
    except OSError as exc:
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        print(f"gentui: cannot serve on {terminal_safe(args.host)!r}: the host does not resolve ({reason})",
              file=sys.stderr)
        return EXIT_USAGE
    local = _all_loopback(addresses)
    if not local and not args.public:
        print(f"gentui: refusing to serve on {terminal_safe(args.host)} ({', '.join(addresses)}): textual-serve has "
              "no authentication and the app spends your credits; pass --public if you really mean it", file=sys.stderr)
        return EXIT_USAGE
    if not local:
        print("gentui: WARNING: serving without authentication on a public address", file=sys.stderr)
    try:
        from textual_serve.server import Server
    except ImportError:
        print("gentui: serve needs textual-serve: pip install textual-serve", file=sys.stderr)
        return EXIT_USAGE
    # bind the address that was checked, not a name that could resolve elsewhere by the time it is bound
    host = addresses[0] if local else args.host
    Server(app_command(args), host=host, port=args.port, title="gentui").serve()
    return 0
