"""`gentui login [--key-stdin] [--base-url URL]`: check a key with `GET /v1/me`, then store it (mode 0600).

A rejected key is never stored (exit 3); an unreachable server stores nothing either (exit 5).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import os
import sys
from typing import Any
from urllib.parse import urlsplit

from gentui.commands.exit_codes import EXIT_AUTH, EXIT_OK, EXIT_UNREACHABLE, EXIT_USAGE
from gentui.logs import start_from_settings
from gentui.settings import ConfigError, check_base_url, display_path, load_settings, update_config
from gentui.settings.schema import is_loopback


def configure(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Ask for your GEN API key (no echo), check it with GET /v1/me and store it in "
                          "config.toml (mode 0600). A rejected key is not stored.")
    parser.add_argument("--key-stdin", action="store_true", help="read the key from standard input (one line)")
    parser.add_argument("--base-url", dest="base_url", metavar="URL",
                        help="API root including /v1; stored with the key (default: your base_url setting)")
    parser.add_argument("--allow-insecure-http", dest="allow_insecure_http", action="store_true", default=None,
                        help="allow http:// to a host that is not loopback (also stored)")


def read_key(from_stdin: bool) -> str:
    """The key, from standard input or typed without echo; EOFError when standard input is closed."""
    if sys.stdin is None:  # `gentui login <&-`: no terminal to ask, nothing to read
        raise EOFError("standard input is closed")
    if from_stdin:
        return sys.stdin.readline().strip()
    return getpass.getpass("GEN API key (input hidden): ").strip()


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


def who(me: Any) -> str:
    """`NAME (email)` from the /me answer (a model or a dict, maybe nesting a `user`), with what there is."""
    nested = _get(me, "user")
    source = nested if nested is not None and not isinstance(nested, str) else me
    name = next((str(v) for n in ("name", "full_name", "username", "display_name") if (v := _get(source, n))), None)
    email = _get(source, "email") or None
    if name and email:
        return f"{name} ({email})"
    return name or email or "this key's user"


async def check_key(base_url: str, api_key: str, allow_insecure_http: bool = False) -> Any:
    """The `/me` answer for this key (raises the client's errors)."""
    from gentui.api.client import GenClient
    from gentui.commands.common import note_ignored_proxy

    async with GenClient(base_url, api_key, max_attempts=2, allow_insecure_http=allow_insecure_http) as client:
        note_ignored_proxy(client)
        return await client.me()


def run(args: argparse.Namespace) -> int:
    from gentui.api import errors
    from gentui.commands.common import exit_code
    from gentui.core.formatting import describe_error
    from gentui.core.text import one_line, safe_text, terminal_safe

    cli = {"base_url": args.base_url, "allow_insecure_http": args.allow_insecure_http}
    try:
        loaded = load_settings(cli)
        settings = loaded.settings
        base_url = check_base_url(settings.base_url, settings.allow_insecure_http)
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        api_key = read_key(args.key_stdin)
    except EOFError:
        api_key = ""
    if not api_key:
        print("gentui: no key given; nothing stored", file=sys.stderr)
        return EXIT_USAGE

    start_from_settings(settings, loaded.paths.log, debug=bool(getattr(args, "debug", False)), what="gentui login",
                        secrets=[api_key])
    try:
        me = asyncio.run(check_key(base_url, api_key, settings.allow_insecure_http))
    except ValueError as exc:  # a key that cannot go in a header: the client says so without echoing it
        print(f"gentui: {exc}; nothing stored", file=sys.stderr)
        return EXIT_USAGE
    except errors.AuthError as exc:
        status = f"HTTP {exc.status}: " if exc.status else ""
        print(f"gentui: {base_url} rejected the key ({status}{safe_text(exc.message, 300)}); nothing stored", file=sys.stderr)
        return EXIT_AUTH
    except errors.GenApiError as exc:
        print(f"gentui: could not check the key with {base_url}: {describe_error(exc)} (nothing stored)",
              file=sys.stderr)
        return exit_code(exc) if exit_code(exc) != 1 else EXIT_UNREACHABLE

    values: dict[str, Any] = {"api_key": api_key}
    if args.base_url is not None:
        values["base_url"] = base_url
        if urlsplit(base_url).scheme.lower() == "http" and not is_loopback(urlsplit(base_url).hostname or ""):
            values["allow_insecure_http"] = True  # else the stored base_url would be refused next time
    paths = loaded.paths
    try:
        update_config(values, paths)
    except (ConfigError, OSError) as exc:
        print(f"gentui: the key works but could not be stored: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Logged in as {terminal_safe(one_line(who(me), 200))}; key stored in {display_path(paths.config)}")
    for var in ("GENTUI_API_KEY", "GEN_API_KEY"):
        if os.environ.get(var, "").strip() and os.environ[var].strip() != api_key:
            print(f"gentui: note: {var} is set in your environment and overrides the stored key", file=sys.stderr)
            break
    return EXIT_OK
