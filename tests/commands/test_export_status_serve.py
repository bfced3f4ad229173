"""`gentui export`, `gentui status --json` and `gentui serve`, from the command line, against real sockets."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from gentui.api import vocab
from gentui.cli import main
from gentui.core.export import FIELDS, format_records
from gentui.core.journal import Journal
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread


@pytest.fixture(scope="module")
def sim():
    with serve_in_thread(SimOptions(quiet=True)) as server:
        yield server


def world(server) -> dict:
    return httpx.get(server.root_url + "/_sim/world").json()


def connect(server, *, key: str | None = None) -> tuple[list[str], str]:
    info = world(server)
    return ["--base-url", server.base_url, "--agent", str(info["agent_id"])], key or info["api_key"]


def run(capsys, monkeypatch, server, *argv: str, key: str | None = None, engine: str | None = None):
    options, api_key = connect(server, key=key)
    monkeypatch.setenv("GEN_API_KEY", api_key)
    if engine is None:
        engine = str(world(server)["engine_ids"][0])
    code = main([argv[0], *options, *(["--engine", engine] if engine else []), *argv[1:]])
    out, err = capsys.readouterr()
    return code, out, err


def engine_json(server) -> dict:
    info = world(server)
    return httpx.get(f"{server.base_url}/vidsheet/{info['engine_ids'][0]}",
                     params={"agent_id": info["agent_id"], "with_execution_cost": "true"},
                     headers={"X-API-Key": info["api_key"]}).json()


# --- export -----------------------------------------------------------------------------------------------------
def test_export_writes_every_generation_to_csv_and_json(home, sim, tmp_path, capsys, monkeypatch):
    csv_file, json_file = tmp_path / "history.csv", tmp_path / "history.json"
    code, out, err = run(capsys, monkeypatch, sim, "export", "--format", "csv", "--output", str(csv_file))
    assert (code, out) == (0, "") and f"to {csv_file}" in err
    code, _, err = run(capsys, monkeypatch, sim, "export", "--format", "json", "--output", str(json_file))
    assert code == 0

    rows = list(csv.DictReader(csv_file.open(encoding="utf-8")))
    records = json.loads(json_file.read_text(encoding="utf-8"))
    assert csv_file.read_text(encoding="utf-8").splitlines()[0] == ",".join(FIELDS)
    assert f"wrote {len(records)} generations" in err
    assert [r["generation_id"] for r in rows] == [r["generation_id"] for r in records]

    engine = engine_json(sim)
    cells = [c for row in engine["spreadsheet_rows"] for c in row["spreadsheet_cells"]]
    server_jobs = {str(j["id"]) for c in cells for j in c.get("user_jobs") or []}
    assert {r["generation_id"] for r in records} == server_jobs
    completed = [r for r in records if r["status"] == vocab.COMPLETED]
    assert completed and all(Decimal(r["execution_cost"]) > 0 for r in completed)
    assert {r["status"] for r in records} >= set(vocab.TERMINAL_STATUSES)
    assert sum(1 for r in records if r["displayed"]) <= len(cells)
    first = records[0]
    assert first["row"] == 1 and first["column"] and first["created_at"].endswith("+00:00")


def test_export_files_are_0600_whatever_the_umask_and_even_over_an_older_0644_file(home, sim, tmp_path, capsys,
                                                                                   monkeypatch):
    import os
    import stat

    old_file = tmp_path / "old.csv"
    old_file.write_text("older export")
    old_file.chmod(0o644)
    umask = os.umask(0)
    try:
        for target in (tmp_path / "new.csv", old_file):
            code, _, _ = run(capsys, monkeypatch, sim, "export", "--format", "csv", "--output", str(target))
            assert code == 0 and oct(stat.S_IMODE(target.stat().st_mode)) == "0o600"
        assert old_file.read_text(encoding="utf-8").startswith("row,")
    finally:
        os.umask(umask)


def test_export_to_standard_output(home, sim, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, sim, "export", "--format", "json")
    assert code == 0 and isinstance(json.loads(out), list)


def test_export_without_an_engine_or_to_a_bad_path_is_a_usage_error(home, sim, tmp_path, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, sim, "export", engine="")
    assert (code, out) == (2, "") and "needs --engine" in err
    code, _, err = run(capsys, monkeypatch, sim, "export", "--output", str(tmp_path / "no" / "such" / "dir" / "x.csv"))
    assert code == 2 and "cannot write" in err


def test_csv_neutralises_formulas_for_spreadsheets():
    record = {k: None for k in FIELDS} | {"generation_id": "1", "failed_reason": "=HYPERLINK(\"http://x\")",
                                          "result": "+cmd", "execution_cost": "-1", "column": "@SUM(A1)"}
    row = next(csv.DictReader(io.StringIO(format_records([record], "csv"))))
    assert row["failed_reason"].startswith("'=") and row["result"] == "'+cmd" and row["column"] == "'@SUM(A1)"
    assert row["execution_cost"] == "-1"  # numbers stay numbers


# --- status -----------------------------------------------------------------------------------------------------
def test_status_json_snapshot_and_spend_history(home, sim, capsys, monkeypatch):
    journal = Journal(home.journal, base_url=sim.base_url, agent_id="42", engine_id="101")
    from gentui.core.card import Card

    idem = journal.begin("regenerate", ("501", "201"), "3001", Card("text", {}, "t", "t"), estimate=Decimal("2.5"))
    journal.done(idem, "999")
    journal.close()
    code, out, err = run(capsys, monkeypatch, sim, "status", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["credits"]["generic"] and data["agent"]["id"] == str(world(sim)["agent_id"])
    assert data["engine"]["rows"] == 14 and data["engine"]["counts"][vocab.FAILED] == 3
    assert data["engine"]["in_flight"] == []
    assert data["spend"] == [{"day": time.strftime("%Y-%m-%d", time.gmtime()), "engine_id": "101",
                              "generations": 1, "credits_estimated": "2.5"}]


def test_status_without_a_journal_has_no_spend(home, sim, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, sim, "status", "--json", engine="")
    assert code == 0
    data = json.loads(out)
    assert data["spend"] == [] and data["engine"] is None
    assert not home.journal.exists()  # status only reads


def test_status_exit_3_on_a_rejected_key(home, sim, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, sim, "status", "--json", key="wrong-key-000000")
    assert (code, out) == (3, "") and "wrong-key-000000" not in err


def test_status_exit_4_on_an_unknown_engine(home, sim, capsys, monkeypatch):
    code, out, err = run(capsys, monkeypatch, sim, "status", "--json", engine="424242")
    assert (code, out) == (4, "") and err


def test_status_exit_5_when_the_server_is_unreachable(home, capsys, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("GEN_API_KEY", "sim-key")
    code = main(["status", "--json", "--base-url", f"http://127.0.0.1:{port}/v1", "--agent", "42"])
    out, _ = capsys.readouterr()
    assert (code, out) == (5, "")


# --- serve ------------------------------------------------------------------------------------------------------
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_page(proc: subprocess.Popen, url: str, log: Path, timeout: float) -> httpx.Response:
    """The page, once the server answers; fails at once if the server exits, or after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            pass
        try:  # between tries, wait for the server to exit (a failure) rather than for a fixed time
            code = proc.wait(timeout=min(0.1, max(0.0, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() > deadline:
                raise AssertionError(f"serve did not answer {url} in {timeout} s: {log.read_text()}") from None
            continue
        raise AssertionError(f"serve exited ({code}) before answering {url}: {log.read_text()}")


def test_serve_answers_its_page_on_loopback_then_stops(home, tmp_path):
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    log = (tmp_path / "serve.log").open("w+")
    proc = subprocess.Popen([sys.executable, "-m", "gentui", "serve", "--demo", "--port", str(port)],
                            stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
    try:
        refused = wait_for_page(proc, f"http://127.0.0.1:{port}/", tmp_path / "serve.log", timeout=30)
        assert refused.status_code == 403  # no token, loopback included
        printed = re.search(rf"http://127\.0\.0\.1:{port}/\?token=[\w-]+", (tmp_path / "serve.log").read_text())
        assert printed, (tmp_path / "serve.log").read_text()
        page = httpx.get(printed.group(0), timeout=5)
        assert page.status_code == 200
        assert "xterm" in page.text and f'data-session-websocket-url="ws://127.0.0.1:{port}/ws"' in page.text
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            code = proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            raise
    assert code == 0
    assert f"http://127.0.0.1:{port}" in (tmp_path / "serve.log").read_text()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)


def test_serve_refuses_a_public_address_without_public(home, capsys):
    code = main(["serve", "--host", "0.0.0.0", "--port", str(free_port())])
    _, err = capsys.readouterr()
    assert code == 2 and "--public" in err and "token" in err


def test_serve_passes_its_options_to_the_served_app():
    import argparse

    from gentui.commands.serve import app_command, configure, is_loopback

    parser = argparse.ArgumentParser()
    configure(parser)
    args = parser.parse_args(["--readonly", "--engine", "7; rm -rf ~", "--base-url", "http://127.0.0.1:9/v1"])
    command = app_command(args)
    import shlex

    argv = shlex.split(command)
    assert argv[:4] == [sys.executable, "-m", "gentui", "--readonly"]
    assert argv[argv.index("--engine") + 1] == "7; rm -rf ~" and "--engine '7; rm -rf ~'" in command
    assert argv[argv.index("--base-url") + 1] == "http://127.0.0.1:9/v1"
    assert "--demo" not in command
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
