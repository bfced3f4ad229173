"""Crash recovery in the core: sent orphans are claimed and watched, unsent ones offered with their own keys."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import httpx

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import READONLY_REASON, Actions, Guards
from gentui.core.batch import BatchRunner
from gentui.core.card import Card
from gentui.core.events import Notice
from gentui.core.journal import Journal
from gentui.core.recovery import Recovery
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions

NO_WARN = Guards(low_balance_warning=Decimal(0))


async def _no_sleep(_: float) -> None:
    return None


def dead_pid() -> int:
    """The pid of a process that has ended (the owner of the orphans)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


class World:
    def __init__(self, tmp_path: Path) -> None:
        self.app = create_app(SimOptions(quiet=True), clock=ManualClock())
        self.transport = httpx.ASGITransport(app=self.app)
        info = self.app.state.sim.world_info()
        self.events: list[object] = []
        client = GenClient("http://sim/v1", info["api_key"], transport=self.transport, sleep=_no_sleep)
        self.session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]), emit=self.events.append)
        self.path = tmp_path / "journal.sqlite3"
        self.journal = self.open_journal()
        self.watched: list[str] = []

    def open_journal(self) -> Journal:
        return Journal(self.path, base_url="http://sim/v1", agent_id=self.session.agent_id,
                       engine_id=self.session.engine_id)

    def keys(self, n: int) -> list[tuple[str, str]]:
        column = next(c for c in self.session.state.columns if c.generation_type == vocab.IMAGE_FROM_TEXT)
        return [k for k in self.session.state.cells if k[1] == column.id][:n]

    def earlier_gentui(self, unsent: int, sent: int) -> tuple[list[str], list[str]]:
        """Intents left by a process that is gone: (unsent keys, sent keys)."""
        earlier = self.open_journal()
        earlier.pid, earlier.started = dead_pid(), 0.0
        unsent_keys, sent_keys = [], []
        for i, key in enumerate(self.keys(unsent + sent)):
            cell = self.session.state.cells[key]
            card = self.session.state.card(key)
            idem = earlier.begin("mass_regenerate", key, cell.cell_id, card, estimate=card.estimate())
            if i < sent:
                earlier.done(idem, f"90{i}")
                sent_keys.append(idem)
            else:
                unsent_keys.append(idem)
        earlier.close()
        return unsent_keys, sent_keys

    def recovery(self, guards: Guards = NO_WARN) -> Recovery:
        return Recovery(self.session, self.journal, self.watched.append, guards)

    def notices(self) -> list[Notice]:
        return [e for e in self.events if isinstance(e, Notice)]


async def test_sent_orphans_are_watched_and_unsent_ones_resent_with_their_own_keys(tmp_path: Path) -> None:
    world = World(tmp_path)
    session, journal = world.session, world.journal
    await session.load_engine()
    unsent, sent = world.earlier_gentui(unsent=3, sent=2)
    offer = world.recovery().start(journal.orphans())

    assert sorted(world.watched) == ["900", "901"]
    assert Notice("re-attached 2 generations started by an earlier gentui", tags=("resume",)) in world.notices()
    assert offer is not None
    assert sorted(o.idempotency_key for o in journal.orphans()) == sorted(unsent)  # claimed: the sent ones only
    assert [i.idempotency_key for i in offer.plan.items] == unsent
    confirm = offer.confirm
    assert confirm.action == "resume" and confirm.title == "Resume 3 unsent generations?" and confirm.needs_confirm
    assert confirm.amount == offer.plan.total > 0
    assert confirm.lines[0] == "An earlier gentui stopped before the server confirmed these:"
    assert len(confirm.lines) == 1 + 3 + 1 and all(line.startswith("  · row ") for line in confirm.lines[1:4])
    assert confirm.balance is None and offer.plan.balance is None  # no balance read yet

    await offer.prepare()  # reads the balance for the prompt
    assert session.ledger.generic is not None
    assert confirm.balance == offer.plan.balance == session.ledger.generic

    plan = offer.accept()
    assert plan is offer.plan and journal.orphans() == []  # all claimed now
    actions = Actions(session, NO_WARN, intents=journal)
    progress = await BatchRunner(session, actions, plan, guards=NO_WARN).run()
    assert progress.state == "done" and progress.sent == 3
    charges = dict(world.app.state.sim.stats.charges_by_idempotency_key)
    assert charges == {idem: 1 for idem in unsent}  # the original keys, each charged once


async def test_read_only_resends_nothing_and_keeps_the_unsent_in_the_journal(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.session.load_engine()
    unsent, _ = world.earlier_gentui(unsent=2, sent=0)
    offer = world.recovery(Guards(readonly=True)).start(world.journal.orphans())
    assert offer is None and world.watched == []
    assert world.notices() == [Notice(f"2 unsent generations from an earlier gentui were not resent: {READONLY_REASON}",
                                      "warning")]
    assert sorted(o.idempotency_key for o in world.journal.orphans()) == sorted(unsent)


async def test_declined_or_unknown_cells_stay_in_the_journal(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.session.load_engine()
    unsent, _ = world.earlier_gentui(unsent=1, sent=0)
    earlier = world.open_journal()
    earlier.pid, earlier.started = dead_pid(), 0.0
    earlier.begin("regenerate", ("gone-row", "gone-col"), "c1", Card(vocab.TEXT, {"prompt": "x"}))  # no such cell
    earlier.begin("render", world.keys(1)[0], "c2", None)  # no card: nothing to resend
    earlier.close()
    offer = world.recovery().start(world.journal.orphans())
    assert offer is not None and [i.idempotency_key for i in offer.plan.items] == unsent
    offer.decline()
    assert world.notices() == [Notice("not resumed: they stay in the journal for next time")]
    assert len(world.journal.orphans()) == 3  # nothing claimed


async def test_nothing_to_resend_is_no_offer(tmp_path: Path) -> None:
    world = World(tmp_path)
    await world.session.load_engine()
    world.earlier_gentui(unsent=0, sent=1)
    assert world.recovery().start(world.journal.orphans()) is None
    assert world.watched == ["900"] and world.journal.orphans() == []
    assert world.recovery().start([]) is None
