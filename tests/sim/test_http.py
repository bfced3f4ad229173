"""The simulator over real HTTP: uvicorn in a thread, dropped connections, restarts, and `gentui sim`."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread

KEY = {"X-API-Key": "sim-key"}
ROOT = Path(__file__).resolve().parents[2]


def _generate_url(server, row: int = 0) -> str:
    sim = server.app.state.sim
    engine = sim.world.engines[sim.world.engine_ids[0]]
    cell = sim.world.rows[engine.row_ids[row]].cell_ids[3]  # VIDEO
    return f"{server.base_url}/vidsheet/{engine.id}/cells/{cell}/generate?agent_id=42"


def _balance(client: httpx.Client, server) -> Decimal:
    org = client.get(f"{server.base_url}/organizations/10", headers=KEY).json()
    return Decimal(org["available_credit"]["generic"])


def test_the_simulator_answers_over_real_http() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server, httpx.Client(timeout=10) as client:
        assert server.base_url.startswith("http://127.0.0.1:") and server.base_url.endswith("/v1")
        assert server.port > 0 and server.root_url + "/v1" == server.base_url
        assert client.get(f"{server.base_url}/me", headers=KEY).json()["id"] == 1234
        bearer = client.get(f"{server.base_url}/me", headers={"Authorization": "Bearer sim-key"})
        assert bearer.status_code == 200
        assert client.get(f"{server.root_url}/_sim/world").json()["agent_id"] == 42


def test_a_dropped_connection_comes_after_the_server_acted_and_a_keyed_retry_recovers() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server, httpx.Client(timeout=10) as client:
        url = _generate_url(server)
        client.post(f"{server.root_url}/_sim/faults", json={"drop_rate": 1})
        headers = {**KEY, "Idempotency-Key": "drop-1"}
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.post(url, json={}, headers=headers)
        client.post(f"{server.root_url}/_sim/faults", json={"drop_rate": 0})
        assert _balance(client, server) == Decimal(5000 - 480)  # it acted before dropping
        retry = client.post(url, json={}, headers=headers)
        assert retry.status_code == 201
        assert _balance(client, server) == Decimal(5000 - 480)
        stats = client.get(f"{server.root_url}/_sim/stats").json()
        assert stats["charges_by_idempotency_key"] == {"drop-1": 1}
        assert stats["faulted"] == {"POST /v1/vidsheet/{id}/cells/{cell_id}/generate": 1}


def test_a_dropped_get_is_a_transport_error() -> None:
    with serve_in_thread(SimOptions(quiet=True, drop_rate=1.0)) as server, httpx.Client(timeout=10) as client:
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            client.get(f"{server.base_url}/me", headers=KEY)
        assert client.get(f"{server.root_url}/_sim/world").status_code == 200


def test_latency_is_real_over_http() -> None:
    with serve_in_thread(SimOptions(quiet=True, latency_ms=80)) as server, httpx.Client(timeout=10) as client:
        started = time.perf_counter()
        assert client.get(f"{server.base_url}/me", headers=KEY).status_code == 200
        assert time.perf_counter() - started >= 0.08
        started = time.perf_counter()
        client.get(f"{server.root_url}/_sim/stats")
        assert time.perf_counter() - started < 0.08


def test_the_server_can_stop_and_start_again_on_the_same_port_with_its_world() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server:
        port = server.port
        with httpx.Client(timeout=10) as client:
            assert client.post(_generate_url(server), json={}, headers=KEY).status_code == 201
        server.stop()
        with httpx.Client(timeout=2) as client, pytest.raises(httpx.ConnectError):
            client.get(f"{server.base_url}/me", headers=KEY)
        server.start()
        assert server.port == port
        with httpx.Client(timeout=10) as client:
            assert _balance(client, server) == Decimal(5000 - 480)


def _read_line(proc: subprocess.Popen, deadline: float) -> str:
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        ready, _, _ = select.select([proc.stdout], [], [], 0.1)
        if ready:
            return proc.stdout.readline().decode().rstrip("\n")
        if proc.poll() is not None:
            break
    raise AssertionError(f"gentui sim printed nothing (exit {proc.poll()})")


def test_gentui_sim_prints_four_shell_ready_lines_and_serves_them() -> None:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gentui", "sim", "--port", "0", "--quiet", "--api-key", "k-123"],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, bufsize=0)
    try:
        deadline = time.monotonic() + 30
        lines = [_read_line(proc, deadline) for _ in range(4)]
        assert all(line.startswith("export ") for line in lines)
        values = dict(line.removeprefix("export ").split("=", 1) for line in lines)
        assert list(values) == ["GEN_API_BASE_URL", "GEN_API_KEY", "GENTUI_AGENT_ID", "GENTUI_ENGINE_ID"]
        assert values["GEN_API_BASE_URL"].startswith("http://127.0.0.1:") and values["GEN_API_KEY"] == "k-123"
        base = values["GEN_API_BASE_URL"]
        with httpx.Client(timeout=10) as client:
            headers = {"X-API-Key": values["GEN_API_KEY"]}
            assert client.get(f"{base}/agents/{values['GENTUI_AGENT_ID']}", headers=headers).status_code == 200
            engine = client.get(f"{base}/vidsheet/{values['GENTUI_ENGINE_ID']}",
                                params={"agent_id": values["GENTUI_AGENT_ID"]}, headers=headers)
            assert engine.status_code == 200 and len(engine.json()["spreadsheet_rows"]) == 14
    finally:
        proc.terminate()
        proc.wait(timeout=15)
