"""The SQLite journal: intents before POSTs, ids after, orphans only when their owner is gone."""

import subprocess
import sys
from decimal import Decimal

from gentui.core.card import Card
from gentui.core.journal import Journal


def journal(tmp_path):
    return Journal(tmp_path / "j.sqlite3", base_url="http://x/v1", agent_id="1", engine_id="100")


def test_an_intent_is_written_before_and_completed_after(tmp_path):
    j = journal(tmp_path)
    idem = j.begin("regenerate", ("r1", "c1"), "cell9", Card("text", {"prompt": "hi"}), estimate=Decimal(2))
    intent = j.get(idem)
    assert intent.state == "intent" and intent.generation_id is None
    assert intent.card.data == {"prompt": "hi"} and intent.key == ("r1", "c1")
    j.done(idem, "9001")
    assert j.get(idem).state == "sent" and j.get(idem).generation_id == "9001"
    assert j.spend_by_day()[0][1:] == ("100", 1, Decimal(2))


def test_a_live_owner_keeps_its_intents(tmp_path):
    a = journal(tmp_path)
    a.begin("regenerate", ("r1", "c1"), "cell9", None)
    b = journal(tmp_path)
    b.pid = a.pid + 1  # another instance in this very (live) process tree sees a live owner
    assert b.orphans() == []


def test_intents_of_a_dead_process_are_orphans(tmp_path):
    code = (
        "import sys; from gentui.core.journal import Journal;"
        f"j = Journal(r'{tmp_path / 'j.sqlite3'}', base_url='http://x/v1', agent_id='1', engine_id='100');"
        "a = j.begin('regenerate', ('r1','c1'), 'c9', None); b = j.begin('regenerate', ('r2','c1'), 'c10', None);"
        "j.done(b, '77')"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
    j = journal(tmp_path)
    orphans = j.orphans()
    assert sorted((o.cell_id, o.generation_id) for o in orphans) == [("c10", "77"), ("c9", None)]
    j.claim(orphans[0].idempotency_key)
    assert len(j.orphans()) == 1
    other_engine = Journal(tmp_path / "j.sqlite3", base_url="http://x/v1", agent_id="1", engine_id="999")
    assert other_engine.orphans() == []


def test_failed_intents_are_closed_and_uncertain_ones_stay_open(tmp_path):
    j = journal(tmp_path)
    a = j.begin("regenerate", ("r1", "c1"), "c1", None)
    b = j.begin("regenerate", ("r2", "c1"), "c2", None)
    j.failed(a, "InsufficientCreditsError")
    j.uncertain(b, "TransportError: reset")
    assert [i.idempotency_key for i in j.open_intents()] == [b]


# --- a journal that cannot be used: one line naming the file and what to do -------------------------------
import os  # noqa: E402
import sqlite3  # noqa: E402
import stat  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402

from gentui.core.journal import JournalError  # noqa: E402


def a_full_journal(path: Path) -> bytes:
    j = Journal(path, base_url="http://x/v1", agent_id="1", engine_id="100")
    j.begin_many("generate", [((f"r{i}", "c"), f"cell{i}", Card("image", {"prompt": "x" * 300}, "a", "b"),
                               Decimal(1)) for i in range(2000)])
    j.close()
    for suffix in ("-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    return path.read_bytes()


def refused(path: Path) -> JournalError:
    with pytest.raises(JournalError) as info:
        Journal(path, base_url="http://x/v1", agent_id="1", engine_id="100")
    message = str(info.value)
    assert "\n" not in message and str(path) in message and "--readonly" in message
    assert isinstance(info.value, sqlite3.Error)  # callers that treat a broken database as none keep working
    return info.value


@pytest.mark.parametrize("damage", ["garbage", "truncated", "torn", "flipped pages"])
def test_a_damaged_journal_says_move_it_aside(tmp_path: Path, damage: str) -> None:
    path = tmp_path / "journal.sqlite3"
    good = a_full_journal(path)
    page = 4096
    if damage == "garbage":
        bad = os.urandom(3 * page)
    elif damage == "truncated":
        bad = good[: len(good) // 2]
    elif damage == "torn":
        bad = good[: len(good) // 2 + 123]
    else:
        buffer = bytearray(good)
        for at in range(3 * page, len(buffer), 40 * page):
            buffer[at:at + 64] = bytes(64)
        bad = bytes(buffer)
    path.write_bytes(bad)
    error = refused(path)
    assert error.problem.startswith("damaged") and f"mv '{path}' '{path}.broken'" in error.advice
    path.unlink()  # nothing of the failed open is left holding the file
    assert Journal(path).all() == []


def test_an_unwritable_data_directory_says_so(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the folder should be")
    error = refused(tmp_path / "data" / "gentui" / "journal.sqlite3")
    assert error.problem.startswith("cannot be written") and "writable" in error.advice


def test_a_journal_that_is_not_a_regular_file_is_refused_without_blocking(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "journal.sqlite3")
    assert refused(tmp_path / "journal.sqlite3").problem == "not a regular file"


def _make_read_only(path: Path) -> bool:
    """A file this process cannot write: chmod, or for root `chattr +i`; False when neither works here."""
    path.chmod(0o400)
    path.parent.chmod(0o500)
    if not os.access(path, os.W_OK):
        return True
    path.parent.chmod(0o700)
    done = subprocess.run(["chattr", "+i", str(path)], capture_output=True, check=False) \
        if Path("/usr/bin/chattr").exists() or Path("/bin/chattr").exists() else None
    return done is not None and done.returncode == 0


def test_a_read_only_journal_says_so(tmp_path: Path) -> None:
    path = tmp_path / "j" / "journal.sqlite3"
    path.parent.mkdir()
    a_full_journal(path)
    if not _make_read_only(path):
        pytest.skip("cannot make a file read-only for this user here")
    try:
        error = refused(path)
        assert error.problem.startswith("cannot be written")
    finally:
        subprocess.run(["chattr", "-i", str(path)], capture_output=True, check=False)
        path.parent.chmod(0o700)
        path.chmod(0o600)


# --- file modes: 0600 whatever the umask and whoever made the folder --------------------------------------
def test_the_journal_and_its_wal_and_shm_are_0600_whatever_the_umask(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)  # not made by gentui
    old = os.umask(0)
    try:
        j = Journal(folder / "journal.sqlite3", base_url="http://x/v1", agent_id="1", engine_id="100")
        j.begin("generate", ("r", "c"), "cell", Card("image", {"prompt": "secret"}, "a", "b"))
        files = [folder / n for n in ("journal.sqlite3", "journal.sqlite3-wal", "journal.sqlite3-shm")]
        assert all(f.exists() for f in files)
        assert {f.name: oct(stat.S_IMODE(f.stat().st_mode)) for f in files} == {f.name: "0o600" for f in files}
        j.close()
    finally:
        os.umask(old)


def test_an_existing_world_readable_journal_is_made_0600(tmp_path: Path) -> None:
    path = tmp_path / "journal.sqlite3"
    a_full_journal(path)
    side = Path(f"{path}-wal")
    side.write_bytes(b"")
    path.chmod(0o644)
    side.chmod(0o666)
    Journal(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not side.exists() or stat.S_IMODE(side.stat().st_mode) == 0o600
