"""`gentui serve`: the app in a browser through textual-serve, on loopback unless `--public`."""

from __future__ import annotations

import argparse
import ipaddress
import shlex
import socket
import sys
from urllib.parse import urlsplit

from gentui.commands.exit_codes import EXIT_USAGE
from gentui.commands.options import add_connection_options
from gentui.core.text import terminal_safe


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1",
                        help="address to listen on (default %(default)s; IPv6 as ::1; loopback unless --public)")
    parser.add_argument("--port", type=int, default=8000, help="port to listen on (default %(default)s)")
    parser.add_argument("--public", action="store_true",
                        help="allow a non-loopback host (anyone who has the printed URL and its token can drive the app)")
    parser.add_argument("--public-url", default=None, metavar="URL",
                        help="the URL browsers use to reach this server (e.g. https://tui.example.com behind a proxy, "
                             "or http://HOST:PORT for a --public bind on 0.0.0.0); the printed URL and the page's "
                             "links use it")
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
    if getattr(args, "config", None):
        from gentui.settings.paths import config_file_override

        argv += ["--config", str(config_file_override() or args.config)]  # absolute: as the command line meant
    if getattr(args, "debug", False):
        argv.append("--debug")
    return shlex.join(argv)


SERVE_EXTRA = "gentui serve needs the serve extra: pip install 'gentui[serve]'"


def _unspecified(addresses: list[str]) -> bool:
    """A wildcard bind (0.0.0.0, ::): no browser can open a URL on it."""
    try:
        return any(ipaddress.ip_address(a).is_unspecified for a in addresses)
    except ValueError:
        return False


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


def public_url_problem(url: str) -> str | None:
    """Why `url` cannot be the address browsers open (None when it can): http(s), a host, nothing secret."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"not a URL ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return "must be an http:// or https:// URL"
    if not parts.hostname:
        return "has no host"
    if parts.username is not None or parts.password is not None:
        return "must not carry a user name or password"
    if parts.query or parts.fragment:
        return "must not carry a query or fragment (the token is added to it)"
    return None


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
        print(f"gentui: refusing to serve on {terminal_safe(args.host)} ({', '.join(addresses)}): the app spends "
              "your credits and only a secret token would guard it; pass --public if you really mean it",
              file=sys.stderr)
        return EXIT_USAGE
    if args.public_url is not None:
        problem = public_url_problem(args.public_url)
        if problem:
            print(f"gentui: --public-url {terminal_safe(args.public_url)!r}: {problem}", file=sys.stderr)
            return EXIT_USAGE
    if not local:
        print("gentui: WARNING: serving on a public address: every request needs the secret token in the printed "
              "URL; anyone who has that URL can drive the app and spend your credits", file=sys.stderr)
    try:
        from gentui.commands.serve_guard import GuardedServer, new_token
    except ImportError:  # textual-serve, aiohttp or aiohttp-jinja2 is missing
        print(SERVE_EXTRA, file=sys.stderr)
        return EXIT_USAGE
    if args.public and args.public_url is None and _unspecified(addresses):
        print(f"gentui: note: a browser cannot open {terminal_safe(args.host)}: give --public-url http://NAME:{args.port} "
              "with the name or address other machines reach this one by", file=sys.stderr)
    # bind the address that was checked, not a name that could resolve elsewhere by the time it is bound
    host = addresses[0] if local else args.host
    names = [args.host, *addresses, *(["localhost", "127.0.0.1", "::1"] if local else [])]
    GuardedServer(app_command(args), host=host, port=args.port, title="gentui", token=new_token(), names=names,
                  public_url=args.public_url).serve()
    return 0
