"""Unanswered charged POSTs (issue 16 item 10): "not sent" when the connection was refused, never resent
past the server's idempotency window without asking, cancellable, and kept by a batch cancelled mid-send."""

from __future__ import annotations

from decimal import Decimal

import httpx
import pytest

from gentui.api import errors, vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards, Refusal
from gentui.core.batch import BatchRunner, plan_batch
from gentui.core.events import Notice, ResendsChanged
from gentui.core.journal import Journal
from gentui.core.resends import IDEMPOTENCY_WINDOW, RESEND_LIMIT
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from tests.transports import LossyTransport

GUARDS = Guards(low_balance_warning=Decimal(0))


async def _no_sleep(_: float) -> None:
    return None


class Refusing(httpx.AsyncBaseTransport):
    """POSTs: the answers in `script` in turn ("refuse": ConnectError, "lose": sent then ReadError, "pass")."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.script: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        what = self.script.pop(0) if request.method == "POST" and self.script else "pass"
        if what == "refuse":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        response = await self.inner.handle_async_request(request)
        if what == "lose":
            await response.aread()
            raise httpx.ReadError("connection dropped after the server acted", request=request)
        return response


async def setup(transport_type=LossyTransport, intents=None):
    app = create_app(SimOptions(quiet=True), clock=ManualClock())
    info = app.state.sim.world_info()
    transport = transport_type(app)
    now = [1_000_000.0]
    events: list[object] = []
    client = GenClient("http://sim/v1", info["api_key"], transport=transport, sleep=_no_sleep)
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]), clock=lambda: now[0],
                      emit=events.append)
    await session.load_engine()
    await session.load_credits()
    if isinstance(intents, Journal):
        intents.bind(agent_id=session.agent_id, engine_id=session.engine_id)
    actions = Actions(session, GUARDS, intents=intents)
    column = next(c for c in session.state.columns if c.generation_type == vocab.TEXT)
    key = next(k for k in session.state.cells if k[1] == column.id)
    return app.state.sim, transport, session, actions, key, now, events


def generate_posts(sim) -> int:
    return sum(n for route, n in sim.stats.requests.items() if route.startswith("POST") and route.endswith("/generate"))


# --- "not sent" -------------------------------------------------------------------------------------------------
async def test_a_refused_connection_is_certainly_not_sent_and_not_queued_for_resend() -> None:
    sim, transport, _session, actions, key, _now, events = await setup(Refusing)
    transport.script = ["refuse"] * 4  # every attempt of the client's retry schedule
    with pytest.raises(errors.TransportError) as caught:
        await actions.regenerate(actions.plan_regenerate(key))
    assert caught.value.not_sent and not caught.value.refused
    assert not actions.uncertain  # nothing went out: nothing to resend, nothing charged
    [intent] = actions.intents.intents.values()
    assert "error" in intent and "uncertain" not in intent
    assert generate_posts(sim) == 0 and not sim.stats.charges_by_idempotency_key
    assert not [e for e in events if isinstance(e, ResendsChanged)]


async def test_a_refusal_after_an_attempt_that_may_have_reached_the_server_is_not_not_sent() -> None:
    sim, transport, _session, actions, key, _now, _events = await setup(Refusing)
    transport.script = ["lose", "refuse", "refuse", "refuse"]  # the first attempt went out; its answer was lost
    with pytest.raises(errors.TransportError) as caught:
        await actions.regenerate(actions.plan_regenerate(key))
    assert not caught.value.not_sent and caught.value.reached_before
    assert len(actions.uncertain) == 1 and len(sim.stats.charges_by_idempotency_key) == 1

    [idem] = actions.uncertain
    transport.script = ["refuse"] * 4  # the resend is refused: the first send may still have acted
    assert await actions.resend_uncertain() == (0, 1)
    assert list(actions.uncertain) == [idem]


def test_connect_errors_say_not_sent_and_read_errors_do_not() -> None:
    from gentui.api.transport import transport_error

    request = httpx.Request("POST", "http://sim/v1/x")
    refused = transport_error(httpx.ConnectError("refused", request=request), "POST", "/x", str)
    lost = transport_error(httpx.ReadError("reset", request=request), "POST", "/x", str)
    timeout = transport_error(httpx.ReadTimeout("slow", request=request), "POST", "/x", str)
    assert refused.not_sent and not lost.not_sent and not timeout.not_sent
    assert "Nothing was sent" in refused.hint


# --- the idempotency window ------------------------------------------------------------------------------------
async def test_a_lost_answer_older_than_the_window_less_a_margin_is_not_resent_but_asked() -> None:
    assert RESEND_LIMIT < IDEMPOTENCY_WINDOW == 24 * 3600
    sim, transport, _session, actions, key, now, events = await setup()
    transport.lose = True
    with pytest.raises(errors.TransportError):
        await actions.regenerate(actions.plan_regenerate(key))
    [idem] = actions.uncertain
    transport.lose = False
    posts = generate_posts(sim)
    now[0] += RESEND_LIMIT + 1
    assert await actions.resend_uncertain() == (0, 0)  # not resent by itself; the poller stops trying
    assert await actions.resend_uncertain() == (0, 0)
    assert generate_posts(sim) == posts and list(actions.uncertain) == [idem]
    said = [e for e in events if isinstance(e, Notice) and "idempotency window" in e.text]
    assert len(said) == 1  # said once

    plan = actions.plan_resend(idem)  # the ask: the amount, the risk, Cancel by default
    assert plan.needs_confirm and plan.amount > 0 and any("charged a second time" in line for line in plan.summary())
    gen_id = await actions.resend_one(idem)  # the person said yes: the old key again
    assert gen_id and not actions.uncertain and generate_posts(sim) == posts + 1


async def test_a_new_press_on_a_cell_whose_lost_answer_is_past_the_window_gets_a_new_key() -> None:
    _sim, transport, _session, actions, key, now, _events = await setup()
    transport.lose = True
    with pytest.raises(errors.TransportError):
        await actions.regenerate(actions.plan_regenerate(key))
    [old] = actions.uncertain
    now[0] += RESEND_LIMIT + 1
    transport.lose = False
    await actions.regenerate(actions.plan_regenerate(key))  # the person confirmed this charge anew
    assert not actions.uncertain and actions.intents.intents[old].get("abandoned")


async def test_a_resend_past_the_window_is_a_spend_the_spend_cap_refuses() -> None:
    sim, transport, session, actions, key, now, _events = await setup()
    transport.lose = True
    with pytest.raises(errors.TransportError):
        await actions.regenerate(actions.plan_regenerate(key))
    [idem] = actions.uncertain
    transport.lose = False
    now[0] += RESEND_LIMIT + 1
    amount = actions.uncertain[idem].plan.amount
    actions.guards = Guards(low_balance_warning=Decimal(0), spend_cap=session.ledger.session_spent + amount - 1)
    posts = generate_posts(sim)
    with pytest.raises(Refusal, match="spend cap"):
        actions.plan_resend(idem)  # it may be charged a second time: the cap counts it like any spend
    assert generate_posts(sim) == posts and list(actions.uncertain) == [idem]  # nothing sent, still listed
    actions.guards = Guards(low_balance_warning=Decimal(0), spend_cap=session.ledger.session_spent + amount)
    plan = actions.plan_resend(idem)
    assert plan.needs_confirm and plan.balance is not None  # within the cap: asked, with the balance


# --- cancel -------------------------------------------------------------------------------------------------
async def test_cancelling_a_lost_answer_abandons_it_in_the_journal_and_never_resends_it(tmp_path) -> None:
    journal = Journal(tmp_path / "j.sqlite", base_url="http://sim/v1")
    sim, transport, _session, actions, key, _now, _events = await setup(intents=journal)
    transport.lose = True
    with pytest.raises(errors.TransportError):
        await actions.regenerate(actions.plan_regenerate(key))
    [idem] = actions.uncertain
    transport.lose = False
    posts = generate_posts(sim)
    assert actions.cancel_uncertain(idem) is not None
    assert journal.get(idem).state == "abandoned" and not journal.orphans()
    assert await actions.resend_uncertain() == (0, 0) and generate_posts(sim) == posts


# --- a batch cancelled mid-send --------------------------------------------------------------------------------
async def test_a_batch_cancelled_mid_send_keeps_the_unanswered_item_uncertain_and_resends_it(tmp_path) -> None:
    journal = Journal(tmp_path / "j.sqlite", base_url="http://sim/v1")
    sim, transport, session, actions, key, _now, _events = await setup(intents=journal)
    column = next(c.id for c in session.state.columns if c.generation_type == vocab.IMAGE_FROM_TEXT)
    keys = [(r, column) for r in session.state.rows if (r, column) in session.state.cells][:3]
    plan = plan_batch(session, actions, keys)
    runner = BatchRunner(session, actions, plan, concurrency=1, guards=GUARDS)
    transport.lose = True
    assert (await runner.run()).state == "paused"  # the first POST went out; its answer was lost
    lost = plan.items[0].idempotency_key
    assert dict(sim.stats.charges_by_idempotency_key) == {lost: 1}
    runner.cancel()
    await runner.run()
    states = {i.idempotency_key: i.state for i in journal.all()}
    assert states[lost] == "intent"  # not abandoned: the server has it
    assert [s for k, s in states.items() if k != lost] == ["abandoned", "abandoned"]  # never sent
    assert list(actions.uncertain) == [lost]

    transport.lose = False
    assert await actions.resend_uncertain() == (1, 0)
    assert dict(sim.stats.charges_by_idempotency_key) == {lost: 1}  # charged once
    assert journal.get(lost).state == "sent" and session.state.cells[plan.items[0].key].in_flight
