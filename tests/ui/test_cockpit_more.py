"""More cockpit actions through Pilot: pin, render, edit value; and hostile server strings shown literally."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import costs, vocab
from gentui.core.actions import Guards
from gentui.ui.screens.modals import ValueEditor
from gentui.ui.widgets.detail import CellDetail, HistoryTable
from gentui.ui.widgets.grid import EngineGrid

from .pilot import SIZE, goto, loaded, make_app, wait_for

NO_ASK = Guards(confirm="costly", confirm_above=Decimal(100_000))


async def test_pin_an_older_take_makes_it_the_displayed_one(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        state = app.session.state
        key = next(k for k, c in state.cells.items()
                   if sum(1 for j in c.jobs if j.status == vocab.COMPLETED) >= 2)
        grid = app.screen.query_one(EngineGrid)
        grid.focus()
        grid.move_cursor(row=list(state.rows).index(key[0]),
                         column=[c.id for c in state.columns].index(key[1]) + 1, animate=False)
        await pilot.pause()
        cell = state.cells[key]
        older = next(j for j in cell.jobs if j.status == vocab.COMPLETED and j.id != cell.displayed_id)
        await pilot.press("enter")
        table = app.screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: table.has_focus and table.row_count >= 2, what="history focus")
        table.move_cursor(row=[j.id for j in app.session.state.cells[key].jobs].index(older.id), animate=False)
        await pilot.press("p")
        await wait_for(pilot, lambda: app.session.state.cells[key].displayed_id == older.id, what="pinned")


async def test_render_charges_the_render_estimate(quiet_world):
    app = make_app(quiet_world, guards=NO_ASK)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = await quiet_world.balance()
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("R")
        await wait_for(pilot, lambda: app.session.ledger.count("precharge") == 1, what="render")
        assert await quiet_world.balance() == before - costs.RENDER_COST


async def test_edit_value_saves_the_text_for_free(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        before = await quiet_world.balance()
        key = await goto(pilot, app, vocab.TEXT)
        await pilot.press("i")
        await wait_for(pilot, lambda: isinstance(app.screen, ValueEditor), what="value editor")
        from textual.widgets import TextArea

        app.screen.query_one(TextArea).text = "new [b]script[/b]"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.session.state.cells[key].full_value == "new [b]script[/b]", what="saved")
        assert await quiet_world.balance() == before


def busy_workers(app) -> list[str]:
    """Workers still running, the poller's aside (it watches for as long as the app runs)."""
    return [w.name for w in app.workers if w.group != "poller" and not w.is_finished]


async def test_hostile_server_strings_are_shown_literally(demo_world):
    app = make_app(demo_world, engine_index=0)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        state = app.session.state
        key = next(k for k in state.cells if "[@click=app.quit]" in state.card(k).data.get("prompt", ""))
        grid = app.screen.query_one(EngineGrid)
        row = list(state.rows).index(key[0])
        col = [c.id for c in state.columns].index(key[1])
        grid.move_cursor(row=row, column=col + 1, animate=False)
        await wait_for(pilot, lambda: app.screen.query_one(CellDetail).cell is not None
                       and app.screen.query_one(CellDetail).cell.key == key, what="detail")
        await pilot.pause()  # the detail filled its card in the same call that set its cell
        card_text = str(app.screen.query_one("#card").render())
        assert "[/]" in card_text and "[@click=app.quit]" in card_text
        assert app.is_running  # the click markup did nothing
        # escape sequences from titles are made visible, never sent
        app2 = make_app(demo_world, engine_index=1)
    async with app2.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app2))
        titles = [c.title for c in app2.session.state.columns] + [app2.session.state.title]
        assert any("␛[31m" in t for t in titles)
        assert not any("\x1b" in t for t in titles)
        svg = app2.export_screenshot()
        assert "\x1b" not in svg and "␛[31m" in svg


async def test_a_remapped_key_runs_its_binding_and_the_old_key_does_not(quiet_world):
    from gentui.ui.screens.plan_dialogs import ConfirmScreen

    app = make_app(quiet_world, guards=NO_ASK, keymap={"stop": "z"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="running")
        await pilot.press("s")
        await pilot.pause()  # the key is handled in order; a stop would run in a worker: let any finish
        await wait_for(pilot, lambda: not busy_workers(app), what=f"the app's workers to finish: {busy_workers(app)}")
        assert app.session.state.cells[key].in_flight and not isinstance(app.screen, ConfirmScreen)
        await pilot.press("z")
        await wait_for(pilot, lambda: app.session.state.cells[key].status == vocab.STOPPED, what="stopped by z")
