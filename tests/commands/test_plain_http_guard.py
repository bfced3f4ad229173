"""The key never leaves in clear (issue 16 item 2): `HTTP://` in any case is plain http; a proxy from the
environment never sees the key over plain http unless allowed; a user name and password in a base URL
are refused and never written anywhere.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import io
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gentui.api import errors
from gentui.api.client import GenClient
from gentui.cli import main
from gentui.commands.cockpit import build_launch
from gentui.core.engine_cache import EngineCache
from gentui.core.journal import Journal
from gentui.settings import AppState, ConfigError, Paths, check_base_url, remember_engine, save_state
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread

KEY = "gen-live-0123456789abcdefWXYZ"
SECRET = "S3cret"


@pytest.fixture(scope="module")
def sim():
    with serve_in_thread(SimOptions(quiet=True)) as server:
        yield server


class RecordingProxy:
    """A proxy on loopback that records what it is sent and answers 502 (it forwards nothing)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.received: list[bytes] = []
        self.got_one = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(5)
                data = b""
                while b"\r\n\r\n" not in data:
                    chunk = conn.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                self.received.append(data)
                self.got_one.set()
                conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def close(self) -> None:
        self.sock.close()


@pytest.fixture
def proxy(monkeypatch: pytest.MonkeyPatch) -> Iterator[RecordingProxy]:
    recorder = RecordingProxy()
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(var, recorder.url)
    yield recorder
    recorder.close()


def files_under(root: Path) -> Iterator[tuple[Path, bytes]]:
    for path in root.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            yield path, gzip.decompress(data) if path.name.endswith(".gz") else data


# --- HTTP:// in any case ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("scheme", ["HTTP", "Http", "hTtP"])
def test_status_refuses_plain_http_in_any_case(home: Paths, capsys, monkeypatch, scheme: str) -> None:
    monkeypatch.setenv("GEN_API_KEY", KEY)
    code = main(["status", "--json", "--base-url", f"{scheme}://api.example.test/v1", "--agent", "1"])
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")  # refused before any request (an attempt would be exit 5)
    assert "refusing http:// to non-loopback host api.example.test" in err


def test_login_refuses_plain_http_in_any_case_and_stores_nothing(home: Paths, capsys, monkeypatch) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(KEY + "\n"))
    code = main(["login", "--key-stdin", "--base-url", "HTTP://api.example.test/v1"])
    _, err = capsys.readouterr()
    assert code == 2 and "refusing http://" in err
    assert not home.config.exists()


def test_plain_http_in_capitals_from_the_environment_and_the_cockpit_is_refused(home: Paths, monkeypatch) -> None:
    monkeypatch.setenv("GEN_API_BASE_URL", "HTTP://api.example.test/v1")
    monkeypatch.setenv("GEN_API_KEY", KEY)
    given = {"base_url": None, "agent_id": "1", "engine_id": "100", "readonly": None, "theme": None,
             "allow_insecure_http": None, "demo": False}
    with pytest.raises(ConfigError, match="refusing http://"):
        build_launch(argparse.Namespace(**given))


def test_base_urls_are_kept_with_a_lower_case_scheme() -> None:
    assert check_base_url("HTTPS://API.gen.pro/v1/", False) == "https://api.gen.pro/v1"
    assert check_base_url("HTTP://LOCALHOST:8765/v1", False) == "http://localhost:8765/v1"
    assert check_base_url("HTTP://api.example.test/v1", True) == "http://api.example.test/v1"


# --- proxies ------------------------------------------------------------------------------------------------------
def test_a_proxy_never_sees_the_key_for_a_plain_http_server(home: Paths, sim, proxy: RecordingProxy, capsys,
                                                             monkeypatch) -> None:
    info = httpx.get(sim.root_url + "/_sim/world", trust_env=False).json()
    monkeypatch.setenv("GEN_API_KEY", info["api_key"])
    code = main(["status", "--json", "--base-url", sim.base_url, "--agent", str(info["agent_id"]),
                 "--engine", str(info["engine_ids"][0])])
    out, err = capsys.readouterr()
    assert code == 0, err  # straight to the server
    assert proxy.received == []
    assert f"not using the proxy {proxy.url} for {sim.base_url}" in err and err.count("\n") == 1


async def test_allow_insecure_http_lets_a_plain_http_request_use_the_proxy(proxy: RecordingProxy) -> None:
    async with GenClient("http://api.example.test/v1", KEY, max_attempts=1, allow_insecure_http=True) as client:
        with pytest.raises(errors.GenApiError):
            await client.me()
    assert proxy.received and proxy.received[0].startswith(b"GET http://api.example.test/v1/me")


async def test_an_https_server_through_an_http_proxy_is_a_tunnel_the_key_stays_inside(proxy: RecordingProxy) -> None:
    async with GenClient("https://api.example.test/v1", KEY, max_attempts=1) as client:
        with pytest.raises((errors.GenApiError, httpx.HTTPError)):
            await client.me()
    assert proxy.received and proxy.received[0].startswith(b"CONNECT api.example.test:443")
    assert all(KEY.encode() not in data for data in proxy.received)


# --- user names and passwords -------------------------------------------------------------------------------------
def test_a_base_url_with_a_password_is_refused_without_echoing_it(home: Paths, sim, capsys, monkeypatch) -> None:
    info = httpx.get(sim.root_url + "/_sim/world", trust_env=False).json()
    url = sim.base_url.replace("http://", f"http://alice:{SECRET}@")
    monkeypatch.setenv("GEN_API_KEY", info["api_key"])
    runs = [
        ["status", "--json", "--base-url", url, "--agent", str(info["agent_id"]), "--engine",
         str(info["engine_ids"][0])],
        ["export", "--format", "json", "--base-url", url, "--agent", str(info["agent_id"]), "--engine",
         str(info["engine_ids"][0])],
        ["config", "set", "base_url", url],
    ]
    for argv in runs:
        code = main(argv)
        out, err = capsys.readouterr()
        assert code == 2, (argv, out, err)
        assert SECRET not in out + err and "user name or password" in err
    monkeypatch.setattr("sys.stdin", io.StringIO(info["api_key"] + "\n"))
    assert main(["login", "--key-stdin", "--base-url", url]) == 2
    assert SECRET not in "".join(capsys.readouterr())
    monkeypatch.setenv("GEN_API_BASE_URL", url)
    given = {"base_url": None, "agent_id": str(info["agent_id"]), "engine_id": str(info["engine_ids"][0]),
             "readonly": None, "theme": None, "allow_insecure_http": None, "demo": False}
    with pytest.raises(ConfigError) as refused:
        build_launch(argparse.Namespace(**given))
    assert SECRET not in str(refused.value)
    tree = home.config.parent.parent.parent  # tmp_path: config, state, data, cache and home
    assert [path for path, data in files_under(tree) if SECRET.encode() in data] == []


def test_nothing_persisted_keeps_a_password_even_if_one_gets_through(home: Paths) -> None:
    url = f"http://alice:{SECRET}@127.0.0.1:8765/v1"
    journal = Journal(home.journal, base_url=url, agent_id="1", engine_id="100")
    journal.bind(base_url=url)
    journal.begin("regenerate", ("1", "2"), "c1", None)
    journal.close()
    state = AppState()
    remember_engine(state, "100", "Engine", "1", url)
    save_state(state, home)
    EngineCache(home.cache_dir).save(url, "1", "100", '{"id": 100}', force=True)
    assert EngineCache(home.cache_dir).load("http://127.0.0.1:8765/v1", "1", "100") is not None
    written = dict(files_under(home.config.parent.parent.parent))
    assert written and not [path for path, data in written.items() if SECRET.encode() in data]
    assert any(b"http://127.0.0.1:8765/v1" in data for data in written.values())


def test_the_client_refuses_a_base_url_with_a_password() -> None:
    async def make() -> None:
        GenClient(f"https://alice:{SECRET}@api.gen.pro/v1", KEY)

    with pytest.raises(ValueError, match="user name or password") as refused:
        asyncio.run(make())
    assert SECRET not in str(refused.value)
