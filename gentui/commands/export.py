"""`gentui export --engine ID --format csv|json [--output FILE]`: every cell's whole history, no UI."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gentui.commands.common import configure_connection, run_with_client
from gentui.core.export import FIELDS, format_records, history_records, write_private
from gentui.core.text import json_safe, terminal_safe

__all__ = ["FIELDS", "configure", "history_records", "format_records", "run"]


def configure(parser: argparse.ArgumentParser) -> None:
    configure_connection(parser)
    parser.add_argument("--format", choices=("csv", "json"), default="csv", help="csv or json (default %(default)s)")
    parser.add_argument("--output", "-o", help="file to write, exactly (default: standard output, where control "
                        "characters from the server are printed as visible escapes such as \\x1b)")


def run(args: argparse.Namespace) -> int:
    async def body(settings, client, agent_id: str) -> int:
        if not settings.engine_id:
            print("gentui: export needs --engine ID (or engine_id in config)", file=sys.stderr)
            return 2
        engine = await client.get_engine(agent_id, settings.engine_id, with_execution_cost=True)
        records = history_records(engine)
        text = format_records(records, args.format)
        if args.format == "json":
            text = json_safe(text)  # the same JSON, with C1 and DEL escaped
        if args.output:
            try:
                write_private(Path(args.output), text)  # mode 0600: the engine's content and spend
            except OSError as exc:
                print(f"gentui: cannot write {args.output}: {exc.strerror or exc}", file=sys.stderr)
                return 2
            print(f"wrote {len(records)} generations to {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(terminal_safe(text) if args.format == "csv" else text)  # no raw escape reaches a terminal
        return 0

    return run_with_client(args, body)
