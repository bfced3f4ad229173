"""`gentui status [--engine ID] --json`: one JSON snapshot of credits and generations, for scripts.

Also what this machine spent per day and per engine, from the local journal (estimates at send
time; the server's bill is the truth). Exit codes: 0 ok, 3 authentication, 4 not found, 5 unreachable.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from gentui.commands.common import configure_connection, run_with_client
from gentui.core.engine_state import EngineState
from gentui.core.text import json_safe
from gentui.settings import default_paths


def configure(parser: argparse.ArgumentParser) -> None:
    configure_connection(parser)
    parser.add_argument("--json", action="store_true", help="print JSON (the only format for now)")


def spend_history(journal_path: Path | None = None) -> list[dict]:
    """This machine's spend per day and engine, newest day first (empty when there is no journal)."""
    path = journal_path or default_paths().journal
    if not path.exists():
        return []
    from gentui.core.journal import Journal

    try:
        journal = Journal(path)
    except sqlite3.Error:
        return []
    try:
        return [{"day": day, "engine_id": engine, "generations": count, "credits_estimated": str(credits)}
                for day, engine, count, credits in journal.spend_by_day()]
    except sqlite3.Error:
        return []
    finally:
        journal.close()


def _money(value: Decimal | None) -> str | None:
    """A balance as text; null when the server sent nothing readable (unknown, never "0")."""
    return None if value is None else str(value)


def _iso(ts: float | None) -> str | None:
    return datetime.fromtimestamp(ts, UTC).isoformat().replace("+00:00", "Z") if ts else None


async def snapshot(settings, client, agent_id: str) -> dict:
    agent = await client.agent(agent_id)
    org = await client.organization(agent.organization_id) if agent.organization_id else None
    out: dict = {
        "agent": {"id": agent.id, "name": agent.name},
        "credits": None if org is None else {
            "organization": org.name,
            "generic": _money(org.available_credit.generic),
            "aura": _money(org.available_credit.aura),
        },
        "engine": None,
        "spend": spend_history(),
    }
    if settings.engine_id:
        state = EngineState(settings.engine_id)
        state.apply_engine(await client.get_engine(agent_id, settings.engine_id))
        rows = state.row_ids()

        def column_title(column_id: str) -> str:
            column = state.column(column_id)
            return column.title if column is not None else column_id

        out["engine"] = {
            "id": settings.engine_id,
            "title": state.title,
            "rows": len(rows),
            "columns": len(state.columns),
            "counts": dict(sorted(state.counts().items())),
            "in_flight": [
                {"generation_id": job.id, "status": job.status, "row": rows.index(key[0]) + 1,
                 "column": column_title(key[1]),
                 "type": job.canonical_type, "created_at": _iso(job.created_at)}
                for key, job in state.in_flight()
            ],
        }
    return out


def run(args: argparse.Namespace) -> int:
    async def body(settings, client, agent_id: str) -> int:
        data = await snapshot(settings, client, agent_id)
        sys.stdout.write(json_safe(json.dumps(data, indent=2, ensure_ascii=False)) + "\n")
        return 0

    return run_with_client(args, body)
