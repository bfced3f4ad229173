"""The API key never shows: not on screen, in screenshots, logs, the API log, errors, tracebacks, crash
reports, files on disk, `config show` or the other commands; plain http:// off loopback is refused."""

from __future__ import annotations

import gzip
import io
import logging
import socket
import traceback
from collections.abc import Callable

import httpx
import pytest
from rich.console import Console
from rich.traceback import Traceback

from gentui.api import errors
from gentui.api.client import GenClient
from gentui.cli import main
from gentui.core.engine_cache import EngineCache
from gentui.core.formatting import describe_error
from gentui.core.journal import Journal
from gentui.settings import ConfigError
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.screens.modals import HelpScreen
from gentui.ui.widgets.feeds import ActivityPanel, ApiLogPanel
from gentui.ui.widgets.header import CreditsHeader

from .pilot import World, no_sleep, terminal_output, wait_for

KEY = "gk-SECRET-7f3a9c1e5b-DO-NOT-SHOW-Q8Z2"
TAIL = KEY[-4:]


def assert_no_key(text: str | bytes, where: str) -> None:
    data = text.encode("utf-8", "replace") if isinstance(text, str) else text
    for needle in (KEY, KEY[:-4]):  # the whole key, and everything but the 4 characters `config show` may print
        assert needle.encode() not in data, f"the API key is in {where}"


def render_traceback(exc: BaseException) -> str:
    """The exception as Textual's crash report draws it: a rich traceback with locals."""
    console = Console(file=io.StringIO(), width=200, record=True)
    console.print(Traceback.from_exception(type(exc), exc, exc.__traceback__, show_locals=True, width=200))
    return console.export_text()


def dead_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def toast_shown(app: GentuiApp, title: str) -> bool:
    return any(n.title == title for n in app._notifications) and bool(app.screen.query("Toast"))


def key_done(app: GentuiApp, keys: str) -> Callable[[], bool]:
    """A condition that holds once the key has done what it does, as seen before the key is pressed."""
    if keys in ("L", "a"):
        panel = app.screen.query_one(ApiLogPanel if keys == "L" else ActivityPanel)
        before = bool(panel.display)
        return lambda: bool(panel.display) != before
    if keys == "question_mark":
        return lambda: isinstance(app.screen, HelpScreen) and app.screen.is_mounted
    if keys == "escape":
        return lambda: not isinstance(app.screen, HelpScreen)
    if keys == "f1":
        return lambda: bool(app.screen.query("HelpPanel"))  # Textual's help panel, the focused part's HELP
    raise ValueError(keys)


# --- errors and tracebacks ------------------------------------------------------------------------------------
async def test_a_transport_error_carries_no_key_in_message_repr_or_traceback():
    client = GenClient(f"http://127.0.0.1:{dead_port()}/v1", KEY, sleep=no_sleep, max_attempts=2)
    with pytest.raises(errors.GenApiError) as info:
        await client.me()
    exc = info.value
    for text, where in ((str(exc), "str"), (repr(exc), "repr"), (describe_error(exc), "describe_error"),
                        ("".join(traceback.format_exception(exc)), "traceback"),
                        (render_traceback(exc), "rich traceback with locals"), (repr(client), "client repr")):
        assert_no_key(text, where)
    await client.aclose()


async def test_a_server_that_echoes_the_key_is_scrubbed():
    def echo(request: httpx.Request) -> httpx.Response:
        key = request.headers["X-API-Key"]
        return httpx.Response(401, json={"error": f"key {key} is revoked", "error_code": key},
                              headers={"X-Echo": key})

    client = GenClient("https://api.example/v1", KEY, transport=httpx.MockTransport(echo), sleep=no_sleep)
    with pytest.raises(errors.AuthError) as info:
        await client.me()
    for text, where in ((str(info.value), "str"), (repr(info.value), "repr"), (describe_error(info.value), "hint"),
                        (render_traceback(info.value), "rich traceback")):
        assert_no_key(text, where)
    await client.aclose()


# --- the running app: screen, screenshot, API log, logs, crash report, files --------------------------------------
async def test_the_key_reaches_no_screen_log_file_or_crash_report(tmp_path, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    world = World(quiet=True, api_key=KEY)
    journal = Journal(tmp_path / "journal.sqlite3")
    cache = EngineCache(tmp_path / "cache")
    client = GenClient("http://sim/v1", KEY, transport=httpx.ASGITransport(app=world.app), sleep=no_sleep)
    app = GentuiApp(Launch(client=client, agent_id=str(world.info["agent_id"]),
                           engine_id=str(world.info["engine_ids"][0]), clock=world.clock.now, journal=journal,
                           engine_cache=cache, base_url="http://sim/v1"))
    seen: list[str] = []
    with pytest.raises(RuntimeError, match="boom"):  # run_test re-raises the crash
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await wait_for(pilot, lambda: app.session is not None and app.session.state.loaded, what="loaded")
            for keys in ("L", "a", "question_mark", "escape", "f1"):
                done = key_done(app, keys)
                await pilot.press(keys)
                await wait_for(pilot, done, what=f"what {keys!r} does")
                await pilot.pause()
                seen += [terminal_output(app), app.export_screenshot()]
            # the key is revoked mid-session: the message and the API log say so without the key
            await world.post("api-key", {"api_key": "another-key-entirely"})
            app.wake_poller(engine=True, credits=True)
            await wait_for(pilot, lambda: app.session.connection == "auth", what="auth state")
            await wait_for(pilot, lambda: toast_shown(app, "Authentication"), what="the authentication toast")
            await pilot.pause()
            seen += [terminal_output(app), app.export_screenshot(), str(app.screen.query_one(CreditsHeader).render())]
            seen += [repr(call.record) for call in app.main.feeds.api_calls.newest()]
            seen += [n.message for n in app._notifications]

            def crash() -> None:  # a crash with the client, the session and the launch in scope
                client, session, launch = app.client, app.session, app.launch  # noqa: F841
                raise RuntimeError("boom")

            app.call_later(crash)
            await wait_for(pilot, lambda: app._exception is not None, what="the crash")
    report = Console(file=io.StringIO(), width=200, record=True)
    for renderable in app._exit_renderables:
        report.print(renderable)
    crash_report = report.export_text() + "".join(capsys.readouterr())
    assert "boom" in crash_report
    for i, text in enumerate(seen):
        assert_no_key(text, f"screen or notification #{i}")
    assert_no_key(crash_report, "the crash report")
    assert_no_key(caplog.text, "the Python log")
    for path in tmp_path.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            assert_no_key(data, str(path))
    await world.admin.aclose()


# --- commands -------------------------------------------------------------------------------------------------
def test_config_show_and_path_never_print_the_key(home, capsys, monkeypatch):
    home.config.parent.mkdir(parents=True, exist_ok=True)
    home.config.write_text(f'api_key = "{KEY}"\n')
    home.config.chmod(0o600)
    for argv in (["config", "show"], ["config", "path"], ["keys"]):
        main(argv)
        out, err = capsys.readouterr()
        assert_no_key(out + err, " ".join(argv))
    monkeypatch.setenv("GEN_API_KEY", KEY)
    main(["config", "show"])
    out, _ = capsys.readouterr()
    assert f"api_key = ***{TAIL}  # env" in out.splitlines()
    assert_no_key(out, "config show (env)")


def test_status_against_a_dead_server_prints_no_key(home, capsys, monkeypatch):
    monkeypatch.setenv("GEN_API_KEY", KEY)
    code = main(["status", "--json", "--base-url", f"http://127.0.0.1:{dead_port()}/v1", "--agent", "1",
                 "--engine", "2"])
    out, err = capsys.readouterr()
    assert code == 5
    assert_no_key(out + err, "status")


# --- plain http to a remote host ------------------------------------------------------------------------------
REFUSED = "gentui: refusing http:// to non-loopback host api.example.com; pass --allow-insecure-http"


@pytest.mark.parametrize("argv", [[], ["status", "--json"], ["export", "--engine", "1", "--format", "json"]])
@pytest.mark.parametrize("how", ["cli", "env", "config"])
def test_every_command_refuses_plain_http_to_a_remote_host(home, capsys, monkeypatch, argv, how):
    url = "http://api.example.com/v1"
    monkeypatch.setenv("GEN_API_KEY", KEY)
    if how == "env":
        monkeypatch.setenv("GEN_API_BASE_URL", url)
    elif how == "config":
        home.config.parent.mkdir(parents=True, exist_ok=True)
        home.config.write_text(f'base_url = "{url}"\n')
        home.config.chmod(0o600)
    code = main([*argv, *(["--base-url", url] if how == "cli" else [])])
    out, err = capsys.readouterr()
    assert code == 2
    assert err.strip().splitlines()[-1] == REFUSED
    assert_no_key(out + err, "the refusal")


@pytest.mark.parametrize("how", ["cli", "env", "config"])
def test_plain_http_to_a_remote_host_is_allowed_when_asked(home, monkeypatch, how):
    from gentui.cli import _cockpit_parser
    from gentui.commands.cockpit import build_launch

    url = "http://api.example.com/v1"
    argv = ["--base-url", url]
    if how == "cli":
        argv.append("--allow-insecure-http")
    elif how == "env":
        monkeypatch.setenv("GENTUI_ALLOW_INSECURE_HTTP", "true")
    else:
        home.config.parent.mkdir(parents=True, exist_ok=True)
        home.config.write_text("allow_insecure_http = true\n")
        home.config.chmod(0o600)
    launch = build_launch(_cockpit_parser().parse_args(argv))
    assert launch.client_factory().base_url == url


def test_loopback_lookalikes_are_not_loopback(home):
    from gentui.cli import _cockpit_parser
    from gentui.commands.cockpit import build_launch

    for url in ("http://localhost.evil.example/v1", "http://127.0.0.1.nip.io/v1", "http://0x7f.example/v1"):
        with pytest.raises(ConfigError, match="refusing http:// to non-loopback host"):
            build_launch(_cockpit_parser().parse_args(["--base-url", url]))
