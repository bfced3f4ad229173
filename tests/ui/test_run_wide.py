"""The spend, the spend cap, refunds and lost answers belong to the run, not to the engine on screen (issue 16 item 6)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards, Refusal
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from tests.transports import LossyTransport

from .pilot import SIZE, World, goto, loaded, make_app, no_sleep, wait_for


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


async def switch_to(pilot, app, engine_id: str) -> None:
    """What `g` ends in: a new session for another engine; wait until it is loaded and drawn."""
    app.open_engine(app.session.agent_id, engine_id)
    await wait_for(pilot, lambda: app.session.engine_id == engine_id and loaded(app), what=f"engine {engine_id}")
    await pilot.pause()


async def regenerate(pilot, app) -> None:
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
    before = app.session.ledger.count("precharge")
    await pilot.press("y")
    await wait_for(pilot, lambda: app.session.ledger.count("precharge") > before, what="the pre-charge")


async def test_the_spend_cap_holds_across_an_engine_switch_and_refunds_stay_ours(quiet_world: World) -> None:
    world = quiet_world
    first, other = (str(e) for e in world.info["engine_ids"][:2])
    app = make_app(world, guards=Guards(low_balance_warning=Decimal(0)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.TEXT)
        each = app.session.state.card(key).estimate()
        app.guards.spend_cap = each * 2 + each / 2  # room for two, not three
        await regenerate(pilot, app)
        key2 = await goto(pilot, app, vocab.TEXT, row=1)
        await regenerate(pilot, app)
        with pytest.raises(Refusal, match="spend cap"):
            app.actions.plan_regenerate(key2)
        spent = app.session.ledger.session_spent
        gen_ids = [app.session.state.cells[k].in_flight[0].id for k in (key, key2)]

        await switch_to(pilot, app, other)
        await switch_to(pilot, app, first)
        assert app.session.ledger.session_spent == spent  # not reset by `g`
        with pytest.raises(Refusal, match="spend cap"):
            app.actions.plan_regenerate(key2)

        # an earlier take ends after the switch: its refund is this run's, not "other" spend
        for gen_id in gen_ids:
            await world.admin.post(f"/v1/generations/{gen_id}/stop", headers={"X-API-Key": world.info["api_key"]})
        app.wake_poller(engine=True, credits=True)
        await wait_for(pilot, lambda: app.session.ledger.count("refund") == 2, what="the refunds")
        assert app.session.ledger.session_spent == 0


async def test_a_lost_answer_survives_an_engine_switch_and_is_resent_to_its_own_engine(quiet_world: World) -> None:
    world = quiet_world
    first, other = (str(e) for e in world.info["engine_ids"][:2])
    transport = LossyTransport(world.app)
    app = make_app(world, guards=Guards(low_balance_warning=Decimal(0)))
    app.launch.client = GenClient("http://sim/v1", world.info["api_key"], transport=transport, sleep=no_sleep)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.TEXT)
        transport.lose = True
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await pilot.press("y")
        await wait_for(pilot, lambda: len(app.actions.uncertain) == 1, what="the lost answer")
        [idem] = app.actions.uncertain

        await switch_to(pilot, app, other)
        assert list(app.actions.uncertain) == [idem]  # `g` kept it
        transport.lose = False
        app.session.connection = "offline"  # the next good round is a reconnect: the poller resends at once
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: not app.actions.uncertain, what="the resend")
        assert (await world.stats())["charges_by_idempotency_key"] == {idem: 1}
        assert app.session.ledger.count("precharge") == 1  # the run's ledger has the charge
        gen_id = app.actions.intents.intents[idem]["generation_id"]

        await switch_to(pilot, app, first)
        assert gen_id in {j.id for j in app.session.state.cells[key].jobs}  # sent to its own engine's cell
