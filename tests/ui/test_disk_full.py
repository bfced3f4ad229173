"""A disk that fills under the journal (issue 14 item 9): one clear line, nothing sent, nothing claiming to run.

The journal's connection is wrapped so that every write fails the way SQLite fails on a full disk
(`database or disk is full`); reads still work. Before: `r` did nothing and showed nothing, the
batch bar said "running 0/14" forever, and the quit dialog promised unsent cells were journalled.
"""

from __future__ import annotations

import sqlite3
from decimal import Decimal
from pathlib import Path
from typing import Any

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.core.journal import Journal
from gentui.ui.screens.batch import BatchDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import BASE_URL, SIZE, World, goto, loaded, make_app, wait_for

NO_WARN = Guards(low_balance_warning=Decimal(0))
UNASKED = Guards(confirm="costly", confirm_above=Decimal(1000), low_balance_warning=Decimal(0))  # `r` sends at once
WRITES = ("INSERT", "UPDATE", "BEGIN", "DELETE")


class FullDisk:
    """A connection whose writes fail as on a full disk, once `full` is set."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db, self.full = db, False

    def execute(self, sql: str, *args: Any) -> Any:
        if self.full and sql.lstrip().upper().startswith(WRITES):
            raise sqlite3.OperationalError("database or disk is full")
        return self.db.execute(sql, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.db, name)


def full_journal(tmp_path: Path) -> tuple[Journal, FullDisk]:
    journal = Journal(tmp_path / "journal.sqlite3")
    disk = FullDisk(journal.db)
    journal.db = disk  # type: ignore[assignment]
    return journal, disk


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def charges(world: World) -> dict[str, int]:
    return (await world.stats())["charges_by_idempotency_key"]


async def test_r_on_a_full_disk_says_so_in_one_line_and_sends_nothing(quiet_world, tmp_path):
    journal, disk = full_journal(tmp_path)
    app = make_app(quiet_world, guards=UNASKED, journal=journal, base_url=BASE_URL)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        before = list(app.session.state.cells[key].jobs)
        disk.full = True
        await pilot.press("r")
        await wait_for(pilot, lambda: any("cannot be written" in n for n in notes(app)), what="the disk-full line")
        line = next(n for n in notes(app) if "cannot be written" in n)
        assert line.startswith("regenerate: journal ") and "database or disk is full" in line
        assert "nothing was sent" in line and "\n" not in line
        assert await charges(quiet_world) == {}
        assert list(app.session.state.cells[key].jobs) == before  # no pending generation shown


async def test_a_batch_on_a_full_disk_pauses_with_the_reason_and_quit_does_not_promise_a_resume(quiet_world, tmp_path):
    journal, disk = full_journal(tmp_path)
    app = make_app(quiet_world, guards=NO_WARN, journal=journal, base_url=BASE_URL)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        disk.full = True
        await pilot.press("m")
        await wait_for(pilot, lambda: isinstance(app.screen, BatchDialog), what="the plan dialog")
        await pilot.press("y")
        bar = app.screen.batch_bar
        await wait_for(pilot, lambda: bar.runner is not None and bar.runner.state == "paused", what="the batch to stop")
        text = str(bar.query_one("#batch-text").render())
        assert "running" not in text and "stopped: journal" in text and "cannot be written" in text
        assert any(n.startswith("batch stopped: journal") for n in notes(app))
        assert await charges(quiet_world) == {}
        assert bar.runner.journalled_unsent() == 0
        await pilot.press("q")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the quit question")
        body = str(app.screen.query_one("#body").render()) if app.screen.query("#body") else ""
        shown = body or " ".join(str(w.render()) for w in app.screen.query("Static"))
        assert "Nothing unsent is in a journal" in shown and "stay in the journal" not in shown


async def test_a_write_that_fails_after_the_server_took_it_still_shows_the_generation(quiet_world, tmp_path):
    journal, disk = full_journal(tmp_path)
    app = make_app(quiet_world, guards=UNASKED, journal=journal, base_url=BASE_URL)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        journal_begin = journal.begin

        def begin_then_fill(*args: Any, **kwargs: Any) -> str:
            idem = journal_begin(*args, **kwargs)
            disk.full = True  # the intent is written; the disk fills before the answer's write
            return idem

        journal.begin = begin_then_fill  # type: ignore[method-assign]
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the new generation on the cell")
        await wait_for(pilot, lambda: any("made, but journal" in n for n in notes(app)), what="the warning")
        assert len(await charges(quiet_world)) == 1
