"""What the non-UI commands share: settings -> client, agent resolution, errors -> exit codes."""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from typing import Any

from gentui.api import errors
from gentui.commands.exit_codes import EXIT_AUTH, EXIT_NOT_FOUND, EXIT_UNREACHABLE, EXIT_USAGE
from gentui.commands.options import add_connection_options
from gentui.logs import start_from_settings
from gentui.settings import ConfigError, check_base_url, load_settings


def configure_connection(parser: argparse.ArgumentParser) -> None:
    add_connection_options(parser)


def exit_code(exc: BaseException) -> int:
    if isinstance(exc, errors.AuthError):
        return EXIT_AUTH
    if isinstance(exc, (errors.NotFoundError, errors.AgentNotFoundError)):
        return EXIT_NOT_FOUND
    if isinstance(exc, (errors.TransportError, errors.ServerError, errors.RateLimitedError,
                        errors.MalformedResponseError)):
        return EXIT_UNREACHABLE
    return 1


def note_ignored_proxy(client: Any) -> None:
    """One line on stderr when the client left the environment's proxy out for a plain-http server."""
    if client.ignored_proxy:
        print(f"gentui: not using the proxy {client.ignored_proxy} for {client.base_url}: the key would cross it "
              "in plain http (--allow-insecure-http allows it)", file=sys.stderr)


def run_with_client(args: argparse.Namespace, body: Callable[[Any, Any, str], Awaitable[int]]) -> int:
    """Load settings, open a client, resolve the agent, run `body(settings, client, agent_id)`."""
    from gentui.api.client import GenClient

    cli = {k: getattr(args, k) for k in ("base_url", "agent_id", "engine_id", "allow_insecure_http")
           if getattr(args, k, None) is not None}
    try:
        loaded = load_settings(cli)
        settings = loaded.settings
        base_url = check_base_url(settings.base_url, settings.allow_insecure_http)
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    start_from_settings(settings, loaded.paths.log, debug=bool(getattr(args, "debug", False)),
                        what=f"gentui {getattr(args, 'command_name', 'command')}")
    if not (settings.api_key_value() or "").strip():  # a fresh install: how to get a key, not a 401
        print(f"gentui: {errors.NO_KEY}", file=sys.stderr)
        return EXIT_AUTH

    async def main() -> int:
        async with GenClient(base_url, settings.api_key_value(), engine_prefix=settings.engine_prefix,
                             generation_types=settings.generation_types,
                             allow_insecure_http=settings.allow_insecure_http) as client:
            note_ignored_proxy(client)
            agent_id = settings.agent_id
            if agent_id is None:
                agents = await client.agents()
                if len(agents) != 1:
                    print(f"gentui: {len(agents)} agents: choose one with --agent ID", file=sys.stderr)
                    return EXIT_USAGE
                agent_id = agents[0].id
            return await body(settings, client, agent_id)

    try:
        return asyncio.run(main())
    except errors.GenApiError as exc:
        from gentui.core.formatting import describe_error

        logging.getLogger("gentui").warning("%s", describe_error(exc))
        print(f"gentui: {describe_error(exc)}", file=sys.stderr)
        return exit_code(exc)
