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
