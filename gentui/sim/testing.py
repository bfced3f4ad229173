"""Helpers for other test suites that drive the simulator in-process.

    app, clock = quiet_app()
    async with sim_client(app) as client:          # base_url http://sim, key sent
        r = await client.post(engine_path(app, f"cells/{cell}/generate"), json={...})
        clock.advance(30)
        await admin(client, "credits", {"generic": "0"})
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import httpx
from starlette.applications import Starlette

from gentui.api import vocab
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.model import Cell, Generation
from gentui.sim.options import SimOptions
from gentui.sim.simulator import Simulator

BASE = "http://sim"


def quiet_app(**options: Any) -> tuple[Starlette, ManualClock]:
    """A simulator with nothing in flight at start, on a hand-driven clock."""
    clock = ManualClock()
    options.setdefault("quiet", True)
    return create_app(SimOptions(**options), clock=clock), clock


def sim_of(app: Starlette) -> Simulator:
    return app.state.sim


def sim_client(app: Starlette, *, key: str | None = None, base_url: str = BASE) -> httpx.AsyncClient:
    """An in-process client that sends the current key (pass `key=""` to send none)."""
    key = sim_of(app).api_key if key is None else key
    headers = {"X-API-Key": key} if key else {}
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url, headers=headers)


async def admin(client: httpx.AsyncClient, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
    """GET `/_sim/<path>` (no body) or POST it (body); the JSON answer, asserting 200."""
    url = f"/_sim/{path}"
    response = await (client.get(url) if body is None else client.post(url, json=body))
    assert response.status_code == 200, response.text
    return response.json()


def engine_path(app: Starlette, rest: str = "", *, engine: int = 0, prefix: str | None = None) -> str:
    """`/v1/<prefix>/<engine id>/<rest>?agent_id=<agent>` for the world's engine number `engine`."""
    sim = sim_of(app)
    prefix = prefix or sim.options.prefixes[0]
    tail = f"/{rest}" if rest else ""
    return f"/v1/{prefix}/{sim.world.engine_ids[engine]}{tail}?agent_id={sim.world.agent_id}"


def cell_of(app: Starlette, row: int, column_title: str, *, engine: int = 0) -> Cell:
    """The cell of row `row` (0-based) under the column titled `column_title`."""
    world = sim_of(app).world
    eng = world.engines[world.engine_ids[engine]]
    row_obj = world.rows[eng.row_ids[row]]
    for cid in row_obj.cell_ids:
        cell = world.cells[cid]
        if world.columns[cell.column_id].title == column_title:
            return cell
    raise KeyError(column_title)


def force_outcome(app: Starlette, generation_id: int | str, *, fails: bool = False,
                  factor: Decimal | str | None = None, reason: str = "Forced failure") -> Generation:
    """Decide how a generation ends, overriding its seeded fate (for exact-balance tests)."""
    gen = sim_of(app).world.generations[int(generation_id)]
    gen.fails = fails
    gen.failed_reason = reason if fails else None
    if factor is not None:
        gen.factor = Decimal(str(factor))
    return gen


def media_take(app: Starlette, cell: Cell, url: str, thumbnail_url: str | None = None,
               object_type: str = "image") -> Generation:
    """A completed take on `cell`, displayed, whose output is `url` (e.g. "/_sim/media/hostile/huge.png":
    paths on the simulator's media host get the request's origin). For hostile-media tests."""
    sim = sim_of(app)
    gen = sim.world.create(cell, vocab.IMAGE_FROM_TEXT, None, {}, Decimal(0), sim.time, charge=False)
    gen.resources = [{"id": gen.id * 10, "url": url, "thumbnail_url": thumbnail_url or url,
                      "object_type": object_type, "type": "output"}]
    gen.fails = False
    sim.world.finish(gen, sim.clock.now())
    sim.world.pin(cell, gen, sim.clock.now())
    return gen


def balance(app: Starlette) -> Decimal:
    return sim_of(app).world.ledger.generic
