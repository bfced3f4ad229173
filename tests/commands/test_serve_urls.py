"""`gentui serve` URLs (issue 15 item 24): an IPv6 host is bracketed everywhere (the page's static and
WebSocket URLs included, else the page stays on its splash); `--public-url` is what the page links to."""

from __future__ import annotations

import shlex
import socket
import sys
from collections.abc import AsyncIterator

import aiohttp
import pytest
from aiohttp import web

from gentui.cli import main
from gentui.commands.serve import public_url_problem
from gentui.commands.serve_guard import GuardedServer

COMMAND = shlex.join([sys.executable, "-c", "pass"])


def ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


async def start(server: GuardedServer, host: str) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, host, 0)
    await site.start()
    return runner, runner.addresses[0][1]


@pytest.fixture
async def on_ipv6() -> AsyncIterator[tuple[GuardedServer, int]]:
    if not ipv6_loopback():
        pytest.skip("no IPv6 loopback here")
    server = GuardedServer(COMMAND, host="::1", port=0, title="gentui", token="T0k", names=["::1"])
    runner, port = await start(server, "::1")
    server.port = port
    try:
        yield server, port
    finally:
        await runner.cleanup()


async def test_on_ipv6_the_page_links_its_files_and_websocket_in_brackets(on_ipv6) -> None:
    server, port = on_ipv6
    assert server.url() == f"http://[::1]:{port}/?token=T0k"
    assert server.public_url.startswith("http://[::1]:")  # textual-serve's own spelling, bracketed too
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(server.url()) as page:
            assert page.status == 200
            text = await page.text()
        assert f'data-session-websocket-url="ws://[::1]:{port}/ws"' in text
        assert f"http://[::1]:{port}/static/js/textual.js" in text
        assert "::1:" not in text.replace("[::1]:", "")  # no unbracketed host:port anywhere
        async with session.get(f"http://[::1]:{port}/static/js/textual.js") as script:
            assert script.status == 200  # what the page loads next, with the cookie
        async with session.ws_connect(f"ws://[::1]:{port}/ws?width=80&height=24",
                                      origin=f"http://[::1]:{port}") as ws:
            await ws.close()


async def test_the_public_url_is_what_the_page_links_to_and_a_host_it_accepts() -> None:
    server = GuardedServer(COMMAND, host="127.0.0.1", port=0, title="gentui", token="T0k",
                           public_url="https://tui.example.com/")
    runner, port = await start(server, "127.0.0.1")
    try:
        assert server.url() == "https://tui.example.com/?token=T0k"
        async with aiohttp.ClientSession() as session, session.get(
            f"http://127.0.0.1:{port}/?token=T0k", headers={"Host": "tui.example.com"}  # as behind a proxy
        ) as page:
            assert page.status == 200
            text = await page.text()
        assert 'data-session-websocket-url="wss://tui.example.com/ws"' in text
        assert "https://tui.example.com/static/" in text and "127.0.0.1" not in text
    finally:
        await runner.cleanup()


@pytest.mark.parametrize("url, problem", [
    ("https://tui.example.com", None),
    ("http://[2001:db8::1]:8000", None),
    ("ftp://tui.example.com", "http"),
    ("https://", "no host"),
    ("https://me:pw@tui.example.com", "user name"),
    ("https://tui.example.com/?token=x", "query"),
    ("http://tui.example.com:99999", "not a URL"),
])
def test_a_public_url_is_checked(url: str, problem: str | None) -> None:
    found = public_url_problem(url)
    assert (found is None) if problem is None else (found is not None and problem in found)


def test_a_bad_public_url_is_a_one_line_usage_error(home, capsys) -> None:
    assert main(["serve", "--public-url", "ftp://x"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--public-url" in err


def test_public_on_a_wildcard_address_without_a_public_url_says_what_to_give(home, monkeypatch, capsys) -> None:
    from gentui.commands import serve_guard

    served: list[str] = []

    class Server:
        def __init__(self, command: str, **options: object) -> None:
            served.append(str(options["host"]))

        def serve(self) -> None:
            return None

    monkeypatch.setattr(serve_guard, "GuardedServer", Server)
    assert main(["serve", "--host", "0.0.0.0", "--public", "--port", "8877"]) == 0
    err = capsys.readouterr().err
    assert served == ["0.0.0.0"] and "--public-url http://NAME:8877" in err
