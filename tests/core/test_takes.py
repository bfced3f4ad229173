"""Each take's card (gentui.core.takes): the model and prompt a take was made with never change because the
cell's card was edited later; the journal gives the card of a take sent in an earlier run."""

from __future__ import annotations

from decimal import Decimal

import httpx

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.api.models import Generation
from gentui.core.actions import Actions, Guards
from gentui.core.journal import Journal
from gentui.core.session import Session
from gentui.core.takes import JOURNAL, SEEN, SENT, UNKNOWN, take_outputs
from gentui.core.views import job_view
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions


async def _no_sleep(_: float) -> None:
    return None


async def session_and_actions(journal: Journal | None = None) -> tuple[Session, Actions]:
    clock = ManualClock()
    app = create_app(SimOptions(quiet=True), clock=clock)
    info = app.state.sim.world_info()
    client = GenClient("http://sim/v1", info["api_key"], transport=httpx.ASGITransport(app=app), sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]), clock=clock.now)
    await session.load_engine()
    await session.load_credits()
    if journal is not None:
        journal.bind(base_url="http://sim/v1", agent_id=session.agent_id, engine_id=session.engine_id)
    return session, Actions(session, Guards(low_balance_warning=Decimal(0)), intents=journal)


async def test_an_older_take_keeps_its_model_after_an_edit_makes_a_new_take(tmp_path) -> None:
    session, actions = await session_and_actions()
    column = next(c for c in session.state.columns if c.generation_type == vocab.VIDEO_FROM_TEXT)
    key = next(k for k, c in session.state.cells.items() if k[1] == column.id and c.latest is not None)
    old = session.state.cells[key].latest
    assert old is not None
    before = session.state.card(key)
    assert session.takes.get(old.id).source == SEEN and session.takes.model(old.id) == before.model
    edited = before.with_data({**before.data, "model": "sora_2", "prompt": "a lighthouse at dusk"})
    new_id = await actions.regenerate(actions.plan_regenerate(key, edited, edited=True))
    await session.load_cell(key)
    assert session.state.cells[key].latest.id == new_id
    assert session.state.card(key).model == "sora_2"  # the cell's card moved on...
    assert session.takes.model(old.id) == before.model != "sora_2"  # ...the older take did not
    assert session.takes.get(old.id).card.data.get("prompt") == before.data.get("prompt")
    new = session.takes.get(new_id)
    assert new.source == SENT and new.card.data["prompt"] == "a lighthouse at dusk" and new.model == "sora_2"
    assert session.takes.get("no-such-take").source == UNKNOWN


async def test_the_journal_gives_the_card_of_a_take_sent_in_an_earlier_run(tmp_path) -> None:
    journal = Journal(tmp_path / "journal.db")
    session, actions = await session_and_actions(journal)
    key = next(k for k, c in session.state.cells.items() if c.generation_type == vocab.IMAGE_FROM_TEXT)
    card = session.state.card(key)
    sent = card.with_data({**card.data, "prompt": "a blue door"})
    gen_id = await actions.regenerate(actions.plan_regenerate(key, sent, edited=True))
    later, _ = await session_and_actions(journal)  # another run: nothing in memory, the journal remembers
    later.takes.journal = journal
    take = later.takes.get(gen_id)
    assert take.source == JOURNAL and take.card.data["prompt"] == "a blue door"
    journal.close()


def test_a_takes_outputs_from_its_generation_or_the_engine_copy() -> None:
    gen = Generation.model_validate({
        "id": "7", "status": vocab.COMPLETED, "user_job_type": "captions",
        "output_resources": [{"id": 3, "url": "https://cdn.test/v.mp4", "thumbnail_url": "https://cdn.test/t.png",
                              "object_type": "Video", "duration": 8.5},
                             {"id": 4, "url": "https://cdn.test/a.mp3", "object_type": "audio"}],
        "result": {"captions": [{"word": "Welcome", "start": 0.0, "end": 0.45}, {"word": "[b]", "start": "x"}]}})
    out = take_outputs(job_view(gen), gen)
    assert out.preview_url == "https://cdn.test/t.png" and out.link == "https://cdn.test/v.mp4"
    assert out.outputs[0].duration == Decimal("8.5") and out.outputs[1].preview_url is None
    assert [(w.word, w.start, w.end) for w in out.captions] == [("Welcome", 0.0, 0.45), ("[b]", None, None)]
    image = Generation.model_validate({"id": "8", "status": vocab.COMPLETED,
                                       "output_resources": [{"id": 1, "url": "https://cdn.test/i.png"}]})
    assert take_outputs(job_view(image)).preview_url == "https://cdn.test/i.png"  # its own thumbnail


def test_takes_are_numbered_oldest_first_everywhere_the_panel_and_the_asset_picker_alike() -> None:
    from datetime import UTC, datetime

    from gentui.core.assets import _take_numbers
    from gentui.core.takes import take_number
    from gentui.core.views import job_view, sort_jobs

    gens = [Generation.model_validate({"id": str(900 + i), "status": "completed", "user_job_type": "text",
                                       "created_at": datetime(2026, 12, 1, 10, i, tzinfo=UTC).isoformat()})
            for i in (2, 0, 1)]
    history = sort_jobs([job_view(g, 0.0) for g in gens])  # as a cell keeps it: newest first
    assert [j.id for j in history] == ["902", "901", "900"]
    assert take_number(history, "900") == (1, 3) and take_number(history, "902") == (3, 3)
    picker = _take_numbers(gens)
    assert all(take_number(history, g.id)[0] == picker[g.id] for g in gens)
    assert take_number(history, "999") == (3, 3)  # not in the history yet: the newest
