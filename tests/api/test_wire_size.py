"""The client asks for gzip, records each answer's wire size (compressed, as received) and latency."""

from __future__ import annotations

import asyncio

import httpx

from gentui.api.answers import RequestRecord
from gentui.api.client import GenClient
from gentui.api.limits import ACCEPT_ENCODING
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread


def test_httpx_asks_for_gzip_by_default_and_so_do_we() -> None:
    assert "gzip" in httpx.AsyncClient().headers["Accept-Encoding"]
    assert "gzip" in ACCEPT_ENCODING


async def _engine_records(compress: bool) -> list[RequestRecord]:
    records: list[RequestRecord] = []
    with serve_in_thread(SimOptions(quiet=True, compress=compress)) as server:
        info = server.app.state.sim.world_info()
        async with GenClient(server.base_url, info["api_key"], on_request=records.append) as client:
            text = await asyncio.wait_for(client.get_engine_text(str(info["agent_id"]), str(info["engine_ids"][0])), 30)
            assert text.startswith("{")
    return records


async def test_a_gzipped_engine_is_recorded_at_its_compressed_wire_size() -> None:
    rec = (await _engine_records(True))[-1]
    assert rec.status == 200 and rec.encoding == "gzip"
    assert 0 < rec.wire_bytes < rec.body_bytes / 3  # compressed on the wire, decompressed in memory
    assert rec.elapsed_ms > 0


async def test_an_uncompressed_engine_is_recorded_at_its_full_size() -> None:
    rec = (await _engine_records(False))[-1]
    assert rec.status == 200 and rec.encoding == ""
    assert rec.body_bytes < rec.wire_bytes < rec.body_bytes + 1000  # the body and its headers
