"""ctrl+u lists the unanswered charged requests with amount and age; each can be cancelled (never sent
again); a stale one is resent only after asking (CONTRACTS section 3, `resends`)."""

from __future__ import annotations

from textual.widgets import DataTable

from gentui.api import vocab
from gentui.core.formatting import fmt_credits
from gentui.core.resends import RESEND_LIMIT
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.screens.resends import ResendsScreen

from .pilot import SIZE, goto, loaded, make_app, wait_for


def lose_an_answer(app, key, age: float) -> str:
    """A regenerate whose answer was lost `age` seconds ago, as `Actions` records one."""
    actions, session = app.actions, app.session
    plan = actions.plan_regenerate(key)
    cell_id = session.state.cells[key].cell_id
    idem = actions.intents.begin(plan.action, key, cell_id, plan.card, estimate=plan.amount)
    actions.adopt_uncertain(idem, plan, cell_id, session.clock() - age)
    return idem


def row_texts(table: DataTable) -> list[str]:
    return [" | ".join(str(c) for c in table.get_row_at(i)) for i in range(table.row_count)]


async def test_ctrl_u_lists_them_and_c_cancels_one_for_good(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        idem = lose_an_answer(app, key, 125.0)
        amount = app.whole_run.unanswered[idem].plan.amount
        await pilot.press("ctrl+u")
        await wait_for(pilot, lambda: isinstance(app.screen, ResendsScreen), what="the resends list")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="one row")
        [row] = row_texts(table)
        assert "Regenerate" in row and f"~{fmt_credits(amount)}" in row and "2m05s" in row
        assert "sent again by itself" in row
        await pilot.press("c")
        await wait_for(pilot, lambda: not app.whole_run.unanswered, what="the cancel")
        await wait_for(pilot, lambda: table.row_count == 0, what="the row gone")
        assert "Nothing is waiting" in str(app.screen.query_one("#r-empty").render())
        assert app.actions.intents.intents[idem].get("abandoned")  # never sent again
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, ResendsScreen), what="closed")


async def test_the_palette_offers_the_list_only_while_something_waits(quiet_world) -> None:
    from gentui.action_table import ActionId, Context, why_not

    assert why_not(ActionId.RESENDS, Context()) == "nothing is waiting to be sent again"
    assert why_not(ActionId.RESENDS, Context(resends=1)) is None
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        titles = lambda: [c.title for c in app.get_system_commands(app.screen)]  # noqa: E731
        assert "Resends (ctrl+u)" not in titles()
        lose_an_answer(app, await goto(pilot, app, vocab.IMAGE_FROM_TEXT), 5.0)
        assert "Resends (ctrl+u)" in titles()


async def test_a_stale_one_is_resent_only_after_asking_with_the_amount(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        idem = lose_an_answer(app, key, RESEND_LIMIT + 60)
        await pilot.press("ctrl+u")
        await wait_for(pilot, lambda: isinstance(app.screen, ResendsScreen), what="the resends list")
        table = app.screen.query_one(DataTable)
        await wait_for(pilot, lambda: table.row_count == 1, what="one row")
        assert "past the window: asks (r)" in row_texts(table)[0]
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the ask")
        assert "Send again" in str(app.screen.query_one("#title").render())
        await pilot.press("n")  # Cancel: nothing sent, still waiting
        await wait_for(pilot, lambda: isinstance(app.screen, ResendsScreen))
        assert idem in app.whole_run.unanswered
