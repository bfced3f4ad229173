"""The local journal: every charged POST's intent is written before it is sent (SQLite).

Before a generate, continue or render goes out, its intent (base URL, agent, engine, cell, card,
Idempotency-Key, owning process) is committed; after it, the generation id. If the app dies in
between, the next start finds intents whose owner is gone and offers to finish them: an intent with
a generation id is watched again; one without is sent again with the same Idempotency-Key, so the
server never charges twice. The journal is also this machine's record of what it spent.

Opening checks the file before trusting it: a regular file, mode 0600 (its -wal and -shm too, which
SQLite creates with the database's mode), writable, and whole (`PRAGMA quick_check`). Anything else
is a `JournalError`: one line naming the file and what to do about it.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from gentui.api.urls import without_userinfo
from gentui.core.card import Card

SCHEMA = """
CREATE TABLE IF NOT EXISTS intents (
    idempotency_key TEXT PRIMARY KEY,
    created_at REAL NOT NULL,
    updated_at REAL NOT NULL,
    base_url TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    engine_id TEXT NOT NULL,
    row_id TEXT,
    column_id TEXT,
    cell_id TEXT NOT NULL,
    action TEXT NOT NULL,
    generation_type TEXT,
    card_json TEXT,
    estimate TEXT,
    generation_id TEXT,
    state TEXT NOT NULL,          -- intent | sent | failed | abandoned
    error TEXT,
    batch_id TEXT,
    owner_pid INTEGER NOT NULL,
    owner_started REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS intents_engine ON intents (base_url, agent_id, engine_id, state);
"""


def process_start(pid: int) -> float:
    """A process's start time (jiffies since boot on Linux), so a reused pid is not taken for its owner."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return float(fields[19])
    except (OSError, IndexError, ValueError):
        return 0.0


def owner_alive(pid: int, started: float) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    current = process_start(pid)
    return current == 0.0 or started == 0.0 or current == started


@dataclass(frozen=True)
class Intent:
    idempotency_key: str
    created_at: float
    base_url: str
    agent_id: str
    engine_id: str
    row_id: str | None
    column_id: str | None
    cell_id: str
    action: str
    generation_type: str | None
    data: dict[str, Any] | None
    estimate: Decimal | None
    generation_id: str | None
    state: str
    error: str | None
    batch_id: str | None
    owner_pid: int

    @property
    def key(self) -> tuple[str, str] | None:
        return (self.row_id, self.column_id) if self.row_id and self.column_id else None

    @property
    def card(self) -> Card | None:
        if self.generation_type is None:
            return None
        return Card(self.generation_type, dict(self.data or {}), "journal", "journal")


FILE_MODE = 0o600  # the journal holds cards (engine content) and spend: the owner's alone
SIDE_FILES = ("-wal", "-shm", "-journal")


class JournalError(sqlite3.Error):
    """The journal cannot be used: `problem` and `advice` say why and what to do, for `path`.

    An `sqlite3.Error`, so a caller that already treats a broken database as no journal keeps doing so.
    """

    def __init__(self, path: Path, problem: str, advice: str) -> None:
        super().__init__(f"journal {path}: {problem}; {advice}")
        self.path, self.problem, self.advice = path, problem, advice


def _private(path: Path, fd: int | None = None) -> None:
    """No access for group and others on a file of ours (another user's is left to SQLite to judge)."""
    info = os.fstat(fd) if fd is not None else os.stat(path)
    mode = stat.S_IMODE(info.st_mode)
    if info.st_uid == os.getuid() and mode & 0o077:  # group and others out; a read-only file stays read-only
        if fd is not None:
            os.fchmod(fd, mode & ~0o077)
        else:
            os.chmod(path, mode & ~0o077)


def prepare_file(path: Path) -> None:
    """Make the journal's folder (0700) and file (0600) if missing; check it is a regular file; make an
    existing one (and its side files) 0600, whoever made the folder and whatever the umask."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    fd = os.open(path, os.O_RDONLY | os.O_CREAT | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0), FILE_MODE)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise JournalError(path, "not a regular file", "remove it, or run with --readonly")
        with contextlib.suppress(OSError):  # an immutable file: SQLite says it cannot be written
            _private(path, fd)
    finally:
        os.close(fd)
    for suffix in SIDE_FILES:
        with contextlib.suppress(OSError):  # missing (the usual case between runs)
            _private(Path(f"{path}{suffix}"))


def explain(path: Path, exc: BaseException) -> JournalError:
    """What an error opening the journal means for the user, and what to do."""
    if isinstance(exc, JournalError):
        return exc
    text = " ".join(str(exc.strerror if isinstance(exc, OSError) and exc.strerror else exc).split())[:200]
    low = text.lower()
    if isinstance(exc, sqlite3.DatabaseError) and ("not a database" in low or "malformed" in low or "corrupt" in low):
        return JournalError(path, f"damaged ({text})",
                            f"move it aside (mv '{path}' '{path}.broken') and start again, or run with --readonly")
    if "locked" in low or "busy" in low:
        return JournalError(path, f"in use ({text})", "close the other program using it, or run with --readonly")
    return JournalError(path, f"cannot be written ({text})",
                        f"make it and its folder {path.parent} writable by you, or run with --readonly")


class Journal:
    """One SQLite file; safe for several gentui processes on one machine.

    Raises `JournalError` (one line: the file, the problem, what to do) when the file cannot be used.
    """

    def __init__(self, path: Path | str, *, base_url: str = "", agent_id: str = "", engine_id: str = "") -> None:
        self.path = Path(path)
        memory = str(path) == ":memory:"
        db: sqlite3.Connection | None = None
        try:
            if not memory:
                prepare_file(self.path)
            db = sqlite3.connect(str(path), timeout=10, isolation_level=None, check_same_thread=False)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            if not memory:
                check = db.execute("PRAGMA quick_check(1)").fetchone()
                if not check or check[0] != "ok":
                    raise sqlite3.DatabaseError("database disk image is malformed (quick_check)")
                db.execute("BEGIN IMMEDIATE")  # can this process write it? (a read-only file opens fine)
                try:
                    version = int(db.execute("PRAGMA user_version").fetchone()[0])
                    db.execute(f"PRAGMA user_version = {version}")  # a real write, rolled back
                finally:
                    db.execute("ROLLBACK")
        except (OSError, sqlite3.Error) as exc:
            if db is not None:
                with contextlib.suppress(sqlite3.Error):
                    db.close()
            raise explain(self.path, exc) from None
        self.db = db
        if not memory:
            for suffix in SIDE_FILES:  # SQLite made them with the database's mode; make sure
                with contextlib.suppress(OSError):
                    _private(Path(f"{self.path}{suffix}"))
        self.base_url, self.agent_id, self.engine_id = without_userinfo(base_url), agent_id, engine_id
        self.pid = os.getpid()
        self.started = process_start(self.pid)
        self.batch_id: str | None = None
        self.estimates: dict[str, Decimal] = {}

    def bind(self, *, base_url: str | None = None, agent_id: str | None = None, engine_id: str | None = None) -> None:
        self.base_url = without_userinfo(base_url) if base_url is not None else self.base_url
        self.agent_id = agent_id if agent_id is not None else self.agent_id
        self.engine_id = engine_id if engine_id is not None else self.engine_id

    durable = True  # what it holds outlives the process (the quit dialog says so only when true)

    def close(self) -> None:
        self.db.close()

    @contextlib.contextmanager
    def _writing(self, after_send: bool = False) -> Iterator[None]:
        """A failed write (a full disk, a file gone read-only) is a JournalError saying what it means."""
        try:
            yield
        except JournalError:
            raise
        except sqlite3.Error as exc:
            advice = ("the server has it; gentui watches it, but a restart may offer to send it again with the"
                      " same key (not charged twice)" if after_send else "nothing was sent")
            raise JournalError(self.path, f"cannot be written ({exc})",
                               f"{advice}; free disk space or make the file writable") from None

    # --- the IntentLog protocol ------------------------------------------------------------------
    def begin(self, action: str, key: tuple[str, str], cell_id: str, card: Card | None, *,
              estimate: Decimal | None = None, batch_id: str | None = None) -> str:
        idem = str(uuid.uuid4())
        now = time.time()
        with self._writing():
            self.db.execute(
                "INSERT INTO intents VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                (idem, now, now, self.base_url, self.agent_id, self.engine_id, key[0], key[1], cell_id, action,
                 card.generation_type if card else None, json.dumps(card.data, default=str) if card else None,
                 str(estimate) if estimate is not None else None, None, "intent", None, batch_id or self.batch_id,
                 self.pid, self.started),
            )
        return idem

    def begin_many(self, action: str, items: list[tuple[tuple[str, str], str, Card | None, Decimal | None]], *,
                   batch_id: str | None = None) -> list[str]:
        """`begin` for a whole batch in one transaction: (key, cell id, card, estimate) each; the keys, in order."""
        keys: list[str] = []
        with self._writing():
            self.db.execute("BEGIN IMMEDIATE")
            try:
                for key, cell_id, card, estimate in items:
                    keys.append(self.begin(action, key, cell_id, card, estimate=estimate, batch_id=batch_id))
                self.db.execute("COMMIT")
            except BaseException:
                with contextlib.suppress(sqlite3.Error):
                    self.db.execute("ROLLBACK")
                raise
        return keys

    def _update(self, sql: str, params: tuple[Any, ...], *, after_send: bool = True) -> None:
        with self._writing(after_send):
            self.db.execute(sql, params)

    def done(self, idempotency_key: str, generation_id: str) -> None:
        self._update("UPDATE intents SET generation_id=?, state='sent', error=NULL, updated_at=? "
                     "WHERE idempotency_key=?", (generation_id, time.time(), idempotency_key))

    def failed(self, idempotency_key: str, reason: str) -> None:
        """The POST failed for sure (a 4xx): nothing was charged; the intent is closed."""
        self._update("UPDATE intents SET state='failed', error=?, updated_at=? WHERE idempotency_key=?",
                     (reason[:500], time.time(), idempotency_key))

    def uncertain(self, idempotency_key: str, reason: str) -> None:
        """The POST may or may not have reached the server: keep the intent open for a resend."""
        self._update("UPDATE intents SET error=?, updated_at=? WHERE idempotency_key=?",
                     (reason[:500], time.time(), idempotency_key))

    def abandon(self, idempotency_key: str) -> None:
        self._update("UPDATE intents SET state='abandoned', updated_at=? WHERE idempotency_key=?",
                     (time.time(), idempotency_key), after_send=False)

    def claim(self, idempotency_key: str) -> None:
        """Take over an orphaned intent (this process now owns it)."""
        self._update("UPDATE intents SET owner_pid=?, owner_started=?, updated_at=? WHERE idempotency_key=?",
                     (self.pid, self.started, time.time(), idempotency_key), after_send=False)

    # --- reading -----------------------------------------------------------------------------------
    def _rows(self, where: str, params: tuple[Any, ...]) -> Iterator[tuple[Intent, int, float]]:
        cur = self.db.execute(
            "SELECT idempotency_key, created_at, base_url, agent_id, engine_id, row_id, column_id, cell_id, action,"
            " generation_type, card_json, estimate, generation_id, state, error, batch_id, owner_pid, owner_started"
            f" FROM intents WHERE {where} ORDER BY created_at", params)
        for row in cur.fetchall():
            data = json.loads(row[10]) if row[10] else None
            intent = Intent(row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7], row[8], row[9], data,
                            Decimal(row[11]) if row[11] else None, row[12], row[13], row[14], row[15], row[16])
            yield intent, row[16], row[17]

    def get(self, idempotency_key: str) -> Intent | None:
        return next((i for i, _, _ in self._rows("idempotency_key=?", (idempotency_key,))), None)

    def by_generation(self, generation_id: str) -> Intent | None:
        """The intent (of this API) whose answer was `generation_id`: the card this machine sent for that take."""
        try:
            return next((i for i, _, _ in self._rows("base_url=? AND generation_id=?", (self.base_url, generation_id))),
                        None)
        except sqlite3.Error:  # a damaged or locked journal: the take shows what the server tells instead
            return None

    def open_intents(self) -> list[Intent]:
        """Intents of this engine not yet answered (state `intent`), whoever owns them."""
        return [i for i, _, _ in self._rows("base_url=? AND agent_id=? AND engine_id=? AND state='intent'",
                                              (self.base_url, self.agent_id, self.engine_id))]

    def orphans(self, *, since: float | None = None) -> list[Intent]:
        """Intents of this engine whose owning process is gone: unsent ones, and sent ones (to watch)."""
        since = since if since is not None else time.time() - 86_400
        out = []
        for intent, pid, started in self._rows(
            "base_url=? AND agent_id=? AND engine_id=? AND state IN ('intent','sent') AND created_at>=?",
            (self.base_url, self.agent_id, self.engine_id, since),
        ):
            if pid == self.pid and started == self.started:
                continue
            if not owner_alive(pid, started):
                out.append(intent)
        return out

    def all(self) -> list[Intent]:
        return [i for i, _, _ in self._rows("1=1", ())]

    def spend_by_day(self) -> list[tuple[str, str, int, Decimal]]:
        """(day, engine id, generations sent, estimated credits) from this machine's intents."""
        cur = self.db.execute(
            "SELECT date(created_at, 'unixepoch'), engine_id, count(*), group_concat(coalesce(estimate, '0'), ' ')"
            " FROM intents WHERE state='sent' GROUP BY 1, 2 ORDER BY 1 DESC, 2")
        return [(d, e, n, sum((Decimal(x) for x in (s or "").split()), Decimal(0))) for d, e, n, s in cur.fetchall()]
