"""Huge, negative and non-numeric credit figures from the server (issue 14 item 4).

A balance of "1e400", a cost of -1e308, NaN or "abc" must neither crash the app nor be read as
zero: the header shows "?", the confirm dialog says the balance is unknown, and no "balance too
low" warning fires on a balance nobody knows.
"""

from __future__ import annotations

import re
from decimal import Decimal

import httpx
import pytest

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards, Plan
from gentui.core.formatting import fmt_credits
from gentui.core.ledger import CreditLedger
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.header import CreditsHeader

from .pilot import FROZEN_NOW, SIZE, World, goto, no_sleep, wait_for


class OddNumbers(httpx.AsyncBaseTransport):
    """The simulator, with every balance and every execution cost replaced by odd raw JSON."""

    def __init__(self, app: object, generic: str, cost: str) -> None:
        self.inner = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
        self.generic, self.cost = generic, cost

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if request.url.path.startswith("/_sim"):
            return response
        text = (await response.aread()).decode()
        text = re.sub(r'"generic"\s*:\s*[^,}]+', f'"generic": {self.generic}', text)
        text = re.sub(r'"aura"\s*:\s*[^,}]+', '"aura": "NaN"', text)
        text = re.sub(r'"execution_cost"\s*:\s*[^,}]+', f'"execution_cost": {self.cost}', text)
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in ("content-length", "content-encoding")]
        return httpx.Response(response.status_code, headers=headers, content=text.encode(), request=request)


@pytest.mark.parametrize(("generic", "cost"), [('"1e400"', "-1e308"), ('"NaN"', '"1e400"'), ('"abc"', "1e999"),
                                               ("-1e308", '"-Infinity"')])
async def test_odd_balances_and_costs_show_as_unknown_and_never_count_as_zero(generic: str, cost: str) -> None:
    world = World(quiet=True)
    client = GenClient("http://sim/v1", world.info["api_key"], transport=OddNumbers(world.app, generic, cost),
                       sleep=no_sleep)
    app = GentuiApp(Launch(client=client, agent_id=str(world.info["agent_id"]),
                           engine_id=str(world.info["engine_ids"][0]), guards=Guards(confirm="always"),
                           clock=lambda: FROZEN_NOW, tick_interval=None))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.organization is not None
                       and app.session.state.loaded, what="engine and credits")
        ledger = app.session.ledger
        assert ledger.generic is None and ledger.aura is None  # unknown, not 0 and not 1e400
        assert all(job.execution_cost is None for cell in app.session.state.cells.values() for job in cell.jobs)
        header = app.screen.query_one(CreditsHeader)
        await wait_for(pilot, lambda: "credits ?" in str(header.render()), what="the header's ?")
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("enter")  # the detail, with its history of costs
        await pilot.pause()
        await pilot.press("escape")
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        summary = "\n".join(app.screen.plan.summary())
        assert "unknown" in summary and "too low" not in summary and "Low balance" not in summary
        await pilot.press("n")
        assert app.is_running


@pytest.mark.parametrize("value", [Decimal("1e400"), Decimal("-1e308"), Decimal("NaN"), Decimal("sNaN"),
                                   Decimal("-Infinity"), float("nan"), float("inf"), 1e300, Decimal("1e-400")])
def test_the_credit_formatter_never_raises(value: Decimal | float) -> None:
    text = fmt_credits(value)
    assert text and len(text) <= 24
    assert fmt_credits(value, signed=True)


def test_huge_figures_are_clamped_and_ordinary_ones_exact() -> None:
    assert fmt_credits(Decimal("1e400")) == "≥1e15" and fmt_credits(Decimal("-1e308")) == "≤-1e15"
    assert fmt_credits(Decimal("NaN")) == "?"
    assert fmt_credits(Decimal("1234.5")) == "1,234.5" and fmt_credits(Decimal(-5), signed=True) == "-5"


def test_an_unknown_balance_never_drives_a_too_low_warning() -> None:
    class _Session:
        ledger = CreditLedger()

    session = _Session()
    session.ledger.set_balance(None, None, "org")
    assert session.ledger.baseline is None and session.ledger.other_spend is None
    actions = Actions(session, Guards(low_balance_warning=Decimal(500)))  # type: ignore[arg-type]
    plan = actions.finish(Plan("regenerate", "Regenerate", amount=Decimal(600)))
    assert plan.warnings == [] and plan.needs_confirm
    assert "Balance: unknown (not read from the server): not checked" in plan.summary()
    session.ledger.set_balance(Decimal(100), None, "org")
    plan = actions.finish(Plan("regenerate", "Regenerate", amount=Decimal(600)))
    assert any("too low" in w for w in plan.warnings)
