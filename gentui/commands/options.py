"""Command-line options that several `gentui` commands share (no heavy imports: the router reads them)."""

from __future__ import annotations

import argparse


def add_connection_options(p: argparse.ArgumentParser) -> None:
    """The options every command that talks to the API shares."""
    p.add_argument("--base-url", dest="base_url", metavar="URL", help="API root including /v1 (default https://api.gen.pro/v1)")
    p.add_argument("--agent", dest="agent_id", metavar="ID", help="agent id (default: agent_id in config)")
    p.add_argument("--engine", dest="engine_id", metavar="ID", help="engine id (default: engine_id in config)")
    p.add_argument(
        "--allow-insecure-http",
        dest="allow_insecure_http",
        action="store_true",
        default=None,
        help="allow http:// to a host that is not loopback",
    )
