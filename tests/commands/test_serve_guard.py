"""`gentui serve` cannot be driven by another web page (issue 16 item 1): a real guarded textual-serve on
loopback (ephemeral port) refuses a foreign Origin, a foreign Host, and a missing or wrong token on the
page, the static files and the WebSocket; the right token from the server's own origin is served.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from aiohttp import web

from gentui.commands.serve_guard import GuardedServer, new_token

# the served "app": a process that exits at once (the handshake is what is under test, not the app)
COMMAND = shlex.join([sys.executable, "-c", "pass"])


@dataclass
class Served:
    server: GuardedServer
    port: int
    token: str

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        return self.root


@pytest.fixture
async def served() -> AsyncIterator[Served]:
    token = new_token()
    server = GuardedServer(COMMAND, host="127.0.0.1", port=0, title="gentui", token=token,
                           names=["localhost", "::1"])
    runner = web.AppRunner(await server._make_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        yield Served(server, port, token)
    finally:
        await runner.cleanup()


async def status_of(url: str, **headers: str) -> int:
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as response:
        return response.status


async def ws_status(url: str, *, origin: str | None, cookies: dict[str, str] | None = None) -> int:
    """101 when the WebSocket upgrade was accepted, else the HTTP status of the refusal."""
    async with aiohttp.ClientSession(cookies=cookies) as session:
        try:
            async with session.ws_connect(url, origin=origin) as ws:
                await ws.close()
                return 101
        except aiohttp.WSServerHandshakeError as exc:
            return exc.status


async def test_a_websocket_from_a_foreign_origin_is_refused_even_with_the_token(served: Served) -> None:
    url = f"ws://127.0.0.1:{served.port}/ws?token={served.token}"
    assert await ws_status(url, origin="http://evil.example.com") == 403
    assert await ws_status(url, origin=f"http://127.0.0.1:{served.port + 1}") == 403  # another local port
    assert await ws_status(url, origin="null") == 403


async def test_a_websocket_without_the_right_token_is_refused(served: Served) -> None:
    base = f"ws://127.0.0.1:{served.port}/ws"
    assert await ws_status(base, origin=served.origin) == 403
    assert await ws_status(base + "?token=wrong", origin=served.origin) == 403
    assert await ws_status(base, origin=served.origin, cookies={served.server.cookie_name: "wrong"}) == 403


async def test_the_page_and_static_files_need_the_token(served: Served) -> None:
    assert await status_of(served.root + "/") == 403
    assert await status_of(served.root + "/?token=" + served.token[:-1]) == 403
    assert await status_of(served.root + "/static/js/textual.js") == 403
    assert await status_of(served.root + "/download/anything") == 403


async def test_a_foreign_host_header_is_refused(served: Served) -> None:
    """DNS rebinding: a name the attacker controls that resolves to 127.0.0.1."""
    url = f"{served.root}/?token={served.token}"
    assert await status_of(url, Host=f"rebind.evil.example:{served.port}") == 403
    assert await status_of(url, Host="127.0.0.1:1") == 403


async def test_the_right_token_from_the_own_origin_is_served(served: Served) -> None:
    # like a browser, keep cookies set by an IP-address host (aiohttp's jar refuses them by default)
    async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as session:
        async with session.get(f"{served.root}/?token={served.token}") as page:
            assert page.status == 200
            text = await page.text()
            assert page.headers["X-Frame-Options"] == "DENY" and page.headers["Referrer-Policy"] == "no-referrer"
            cookie = page.cookies[served.server.cookie_name]
            assert cookie.value == served.token and cookie["httponly"] and cookie["samesite"] == "Strict"
        assert f'data-session-websocket-url="ws://127.0.0.1:{served.port}/ws"' in text
        # what the browser does next: static files and the WebSocket with the cookie, no token in the URL
        async with session.get(f"{served.root}/static/js/textual.js") as script:
            assert script.status == 200
        async with session.ws_connect(f"ws://127.0.0.1:{served.port}/ws?width=80&height=24",
                                      origin=served.origin) as ws:
            await ws.close()
    # the page opened as localhost points its static files and WebSocket at localhost, where its cookie is
    async with aiohttp.ClientSession() as session, session.get(
        f"{served.root}/?token={served.token}", headers={"Host": f"localhost:{served.port}"}
    ) as page:
        assert page.status == 200
        assert f'data-session-websocket-url="ws://localhost:{served.port}/ws"' in await page.text()
    assert await ws_status(f"ws://127.0.0.1:{served.port}/ws?token={served.token}",
                           origin=f"http://localhost:{served.port}") == 101
    assert await ws_status(f"ws://127.0.0.1:{served.port}/ws?token={served.token}", origin=None) == 101


def test_the_printed_url_carries_the_token() -> None:
    server = GuardedServer(COMMAND, host="::1", port=8123, title="gentui", token="T0k")
    assert server.url() == "http://[::1]:8123/?token=T0k"
    public = GuardedServer(COMMAND, host="0.0.0.0", port=8123, title="gentui", token="T0k",
                           public_url="https://gentui.example.com/")
    assert public.url() == "https://gentui.example.com/?token=T0k"


def test_the_access_log_never_shows_the_token() -> None:
    import logging

    from gentui.commands.serve_guard import HideToken

    record = logging.LogRecord("aiohttp.access", logging.INFO, __file__, 1,
                               '127.0.0.1 "GET /?token=T0k-en_1&fontsize=16 HTTP/1.1" 200', None, None)
    assert HideToken().filter(record) and record.getMessage() == '127.0.0.1 "GET /?token=***&fontsize=16 HTTP/1.1" 200'
