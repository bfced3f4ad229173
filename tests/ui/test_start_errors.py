"""What a first start says when it cannot work: no key, an unreachable host, a base URL without /v1
(issue 15 items 11, 12 and 13)."""

from __future__ import annotations

import httpx
import pytest

from gentui.api import errors
from gentui.api.client import GenClient
from gentui.cli import main
from gentui.commands.exit_codes import EXIT_AUTH
from gentui.core.formatting import describe_error
from gentui.settings import Paths
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.widgets.header import CreditsHeader

from .pilot import SIZE, no_sleep, wait_for


class Unreachable(httpx.AsyncBaseTransport):
    """A host whose name does not resolve: every request is a ConnectError, as httpx raises it."""

    def __init__(self) -> None:
        self.requests = 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


class Counting(httpx.AsyncBaseTransport):
    def __init__(self, status: int = 404) -> None:
        self.status, self.requests = status, 0

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        return httpx.Response(self.status, json={"error": "Not found", "error_code": "not_found"}, request=request)


def header_text(app: GentuiApp) -> str:
    return app.screen.query_one(CreditsHeader).render_text().plain


def app_with(transport: httpx.AsyncBaseTransport, base_url: str = "https://nosuchhost.invalid/v1", *,
             agent: str | None = "1", engine: str | None = "100", **launch) -> GentuiApp:
    client = GenClient(base_url, "k" * 20, transport=transport, sleep=no_sleep)
    return GentuiApp(Launch(client=client, agent_id=agent, engine_id=engine, base_url=base_url, **launch))


@pytest.mark.parametrize(("agent", "engine"), [("1", "100"), (None, None)])
async def test_an_unreachable_host_is_said_with_its_name_at_the_first_failure(agent, engine) -> None:
    transport = Unreachable()
    app = app_with(transport, agent=agent, engine=engine)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "nosuchhost.invalid unreachable" in header_text(app), what="the header")
        assert "offline" in header_text(app) and "connecting" not in header_text(app)


@pytest.mark.parametrize(("agent", "engine"), [("1", "100"), (None, None)])
async def test_the_first_failed_attempt_says_unreachable_while_the_client_still_retries(agent, engine) -> None:
    import asyncio

    transport, released = Unreachable(), asyncio.Event()

    async def held(_: float) -> None:  # the retry backoff never ends: only the first attempt has failed
        await released.wait()

    client = GenClient("https://nosuchhost.invalid/v1", "k" * 20, transport=transport, sleep=held)
    app = GentuiApp(Launch(client=client, agent_id=agent, engine_id=engine))
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: "nosuchhost.invalid unreachable" in header_text(app), what="the header")
        assert "retrying" in header_text(app) and "connecting" not in header_text(app)
        released.set()


async def test_the_engine_picker_does_not_blame_the_server_for_an_unreachable_host() -> None:
    from gentui.ui.screens.modals import PickerScreen

    app = app_with(Unreachable(), engine=None)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: app.connection.state == "offline", what="the offline state")
        await pilot.pause()
        assert not isinstance(app.screen, PickerScreen)  # no "the server does not list engines"
        assert "nosuchhost.invalid unreachable" in app.connection.reason


async def test_no_key_says_how_to_get_one_and_sends_nothing() -> None:
    transport = Counting()
    app = app_with(transport, no_key=True)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: errors.NO_KEY in header_text(app), what="the no-key line in the header")
        await wait_for(pilot, lambda: any(errors.NO_KEY in str(n.message) for n in app._notifications),
                       what="the no-key toast")
    assert transport.requests == 0


def test_the_cockpit_knows_when_there_is_no_key(home: Paths) -> None:
    import argparse

    from gentui.commands.cockpit import build_launch

    given = {"base_url": None, "agent_id": None, "engine_id": None, "readonly": None, "theme": None,
             "allow_insecure_http": None, "demo": False}
    launch = build_launch(argparse.Namespace(**given))
    assert launch.no_key
    if launch.journal is not None:
        launch.journal.close()
    demo = build_launch(argparse.Namespace(**{**given, "demo": True}))
    assert not demo.no_key
    if demo.journal is not None:
        demo.journal.close()


def test_status_without_a_key_says_so_and_exits_with_the_auth_code(home: Paths, capsys) -> None:
    code = main(["status", "--agent", "1"])
    err = capsys.readouterr().err
    assert code == EXIT_AUTH
    assert err.strip() == f"gentui: {errors.NO_KEY}"


async def test_a_base_url_without_v1_hints_at_it() -> None:
    transport = Counting(404)
    async with GenClient("https://api.example.com", "k" * 20, transport=transport, sleep=no_sleep) as client:
        with pytest.raises(errors.NotFoundError) as caught:
            await client.agent("1")
    text = describe_error(caught.value)
    assert text.startswith("base_url without /v1? ")  # first: a header line that cuts the rest still says it
    assert "must end in /v1" in text and "Check the id" not in text
    async with GenClient("https://api.example.com/v1", "k" * 20, transport=Counting(404), sleep=no_sleep) as client:
        with pytest.raises(errors.NotFoundError) as caught:
            await client.agent("1")
    assert "Check the id" in describe_error(caught.value)  # with /v1 the usual hint stays
