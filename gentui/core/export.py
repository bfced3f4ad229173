"""An engine's whole generation history as records, CSV or JSON (used by `gentui export` and the `x` key).

One record per generation of every cell, rows in sheet order, newest first within a cell, with the
server's final cost. The CSV is meant to be opened in a spreadsheet by someone else: text that a
spreadsheet would run as a formula (`=`, `+`, `-`, `@` first) is prefixed with `'`. Files are
written mode 0600 (they hold the engine's content and its spend), whatever the umask or the folder.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import stat
from pathlib import Path
from typing import Any

from gentui.api import vocab
from gentui.api.models import Engine

FIELDS = ("row", "row_id", "column", "column_id", "cell_id", "generation_id", "displayed", "status",
          "user_job_type", "generation_type", "execution_cost", "created_at", "updated_at", "failed_reason",
          "output_urls", "result")
TEXT_FIELDS = ("column", "user_job_type", "failed_reason", "output_urls", "result")
FORMATS = ("csv", "json")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def history_records(engine: Engine) -> list[dict[str, Any]]:
    """One record per generation of every cell, newest first within a cell."""
    columns = {c.id: c for c in engine.columns}
    rows = sorted(enumerate(engine.rows), key=lambda p: (p[1].position if p[1].position is not None else p[0], p[0]))
    out: list[dict[str, Any]] = []
    for number, (_, row) in enumerate(rows, start=1):
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
                    "output_urls": " ".join(o.url for o in gen.output_resources or [] if o.url),
                    "result": result,
                })
    return out


def _cell(name: str, value: Any) -> Any:
    if value is None:
        return ""
    if name in TEXT_FIELDS and isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def format_records(records: list[dict[str, Any]], fmt: str) -> str:
    """The records as CSV (a header, one line per generation) or JSON (a list of objects)."""
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt != "csv":
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({k: _cell(k, record.get(k)) for k in FIELDS})
    return buffer.getvalue()


def file_name(engine_id: str, stamp: str, fmt: str) -> str:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in str(engine_id))[:40] or "engine"
    return f"gentui-engine-{safe}-{stamp}.{fmt}"


def export_files(records: list[dict[str, Any]], formats: tuple[str, ...], engine_id: str,
                 stamp: str) -> list[tuple[str, str]]:
    """(file name, text) for each format: what an export writes (or, in a browser, hands over)."""
    return [(file_name(engine_id, stamp, fmt), format_records(records, fmt)) for fmt in formats]


FILE_MODE = 0o600


def write_private(path: Path, text: str) -> Path:
    """Write `text` to `path`, a regular file left at mode 0600 (created so, or made so if it existed).

    A FIFO or device the user named (`--output /dev/stdout`) is written to as it is. Raises OSError.
    """
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        if stat.S_ISREG(os.fstat(fd).st_mode) and stat.S_IMODE(os.fstat(fd).st_mode) != FILE_MODE:
            with contextlib.suppress(PermissionError):  # another user's file we may write: theirs to guard
                os.fchmod(fd, FILE_MODE)
        out.write(text)
    return path


def output_dir(last_resort: Path | None = None, *, downloads: Path | None = None, cwd: Path | None = None) -> Path:
    """Where a screenshot or an export goes, one rule for both: the user's downloads folder when it exists,
    else the current folder when it can be written, else `last_resort` (gentui's state folder)."""
    if downloads is None:
        from platformdirs import user_downloads_path

        try:
            downloads = user_downloads_path()
        except (OSError, RuntimeError, KeyError):  # platformdirs may not know this platform
            downloads = None
    if downloads is not None and downloads.is_dir():
        return downloads
    here = cwd if cwd is not None else _cwd()
    if here is not None and os.access(here, os.W_OK | os.X_OK):
        return here
    return last_resort if last_resort is not None else (here or Path.home())


def _cwd() -> Path | None:
    try:
        return Path.cwd()
    except OSError:  # the current folder was removed
        return None


def write_export(folder: Path, name: str, text: str) -> Path:
    """Write one export file (mode 0600), making its folder; an OSError says which file could not be written."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    return write_private(path, text)
