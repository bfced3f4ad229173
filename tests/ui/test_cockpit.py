"""The cockpit through Pilot against the simulator: each action, with the simulator's ledger as witness."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import costs, vocab
from gentui.core.actions import Guards
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.grid import EngineGrid

from .pilot import SIZE, goto, loaded, make_app, wait_for


async def test_the_grid_shows_every_row_and_column_and_the_header_the_balance(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        grid = app.screen.query_one(EngineGrid)
        state = app.session.state
        assert grid.row_count == len(state.rows) >= 12
        assert len(grid.columns) == len(state.columns) + 1
        assert app.session.ledger.generic == await quiet_world.balance()


async def test_regenerate_asks_then_charges_the_estimate_once(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = await quiet_world.balance()
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        estimate = app.session.state.card(key).estimate()
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        assert app.screen.focused.id == "cancel"
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="new generation")
        assert await quiet_world.balance() == before - estimate
        assert app.session.ledger.session_spent == estimate
        stats = await quiet_world.stats()
        assert list(stats["charges_by_idempotency_key"].values()) == [1]


async def test_cancel_is_the_default_and_spends_nothing(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = await quiet_world.balance()
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("enter")  # the focused button is Cancel
        await wait_for(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        await pilot.pause()
        assert await quiet_world.balance() == before
        assert (await quiet_world.stats())["charges_by_idempotency_key"] == {}


async def test_stop_refunds_in_full_and_continue_recharges(quiet_world):
    app = make_app(quiet_world, guards=Guards(confirm="costly", confirm_above=Decimal(100_000)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = await quiet_world.balance()
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        estimate = app.session.state.card(key).estimate()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.session.state.cells[key].status == "stopped", what="stopped")
        assert await quiet_world.balance() == before
        assert app.session.ledger.session_spent == 0
        await pilot.press("c")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="continued")
        assert await quiet_world.balance() == before - estimate
        assert app.session.ledger.session_spent == estimate


async def test_stop_without_work_in_flight_says_why(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("s")
        await pilot.pause()
        assert any("stop: nothing in flight" in str(n.message) for n in app._notifications)


async def test_insufficient_credits_is_explained_and_charges_nothing(quiet_world):
    app = make_app(quiet_world, guards=Guards(confirm="costly", confirm_above=Decimal(100_000)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await quiet_world.post("credits", {"generic": "3.00"})
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: any("insufficient" in str(n.message).lower() or "credits" in str(n.message)
                                          and "error" in n.severity for n in app._notifications), what="error toast")
        assert await quiet_world.balance() == Decimal("3.00")
        assert (await quiet_world.stats())["charges_by_idempotency_key"] == {}


async def test_edit_and_regenerate_sends_the_new_model_and_prompt(quiet_world):
    app = make_app(quiet_world, guards=Guards(confirm="costly", confirm_above=Decimal(100_000)))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        before = await quiet_world.balance()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="card editor")
        from textual.widgets import Input, Select, TextArea

        app.screen.query_one("#f-model", Select).value = "sora_2"
        app.screen.query_one("#f-prompt", TextArea).text = "a [/] lighthouse at dusk"
        app.screen.query_one("#f-duration", Input).value = "10"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="edited generation")
        card = app.session.state.card(key)
        assert card.data["model"] == "sora_2" and card.data["prompt"] == "a [/] lighthouse at dusk"
        assert await quiet_world.balance() == before - costs.estimate_credits("video_from_text", "sora_2", 10)
        cell = app.session.state.cells[key]
        assert cell.attributes.get("model") == "sora_2" or app.session.generation_models


async def test_the_card_editor_refuses_a_bad_duration(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CardEditor))
        from textual.widgets import Input, Static

        app.screen.query_one("#f-duration", Input).value = "42"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, CardEditor)
        assert "duration" in str(app.screen.query_one("#error", Static).render())


async def test_readonly_refuses_every_mutating_binding(quiet_world):
    from gentui.action_table import MUTATING_IDS, effective_keys

    app = make_app(quiet_world, guards=Guards(readonly=True))
    keys = effective_keys()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        for binding_id in sorted(MUTATING_IDS - {"mass_regenerate", "bulk_stop"}):
            await pilot.press(keys[binding_id].split(",")[0])
            await pilot.pause()
            assert not isinstance(app.screen, (ConfirmScreen, CardEditor)), binding_id
        assert (await quiet_world.stats())["charges_by_idempotency_key"] == {}
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "read-only" in messages
