"""Unanswered charged POSTs in the UI (issue 16 item 10): a mark on the cell (patched, no rebuild), a cancel
per item in the command palette, and "not sent" (no lost-answer text) when the connection was refused."""

from __future__ import annotations

from decimal import Decimal

import httpx

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards
from gentui.ui.look import RESEND_MARK
from gentui.ui.palette import gentui_commands
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.grid import EngineGrid
from tests.transports import LossyTransport

from .pilot import SIZE, World, goto, loaded, make_app, no_sleep, wait_for

GUARDS = Guards(low_balance_warning=Decimal(0))


class RefusingTransport(httpx.AsyncBaseTransport):
    """While `refuse` is set, every POST fails to connect (the server is down: nothing is sent)."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.refuse = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if self.refuse and request.method == "POST":
            raise httpx.ConnectError("[Errno 111] Connection refused", request=request)
        return await self.inner.handle_async_request(request)


def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def shown(app, key) -> str:
    return app.main.query_one(EngineGrid).get_cell(key[0], key[1]).plain


async def press_regenerate(pilot, app) -> None:
    await pilot.press("r")
    await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
    await pilot.press("y")


async def test_a_lost_answer_is_marked_on_its_cell_and_cancelled_from_the_palette(quiet_world: World) -> None:
    world = quiet_world
    transport = LossyTransport(world.app)
    app = make_app(world, guards=GUARDS)
    app.launch.client = GenClient("http://sim/v1", world.info["api_key"], transport=transport, sleep=no_sleep)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        grid = app.main.query_one(EngineGrid)
        rebuilds = []
        grid.rebuild = lambda: rebuilds.append(1)  # a mark is a patch by key, never a rebuild
        key = await goto(pilot, app, vocab.TEXT)
        assert RESEND_MARK not in shown(app, key)
        transport.lose = True
        await press_regenerate(pilot, app)
        await wait_for(pilot, lambda: RESEND_MARK in shown(app, key), what="the resend mark")
        [idem] = app.actions.uncertain
        assert any("ctrl+p lists it, with cancel" in n for n in notes(app))

        commands = [c for c in gentui_commands(app, app.main) if c.title.startswith("Cancel resend:")]
        assert len(commands) == 1 and app.session.where(key) in commands[0].title
        commands[0].callback()
        await wait_for(pilot, lambda: RESEND_MARK not in shown(app, key), what="the mark gone")
        assert not app.actions.uncertain and app.actions.intents.intents[idem].get("abandoned")
        assert not [c for c in gentui_commands(app, app.main) if c.title.startswith("Cancel resend:")]

        transport.lose = False  # the server answers again: the cancelled intent is never sent
        posts = sum(n for r, n in (await world.stats())["requests"].items() if r.endswith("/generate"))
        app.session.connection = "offline"
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: app.session.connection == "ok", what="a good round")
        await pilot.pause()
        assert sum(n for r, n in (await world.stats())["requests"].items() if r.endswith("/generate")) == posts
        assert not rebuilds


async def test_a_refused_connection_says_not_sent_and_queues_nothing(quiet_world: World) -> None:
    world = quiet_world
    transport = RefusingTransport(world.app)
    app = make_app(world, guards=GUARDS)
    app.launch.client = GenClient("http://sim/v1", world.info["api_key"], transport=transport, sleep=no_sleep)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        key = await goto(pilot, app, vocab.TEXT)
        transport.refuse = True
        await press_regenerate(pilot, app)
        await wait_for(pilot, lambda: any(n.startswith("regenerate:") for n in notes(app)), what="the error toast")
        said = next(n for n in notes(app) if n.startswith("regenerate:"))
        assert "Not sent" in said and "may have acted" not in said
        assert not app.actions.uncertain and RESEND_MARK not in shown(app, key)
        assert not (await world.stats())["charges_by_idempotency_key"]
