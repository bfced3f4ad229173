"""Compression (answers over 1 KB gzipped when asked), `bytes_by_route` and `POST /_sim/spawn`."""

from __future__ import annotations

import gzip
import json

import pytest

from gentui.api import vocab
from gentui.sim.compression import accepts_gzip

from .conftest import Sim

ENGINE = "GET /v1/vidsheet/{id}"
GENERATION = "GET /v1/generations/{generation_id}"


@pytest.mark.parametrize(("header", "expected"), [
    ("gzip, deflate", True), ("GZIP", True), ("deflate", False), ("", False), ("gzip;q=0", False),
    ("*", True), ("*, gzip;q=0", False), ("identity", False), ("br, x-gzip;q=0.5", True),
])
def test_accept_encoding_is_read_as_a_server_reads_it(header: str, expected: bool) -> None:
    assert accepts_gzip(header) is expected


async def _engine_raw(sim: Sim, accept: str) -> tuple[dict[str, str], bytes]:
    request = sim.client.build_request("GET", sim.path(), headers={"Accept-Encoding": accept})
    response = await sim.client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in response.aiter_raw()])
    await response.aclose()
    return dict(response.headers), raw


async def test_a_big_answer_is_gzipped_when_asked_and_counted_compressed() -> None:
    sim = Sim()
    headers, raw = await _engine_raw(sim, "gzip")
    assert headers["content-encoding"] == "gzip"
    assert headers["vary"] == "Accept-Encoding"
    plain = gzip.decompress(raw)
    assert len(plain) > 1024 > 0 and len(raw) < len(plain)
    assert json.loads(plain)["id"]
    sent = (await sim.admin("stats"))["bytes_by_route"][ENGINE]
    assert len(raw) < sent < len(raw) + 400  # the compressed body and its headers, not the plain body


async def test_no_compression_without_accept_encoding_or_when_turned_off() -> None:
    sim = Sim()
    headers, raw = await _engine_raw(sim, "identity")
    assert "content-encoding" not in headers and json.loads(raw)["id"]
    await sim.admin("faults", {"compress": False})
    headers, raw_off = await _engine_raw(sim, "gzip")
    assert "content-encoding" not in headers and raw_off == raw
    assert (await sim.admin("faults", {"compress": True}))["compress"] is True


async def test_the_option_turns_compression_off_from_the_start() -> None:
    sim = Sim(compress=False)
    headers, _ = await _engine_raw(sim, "gzip")
    assert "content-encoding" not in headers
    assert (await sim.admin("faults", {}))["compress"] is False


async def test_a_small_answer_is_sent_as_it_is_and_counted() -> None:
    sim = Sim(quiet=False)
    gid = next(iter(sim.sim.world.in_flight))
    request = sim.client.build_request("GET", f"/v1/generations/{gid}", headers={"Accept-Encoding": "gzip"})
    response = await sim.client.send(request)
    assert response.status_code == 200 and "content-encoding" not in response.headers
    sent = (await sim.admin("stats"))["bytes_by_route"][GENERATION]
    assert len(response.content) < sent < len(response.content) + 400


async def test_compress_must_be_a_boolean() -> None:
    sim = Sim()
    response = await sim.client.post("/_sim/faults", json={"compress": "yes"})
    assert response.status_code == 422
    assert (await sim.admin("faults", {}))["compress"] is True


async def test_spawn_count_starts_charged_generations_on_idle_cells_uncounted() -> None:
    sim = Sim()
    before = await sim.balance()
    answer = await sim.admin("spawn", {"count": 3})
    ids = answer["generation_ids"]
    assert len(ids) == 3 and len(set(ids)) == 3
    gens = [await sim.generation(g) for g in ids]
    assert all(g["status"] in vocab.IN_FLIGHT_STATUSES for g in gens)
    assert await sim.balance() < before  # charged as usual
    stats = await sim.admin("stats")
    assert not any(route.startswith("POST") for route in stats["requests"])  # not counted as a client's
    cells = {sim.sim.world.generations[int(g)].cell_id for g in ids}
    assert len(cells) == 3


async def test_spawn_named_cells_and_refuse_a_busy_or_unknown_one() -> None:
    sim = Sim()
    cell = sim.cell(0, "SCRIPT")
    answer = await sim.admin("spawn", {"cells": [cell.id]})
    gid = int(answer["generation_ids"][0])
    assert sim.sim.world.generations[gid].cell_id == cell.id
    busy = await sim.client.post("/_sim/spawn", json={"cells": [cell.id]})
    assert busy.status_code == 422 and "in flight" in busy.json()["error"]
    unknown = await sim.client.post("/_sim/spawn", json={"cells": [999999]})
    assert unknown.status_code == 422
    bad = await sim.client.post("/_sim/spawn", json={"count": 0})
    assert bad.status_code == 422
