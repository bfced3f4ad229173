"""`gentui export --engine ID --format csv|json [--output FILE]`: every cell's whole history, no UI."""

from __future__ import annotations

import argparse
import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

from gentui.api import vocab
from gentui.api.models import Engine
from gentui.commands.common import configure_connection, run_with_client

FIELDS = ("row", "row_id", "column", "column_id", "cell_id", "generation_id", "displayed", "status",
          "user_job_type", "generation_type", "execution_cost", "created_at", "updated_at", "failed_reason",
          "output_urls", "result")


def configure(parser: argparse.ArgumentParser) -> None:
    configure_connection(parser)
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--output", "-o", help="file to write (default: standard output)")


def history_records(engine: Engine) -> list[dict[str, Any]]:
    """One record per generation of every cell, newest first within a cell."""
    columns = {c.id: c for c in engine.columns}
    out: list[dict[str, Any]] = []
    for number, row in enumerate(engine.rows, start=1):
        for cell in row.cells:
            column = columns.get(cell.column_id or "")
            displayed = cell.user_job_id or (cell.default_user_job.id if cell.default_user_job else None)
            jobs = {g.id: g for g in [*(cell.user_jobs or []), *([cell.default_user_job] if cell.default_user_job else [])]}
            for gen in sorted(jobs.values(), key=lambda g: (g.created_at.timestamp() if g.created_at else 0,
                                                            int(g.id) if g.id.isdigit() else 0), reverse=True):
                result = gen.result if isinstance(gen.result, str) or gen.result is None else json.dumps(gen.result)
                out.append({
                    "row": number, "row_id": row.id, "column": column.title if column else "",
                    "column_id": cell.column_id, "cell_id": cell.id, "generation_id": gen.id,
                    "displayed": gen.id == displayed, "status": gen.status.value, "user_job_type": gen.user_job_type,
                    "generation_type": vocab.canonical_type(gen.user_job_type),
                    "execution_cost": str(gen.execution_cost) if gen.execution_cost is not None else None,
                    "created_at": gen.created_at.isoformat() if gen.created_at else None,
                    "updated_at": gen.updated_at.isoformat() if gen.updated_at else None,
                    "failed_reason": gen.failed_reason,
                    "output_urls": " ".join(o.url for o in gen.output_resources if o.url),
                    "result": result,
                })
    return out


def render(records: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: "" if record.get(k) is None else record[k] for k in FIELDS})
    return buffer.getvalue()


def run(args: argparse.Namespace) -> int:
    async def body(settings, client, agent_id: str) -> int:
        if not settings.engine_id:
            print("gentui: export needs --engine ID (or engine_id in config)", file=sys.stderr)
            return 2
        engine = await client.get_engine(agent_id, settings.engine_id, with_execution_cost=True)
        text = render(history_records(engine), args.format)
        if args.output:
            Path(args.output).write_text(text, encoding="utf-8")
            print(f"wrote {args.output}", file=sys.stderr)
        else:
            sys.stdout.write(text)
        return 0

    return run_with_client(args, body)
