"""`gentui config path|show|set`, `gentui keys` and `gentui login`, driven through `gentui.cli.main`."""

from __future__ import annotations

import io
import re
import socket
import stat
import subprocess
import sys

import pytest

from gentui.action_table import BINDINGS
from gentui.cli import main
from gentui.settings import FIELDS, Paths, read_config_dict

KEY = "gen-live-0123456789abcdefWXYZ"
OTHER_KEY = "gen-live-fedcba9876543210QRST"
SHOW_LINE = re.compile(r"^(\w+) = (.+)  # (default|config|env|cli|state)$")


def write_config(paths: Paths, text: str) -> None:
    paths.config.parent.mkdir(parents=True, exist_ok=True)
    paths.config.write_text(text, encoding="utf-8")
    paths.config.chmod(0o600)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# --- config path ------------------------------------------------------------------------------------------------
def test_config_path_prints_name_tab_path(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "config", "path")
    assert code == 0
    assert out.splitlines() == [f"config\t{home.config}", f"state\t{home.state}", f"journal\t{home.journal}",
                                f"themes\t{home.themes}", f"log\t{home.log}"]


def test_config_without_an_action_is_a_usage_error(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, "config")
    assert code == 2 and "usage" in err


# --- config show ------------------------------------------------------------------------------------------------
def test_config_show_lists_every_setting_with_its_source(home: Paths, capsys: pytest.CaptureFixture[str],
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, 'poll_interval = 3\nengine_id = 100\n[keymap]\nstop = "z"\n[engines]\n100 = "Main"\n')
    monkeypatch.setenv("GENTUI_NOTIFY", "bell")
    code, out, err = run(capsys, "config", "show")
    assert code == 0 and err == ""
    lines = out.splitlines()
    parsed = [SHOW_LINE.match(line) for line in lines]
    assert all(parsed), lines
    assert [m.group(1) for m in parsed] == list(FIELDS)
    shown = {m.group(1): (m.group(2), m.group(3)) for m in parsed}
    assert shown["poll_interval"] == ("3.0", "config")
    assert shown["engine_id"] == ('"100"', "config")
    assert shown["notify"] == ('"bell"', "env")
    assert shown["base_url"] == ('"https://api.gen.pro/v1"', "default")
    assert shown["keymap"] == ('{stop = "z"}', "config")
    assert shown["engines"] == ('{100 = "Main"}', "config")
    assert shown["api_key"] == ("(unset)", "default")
    assert shown["readonly"] == ("false", "default")
    assert shown["confirm_above"] == ("50", "default")


def test_config_show_never_prints_the_key(home: Paths, capsys: pytest.CaptureFixture[str],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, f'api_key = "{OTHER_KEY}"\n')
    home.config.chmod(0o644)  # a warning about the file must not leak it either
    code, out, err = run(capsys, "config", "show")
    assert code == 0
    assert "api_key = ***QRST  # config" in out.splitlines()
    assert "chmod 600" in err
    monkeypatch.setenv("GEN_API_KEY", KEY)
    code, out2, err2 = run(capsys, "config", "show")
    assert "api_key = ***WXYZ  # env" in out2.splitlines()
    for text in (out, err, out2, err2):
        assert KEY not in text and OTHER_KEY not in text
        assert KEY[:-4] not in text and OTHER_KEY[:-4] not in text


def test_config_show_with_an_invalid_file_exits_2_naming_file_and_key(home: Paths,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    write_config(home, f'api_key = "{KEY}"\npol_interval = 3\n')
    code, out, err = run(capsys, "config", "show")
    assert code == 2 and out == ""
    assert err.count("\n") == 1
    assert str(home.config) in err and "'pol_interval'" in err and "did you mean 'poll_interval'" in err
    assert KEY not in err


def test_config_show_with_a_bad_environment_variable_exits_2(home: Paths, capsys: pytest.CaptureFixture[str],
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GENTUI_POLL_INTERVAL", "fast")
    code, out, err = run(capsys, "config", "show")
    assert (code, out) == (2, "")
    assert err == 'gentui: GENTUI_POLL_INTERVAL: must be a number from 1 to 3600, got "fast"\n'


# --- config set -------------------------------------------------------------------------------------------------
def test_config_set_writes_a_typed_key_into_a_private_file(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(home, 'theme = "gentui-light"\n')
    code, out, _ = run(capsys, "config", "set", "batch_concurrency", "8")
    assert code == 0
    assert out == f"batch_concurrency = 8  # written to {home.config}\n"
    assert read_config_dict(home) == {"theme": "gentui-light", "batch_concurrency": 8}
    assert stat.S_IMODE(home.config.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "config", "set", "keymap.stop", "z")
    assert code == 0 and read_config_dict(home)["keymap"] == {"stop": "z"}


@pytest.mark.parametrize(("argv", "message"), [
    (("pol_interval", "3"), "unknown key 'pol_interval' (did you mean 'poll_interval'?)"),
    (("poll_interval", "0.1"), "'poll_interval' must be a number from 1 to 3600, got 0.1"),
    (("confirm", "sometimes"), "'confirm' must be one of \"always\", \"costly\", got \"sometimes\""),
    (("keymap.stpo", "z"), "unknown binding id 'stpo' in [keymap] (did you mean 'stop'?)"),
])
def test_config_set_refuses_bad_input_with_exit_2(home: Paths, capsys: pytest.CaptureFixture[str],
                                                  argv: tuple[str, str], message: str) -> None:
    code, out, err = run(capsys, "config", "set", *argv)
    assert (code, out) == (2, "")
    assert err == f"gentui: {home.config}: {message}\n"
    assert not home.config.exists()


def test_config_set_api_key_does_not_echo_it(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "config", "set", "api_key", KEY)
    assert code == 0 and "gentui login" in err
    assert KEY not in out + err and "***WXYZ" in out
    assert read_config_dict(home)["api_key"] == KEY


# --- keys -------------------------------------------------------------------------------------------------------
def test_keys_lists_every_binding_with_display_keys(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "keys")
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert all(len(row) == 3 for row in rows)
    assert [row[0] for row in rows] == [b.id for b in BINDINGS]
    by_id = {row[0]: row for row in rows}
    assert by_id["filter"][1] == "/" and by_id["help"][1] == "?"
    assert by_id["stop"] == ["stop", "s", "Stop"]
    assert by_id["refresh"][1] == "ctrl+r"


def test_keys_shows_the_users_remap(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(home, '[keymap]\nstop = "z"\nfilter = "ctrl+f,/"\nhelp = "f2"\n')
    code, out, _ = run(capsys, "keys")
    assert code == 0
    by_id = {line.split("\t")[0]: line.split("\t") for line in out.splitlines()}
    assert by_id["stop"] == ["stop", "z", "Stop"]
    assert by_id["filter"][1] == "ctrl+f,/"
    assert by_id["help"][1] == "f2"
    assert by_id["quit"][1] == "q"
    assert len(by_id) == len(BINDINGS)


def test_keys_with_an_unknown_binding_id_exits_2(home: Paths, capsys: pytest.CaptureFixture[str]) -> None:
    write_config(home, '[keymap]\nstpo = "z"\n')
    code, out, err = run(capsys, "keys")
    assert (code, out) == (2, "")
    assert str(home.config) in err and "unknown binding id 'stpo'" in err


# --- login ------------------------------------------------------------------------------------------------------
@pytest.fixture
def sim():
    from gentui.sim.options import SimOptions
    from gentui.sim.server import serve_in_thread

    with serve_in_thread(SimOptions()) as server:
        yield server


def login(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, key: str,
          *argv: str) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(key + "\n"))
    return run(capsys, "login", "--key-stdin", *argv)


def test_login_stores_a_good_key_privately(home: Paths, sim, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = login(capsys, monkeypatch, "  sim-key  ", "--base-url", sim.base_url + "/")
    assert code == 0, err
    assert out.startswith("Logged in as ")
    assert out.rstrip().endswith(f"; key stored in {home.config}")
    assert read_config_dict(home) == {"api_key": "sim-key", "base_url": sim.base_url.rstrip("/")}
    assert stat.S_IMODE(home.config.stat().st_mode) == 0o600
    code, out, _ = run(capsys, "config", "show")
    assert "api_key = ***  # config" in out.splitlines()


def test_login_with_a_rejected_key_exits_3_and_stores_nothing(home: Paths, sim, capsys: pytest.CaptureFixture[str],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, err = login(capsys, monkeypatch, "not-the-key-123456", "--base-url", sim.base_url)
    assert code == 3 and out == ""
    assert "rejected" in err and "not-the-key-123456" not in err
    assert not home.config.exists()


def test_login_keeps_other_settings(home: Paths, sim, capsys: pytest.CaptureFixture[str],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write_config(home, f'base_url = "{sim.base_url}"\ntheme = "gentui-light"\n')
    code, _, err = login(capsys, monkeypatch, "sim-key")
    assert code == 0, err
    assert read_config_dict(home) == {"base_url": sim.base_url, "theme": "gentui-light", "api_key": "sim-key"}


def test_login_to_an_unreachable_server_exits_5(home: Paths, capsys: pytest.CaptureFixture[str],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    code, _, err = login(capsys, monkeypatch, KEY, "--base-url", f"http://127.0.0.1:{port}/v1")
    assert code == 5 and "nothing stored" in err.lower()
    assert KEY not in err
    assert not home.config.exists()


def test_login_refuses_plain_http_to_a_remote_host(home: Paths, capsys: pytest.CaptureFixture[str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = login(capsys, monkeypatch, KEY, "--base-url", "http://api.example.com/v1")
    assert code == 2
    assert "refusing http:// to non-loopback host api.example.com; pass --allow-insecure-http" in err
    assert not home.config.exists()


def test_login_without_a_key_stores_nothing(home: Paths, capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, err = login(capsys, monkeypatch, "   ")
    assert code == 2 and "no key" in err
    assert not home.config.exists()


# --- a reader that goes away --------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["keys"], ["config", "show"], ["config", "path"]])
def test_a_closed_pipe_ends_quietly_without_a_traceback(home: Paths, argv: list[str]) -> None:
    """`gentui keys | head -1`: the reader is gone before gentui writes; no BrokenPipeError on stderr."""
    proc = subprocess.Popen([sys.executable, "-m", "gentui", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # long before the interpreter has imported gentui
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 1  # Python's documented convention for EPIPE
    assert err == ""
