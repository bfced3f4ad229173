"""What a take in flight or stopped is expected to cost: its own card's price, read back under any wire name."""

from __future__ import annotations

import asyncio

from gentui.api import costs, vocab
from gentui.api.client import GenClient
from gentui.core.card import Card
from gentui.core.engine_json import apply_engine_text
from gentui.core.session import Session
from gentui.core.views import JobView
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions


def demo_session() -> Session:
    app = create_app(SimOptions(), clock=ManualClock())
    sim = app.state.sim
    engine_id = sim.world.engine_ids[0]
    session = Session(GenClient("http://sim/v1", "k"), "1", str(engine_id))
    asyncio.run(apply_engine_text(session.state, sim.serializer.engine_text(sim.world.engines[engine_id], True)))
    return session


def test_an_image_to_video_take_sent_as_a_veo_job_is_priced_by_its_card_not_by_the_type_read_back() -> None:
    session = demo_session()
    key = next(k for k in session.state.cells if session.state.column(k[1]).title == "MOTION")
    card = Card(vocab.VIDEO_FROM_IMAGE, {"model": "veo_3_1_fast", "duration": 8})
    wire = vocab.wire_type(card.generation_type, card.model)
    assert vocab.canonical_type(wire) == vocab.VIDEO_FROM_TEXT  # what the server says the job is
    session.takes.record_sent("g-1", card)
    job = JobView("g-1", vocab.PROCESSING, wire, created_at=1.0)
    expected = costs.estimate_credits(vocab.VIDEO_FROM_IMAGE, "veo_3_1_fast", 8, card.data)
    assert expected != costs.estimate_credits(vocab.VIDEO_FROM_TEXT)  # the type's default is another figure
    assert session.estimate_for(key, job) == expected
    assert card.made(vocab.VIDEO_FROM_TEXT) and card.made(vocab.VIDEO_FROM_IMAGE) and not card.made(vocab.TEXT)


def test_a_stopped_take_sent_from_here_continues_at_its_own_length_not_the_cells_card_now() -> None:
    session = demo_session()
    key = next(k for k in session.state.cells if session.state.column(k[1]).title == "MOTION")
    now = session.state.card(key)
    assert now.duration == 5
    longer = now.with_data({**now.data, "duration": 10})
    session.takes.record_sent("g-2", longer)
    job = JobView("g-2", vocab.STOPPED, vocab.wire_type(now.generation_type, now.model), created_at=1.0)
    assert session.estimate_for(key, job) == longer.estimate() != now.estimate()
    other = JobView("g-3", vocab.STOPPED, vocab.wire_type(now.generation_type, now.model), created_at=1.0)
    assert session.estimate_for(key, other) == now.estimate()  # made elsewhere: the cell's card is all we know


def test_the_final_video_cell_is_rendered_never_regenerated_as_a_text_to_video() -> None:
    """Its column has type `video`: read as a plain video column, `r` there asked ~300 credits for a
    video_from_text generate on the final video cell. Its card is the render; regenerate refuses."""
    import pytest

    from gentui.core.actions import Actions, Refusal

    session = demo_session()
    key = next(k for k in session.state.cells if session.state.column(k[1]).title == "FINAL VIDEO")
    assert session.state.card(key).generation_type == vocab.RENDER
    actions = Actions(session)
    for edited in (False, True):
        with pytest.raises(Refusal, match="final video column: use render"):
            actions.plan_regenerate(key, edited=edited)
    plan = actions.plan_render(key)
    assert plan.amount == costs.RENDER_COST


def test_batch_costs_learn_from_takes_read_back_under_their_wire_name() -> None:
    """An image-to-video card on Veo is sent as gemini_video_generation, which reads back as
    video_from_text: its real cost still refines that card's estimate."""
    from decimal import Decimal

    from gentui.api.models import Generation
    from gentui.core.batch import CostBook

    session = demo_session()
    key = next(k for k, cell in session.state.cells.items()
               if session.state.column(k[1]).title == "MOTION" and not cell.jobs)  # no other take to average in
    card = Card(vocab.VIDEO_FROM_IMAGE, {"model": "veo_3_1_fast", "duration": 8})
    session.state.local_cards[session.state.cells[key].cell_id] = card
    wire = vocab.wire_type(card.generation_type, card.model)
    session.state.apply_generation(Generation.model_validate(
        {"id": "g-9", "status": "completed", "user_job_type": wire, "execution_cost": "123.45",
         "created_at": "2026-12-01T10:00:00Z", "updated_at": "2026-12-01T10:01:00Z"}), key)
    book = CostBook()
    book.learn(session.state)
    assert book.estimate(card) == (Decimal("123.45"), True)
