"""CLI output carries no raw escape from the server (issue 14 item 7).

`gentui export` (CSV and JSON), `gentui status --json` and `gentui login` against a simulator whose
organization, user, engine, columns, prompts and results are all hostile (OSC 52, OSC 0, CSI, DCS,
BEL, C1, bidi overrides): what reaches standard output is visible escapes, and JSON stays the same
value.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import httpx
import pytest

from gentui.cli import main
from gentui.core.text import json_safe, terminal_safe
from gentui.settings import Paths
from gentui.sim.app import create_app
from gentui.sim.hostile import add_hostile_engine
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread

CORPUS = json.loads((Path(__file__).parent.parent / "data" / "hostile.json").read_text())
CORPUS["big_lengths"] = [20_000]  # the 1 MB string is the UI's problem; here the escapes are
#: anything a terminal acts on: C0 but tab and newline, DEL, C1, bidi overrides and isolates
RAW = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@pytest.fixture(scope="module")
def hostile():
    app = create_app(SimOptions(quiet=True))
    sim = app.state.sim
    engine_id = add_hostile_engine(sim, CORPUS)
    sim.world.user["name"] = CORPUS["strings"]["osc52_clipboard"] + CORPUS["strings"]["c1_osc52"] + "\x07\x9b2J"
    with serve_in_thread(app=app) as server:
        info = httpx.get(server.root_url + "/_sim/world").json()
        yield server, info, str(engine_id)


def cli(capsys, monkeypatch, hostile, *argv: str) -> tuple[int, str, str]:
    server, info, engine_id = hostile
    monkeypatch.setenv("GEN_API_KEY", info["api_key"])
    code = main([argv[0], "--base-url", server.base_url, "--agent", str(info["agent_id"]), "--engine", engine_id,
                 *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def assert_clean(text: str) -> None:
    found = RAW.search(text)
    assert found is None, f"raw {found.group(0)!r} in the output near {text[max(0, found.start() - 30):found.end()]!r}"


def test_export_csv_to_the_terminal_prints_escapes_as_visible_text(home: Paths, hostile, capsys, monkeypatch) -> None:
    code, out, err = cli(capsys, monkeypatch, hostile, "export", "--format", "csv")
    assert code == 0, err
    assert_clean(out)
    assert "\\x1b]52;" in out and "\\x9b" in out  # shown, not dropped: the user sees what the server sent


def test_export_json_escapes_c1_and_stays_the_same_json(home: Paths, hostile, capsys, monkeypatch,
                                                         tmp_path: Path) -> None:
    code, out, err = cli(capsys, monkeypatch, hostile, "export", "--format", "json")
    assert code == 0, err
    assert_clean(out)
    records = json.loads(out)
    assert any("\x9b" in json.dumps(r, ensure_ascii=False) or "\x1b" in str(r) for r in records)  # lossless
    target = tmp_path / "out.json"
    code, _, err = cli(capsys, monkeypatch, hostile, "export", "--format", "json", "--output", str(target))
    assert code == 0, err
    assert_clean(target.read_text(encoding="utf-8"))
    assert json.loads(target.read_text(encoding="utf-8")) == records


def test_status_json_escapes_c1_from_server_names(home: Paths, hostile, capsys, monkeypatch) -> None:
    code, out, err = cli(capsys, monkeypatch, hostile, "status", "--json")
    assert code == 0, err
    assert_clean(out)
    data = json.loads(out)
    assert "\x1b" in data["credits"]["organization"]  # the same value, escaped in the JSON text


def test_login_prints_the_users_name_with_visible_escapes(home: Paths, hostile, capsys, monkeypatch) -> None:
    server, info, _ = hostile
    monkeypatch.setattr("sys.stdin", io.StringIO(info["api_key"] + "\n"))
    code = main(["login", "--key-stdin", "--base-url", server.base_url])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert out.startswith("Logged in as ")
    assert_clean(out)


@pytest.mark.parametrize("text", ["\x1b]52;c;QUJD\x07", "\x1b]0;title\x1b\\", "\x1bP1$r\x1b\\", "\x9b2J",
                                  "\x9d52;c;x\x9c", "\x07\x08\r\x00\x7f", "a\u202eb\u2066c"])
def test_terminal_safe_neutralises_every_control(text: str) -> None:
    out = terminal_safe(text + "\tok\n")
    assert out.endswith("\tok\n")  # tabs and newlines stay
    assert_clean(out)


def test_json_safe_is_the_same_value() -> None:
    value = {"x\x9b": "a\x85b\u2028c\u202e\x7f\x1b生"}
    text = json_safe(json.dumps(value, ensure_ascii=False))
    assert RAW.search(text) is None and "生" in text
    assert json.loads(text) == value
