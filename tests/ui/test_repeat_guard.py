"""A repeated key never multiplies spend; every charged path warns the same way (issue 16 items 4 and 5)."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import SIZE, World, goto, loaded, make_app, wait_for

COSTLY = Guards(confirm="costly", confirm_above=Decimal(50), low_balance_warning=Decimal(0))  # README's example
BUSY = "already running on this cell"
JUST_SENT = "was just sent and has no answer yet"


async def charges(world: World) -> dict[str, int]:
    return (await world.stats())["charges_by_idempotency_key"]


def dialog_text(app) -> str:
    return str(app.screen.query_one("#dialog-body").render())


async def test_twenty_repeats_of_r_make_one_generation_and_ask_before_a_second(quiet_world):
    app = make_app(quiet_world, guards=COSTLY)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)  # 5 credits: under confirm_above, sent unasked
        await pilot.press(*["r"] * 20)
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question for the second")
        text = dialog_text(app)
        assert BUSY in text or JUST_SENT in text
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the first generation")
        await pilot.press("n")
        await wait_for(pilot, lambda: not app.actions.sending, what="every charged request answered")
        assert len(await charges(quiet_world)) == 1  # before: 20
        assert not isinstance(app.screen, ConfirmScreen)


async def test_r_y_r_asks_again_with_the_warning_while_the_first_is_out(quiet_world):
    app = make_app(quiet_world, guards=Guards(low_balance_warning=Decimal(0)))  # confirm = "always"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        client = app.session.client
        generate, gate, posted = client.generate, asyncio.Event(), asyncio.Event()

        async def held(*args, **kwargs):  # the first POST's answer is slow to come
            posted.set()
            await gate.wait()
            return await generate(*args, **kwargs)

        client.generate = held
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the first question")
        assert BUSY not in dialog_text(app) and JUST_SENT not in dialog_text(app)
        await pilot.press("y")
        await wait_for(pilot, posted.is_set, what="the first POST on its way")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the second question")
        assert JUST_SENT in dialog_text(app)  # before: the second dialog said nothing of the first
        await pilot.press("n")
        gate.set()
        await wait_for(pilot, lambda: not app.actions.sending, what="the first answer")
        assert len(await charges(quiet_world)) == 1


async def test_edit_and_regenerate_warns_about_a_running_generation_like_r(quiet_world):
    app = make_app(quiet_world, guards=COSTLY)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="a generation in flight")
        await wait_for(pilot, lambda: not app.actions.sending, what="every charged request answered")
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="the card editor")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the question")  # before: sent unasked
        assert BUSY in dialog_text(app)
        await pilot.press("n")
        await wait_for(pilot, lambda: not app.actions.sending, what="every charged request answered")
        assert len(await charges(quiet_world)) == 1
