"""A charged POST whose answer is lost: the same action keeps its key, and a resend settles it, charged once."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gentui.api import errors, vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards
from gentui.core.journal import Journal
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from tests.transports import LossyTransport

GUARDS = Guards(low_balance_warning=Decimal(0))


async def _no_sleep(_: float) -> None:
    return None


async def setup(intents=None):
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    info = app.state.sim.world_info()
    transport = LossyTransport(app)
    client = GenClient("http://sim/v1", info["api_key"], transport=transport, sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]))
    await session.load_engine()
    await session.load_credits()
    actions = Actions(session, GUARDS, intents=intents)
    column = next(c for c in session.state.columns if c.generation_type == vocab.TEXT)
    key = next(k for k in session.state.cells if k[1] == column.id)
    return app.state.sim, transport, session, actions, key


async def test_pressing_regenerate_again_after_a_lost_answer_is_charged_once() -> None:
    sim, transport, session, actions, key = await setup()
    transport.lose = True
    for _ in range(2):  # the first press, then the person tries again while answers are still lost
        with pytest.raises(errors.TransportError):
            await actions.regenerate(actions.plan_regenerate(key))
    assert len(actions.uncertain) == 1  # one intent, one key: the second press reused it
    [idem] = actions.uncertain
    assert dict(sim.stats.charges_by_idempotency_key) == {idem: 1}  # the server acted once, on that key

    transport.lose = False
    gen_id = await actions.regenerate(actions.plan_regenerate(key))  # the server replays its first answer
    assert not actions.uncertain
    assert dict(sim.stats.charges_by_idempotency_key) == {idem: 1}
    assert actions.intents.intents[idem]["generation_id"] == gen_id and session.ledger.count("precharge") == 1


async def test_a_changed_card_is_a_new_intent_with_a_new_key() -> None:
    sim, transport, _session, actions, key = await setup()
    transport.lose = True
    plan = actions.plan_regenerate(key)
    with pytest.raises(errors.TransportError):
        await actions.regenerate(plan)
    edited = plan.card.with_data({**plan.card.data, "prompt": "something else"})
    transport.lose = False
    await actions.regenerate(actions.plan_regenerate(key, edited, edited=True))
    assert len(sim.stats.charges_by_idempotency_key) == 2  # what the person changed is a second generation
    assert len(actions.uncertain) == 1  # the first is still unsettled until it is resent


async def test_resend_settles_lost_answers_once_the_server_answers(tmp_path) -> None:
    journal = Journal(str(tmp_path / "j.sqlite"), base_url="http://sim/v1")
    sim, transport, session, actions, key = await setup(intents=journal)
    journal.agent_id, journal.engine_id = session.agent_id, session.engine_id
    transport.lose = True
    with pytest.raises(errors.TransportError):
        await actions.regenerate(actions.plan_regenerate(key))
    assert await actions.resend_uncertain() == (0, 1)  # still no answer: kept for later
    transport.lose = False
    assert await actions.resend_uncertain() == (1, 0)
    [(idem, charges)] = sim.stats.charges_by_idempotency_key.items()
    assert charges == 1
    intent = journal.get(idem)
    assert intent.state == "sent" and session.state.by_generation[intent.generation_id] == key
    assert session.state.cells[key].in_flight  # the grid shows the generation the server started
