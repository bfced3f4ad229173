"""Reading an engine as text, a row at a time: the same state as the pydantic path, on every shape."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest

from gentui.api import errors
from gentui.api.answers import engine_object
from gentui.api.client import GenClient
from gentui.api.models import Engine, Generation
from gentui.core.engine_json import apply_engine_text, job_fields, walk_engine
from gentui.core.engine_state import EngineState
from gentui.core.session import Session
from gentui.core.views import job_view, make_job
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions


def snapshot(state: EngineState) -> tuple:
    cells = {k: (v, dict(v.attributes)) for k, v in state.cells.items()}
    columns = [(c, dict(c.attributes)) for c in state.columns]
    return (state.title, columns, dict(state.rows), cells, dict(state.by_cell_id), state.global_variables,
            sorted(state.in_flight()))


def slow(text: str, state: EngineState | None = None) -> EngineState:
    state = state or EngineState("e", clock=lambda: 1.0)
    state.apply_engine(Engine.model_validate(engine_object(json.loads(text))))
    return state


def fast(text: str, state: EngineState | None = None) -> EngineState:
    state = state or EngineState("e", clock=lambda: 1.0)
    asyncio.run(apply_engine_text(state, text))
    return state


async def engine_text(app, agent_id: Any, engine_id: Any) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://sim") as http:
        answer = await http.get(f"/v1/vidsheet/{engine_id}", params={"agent_id": str(agent_id)},
                                headers={"X-API-Key": "sim-key"})
        return answer.text


@pytest.mark.parametrize("dialect", ["docs", "sdk"])
@pytest.mark.parametrize("scaled", [False, True])
def test_text_reading_gives_the_same_state_as_the_models_in_both_dialects(dialect: str, scaled: bool) -> None:
    clock = ManualClock()
    options = SimOptions(dialect=dialect, rows=30 if scaled else None, columns=8 if scaled else None,
                         in_flight=40 if scaled else None, seed=3)
    app = create_app(options, clock=clock)
    info = app.state.sim.world_info()
    a, b = EngineState("e", clock=lambda: 1.0), EngineState("e", clock=lambda: 1.0)
    for _ in range(4):  # first read, then reads while generations move on
        text = asyncio.run(engine_text(app, info["agent_id"], info["engine_ids"][0]))
        slow(text, a)
        fast(text, b)
        assert snapshot(a) == snapshot(b)
        clock.advance(7)


def test_an_unchanged_row_is_skipped_and_a_changed_one_reported() -> None:
    clock = ManualClock()
    app = create_app(SimOptions(rows=12, columns=4, in_flight=6, seed=1), clock=clock)
    info = app.state.sim.world_info()
    state = EngineState("e")
    first = asyncio.run(apply_engine_text(state, asyncio.run(engine_text(app, info["agent_id"], info["engine_ids"][0]))))
    assert len(first.cells) == 48 and len(first.rows_added) == 12
    again = asyncio.run(apply_engine_text(state, asyncio.run(engine_text(app, info["agent_id"], info["engine_ids"][0]))))
    assert not again and not again.cells
    clock.advance(600)  # everything in flight has finished
    later = asyncio.run(apply_engine_text(state, asyncio.run(engine_text(app, info["agent_id"], info["engine_ids"][0]))))
    assert later.cells and len(later.terminal) == 6 and not state.in_flight()


def _gen(i: int, **extra: Any) -> dict:
    return {"id": 9000 + i, "status": "completed", "user_job_type": "text", "result": f"take {i}",
            "created_at": f"2026-01-0{1 + i % 9}T10:00:00Z", **extra}


def _engine(rows: Any, columns: Any = None, **extra: Any) -> dict:
    cols = columns if columns is not None else [
        {"id": 1, "title": "SCRIPT", "type": "text", "position": 1},
        {"id": 2, "title": "IMAGE", "type": "image", "position": 2}]
    return {"id": 7, "title": "odd", "spreadsheet_columns": cols, "spreadsheet_rows": rows, **extra}


ROW = {"id": 50, "position": 1, "spreadsheet_cells": [
    {"id": 500, "column_id": 1, "value": "v", "user_jobs": [_gen(1), _gen(2, status="processing")]},
    {"id": 501, "column_id": 2, "default_user_job": _gen(3, output_resources=[{"url": "u", "object_type": "Image"}])},
]}

SHAPES: dict[str, str] = {
    "plain": json.dumps(_engine([ROW])),
    "sdk spellings": json.dumps({"id": "7", "name": "odd", "columns": [
        {"id": "1", "name": "A", "role": "ingredient", "type": "text"}], "rows": [
        {"id": "50", "cells": [{"id": "500", "role": "ingredient", "generations": [_gen(4)]}]}]}),
    "wrapped": json.dumps({"spreadsheet": _engine([ROW])}),
    "duplicate rows key": '{"id": 7, "spreadsheet_rows": [], "spreadsheet_rows": ' + json.dumps([ROW]) + "}",
    "rows before columns": json.dumps({"id": 7, "spreadsheet_rows": [ROW], "spreadsheet_columns": _engine([])[
        "spreadsheet_columns"]}),
    "columns spelled twice": json.dumps({"id": 7, "columns": [{"id": 2, "title": "B"}],
                                         "spreadsheet_rows": [ROW], "spreadsheet_columns": [{"id": 1, "title": "A"}]}),
    "no column ids": json.dumps(_engine([{"id": 50, "cells": [{"id": 500}, {"id": 501}, {"id": 502}]}])),
    "bad rows and cells": json.dumps(_engine([1, {"position": 2}, {"id": True}, {"id": 51, "spreadsheet_cells": [
        "x", {"id": None}, {"id": 600, "column_id": True}, {"id": 601, "column_id": 2, "user_jobs": "nope"}]}, ROW])),
    "null rows, then rows": json.dumps({"id": 7, "spreadsheet_rows": None, "rows": [ROW]}),
    "rows not a list": json.dumps({"id": 7, "spreadsheet_rows": {"a": 1}, "rows": [ROW]}),
    "positions reorder": json.dumps(_engine([{**ROW, "position": 3}, {"id": 51, "position": None, "cells": []},
                                             {"id": 52, "position": "1", "cells": []}])),
    "whitespace and unicode": "\n { \"id\" : 7 ,\t\"title\": \"caf\u00e9 \\u2603\", \"spreadsheet_rows\" : [ ] } \n",
    "empty object": "{}",
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_odd_shapes_read_as_text_equal_the_models(name: str) -> None:
    text = SHAPES[name]
    try:
        expected = snapshot(slow(text))
    except ValueError:
        with pytest.raises(ValueError):
            fast(text)
        return
    state = fast(text)
    assert snapshot(state) == expected
    assert snapshot(fast(text, state)) == expected  # and read again over itself


@pytest.mark.parametrize("text", ["", "[]", "{", '{"id": 7,}', '{"id": 7} x', '{"id": 7, "rows": [1,]}', "<html>"])
def test_what_is_not_one_json_object_is_refused(text: str) -> None:
    with pytest.raises(ValueError):
        list(walk_engine(text))


GENERATIONS = [
    _gen(1),
    {"generation_id": 5, "status": " Processing ", "error": "boom"},
    {"user_job_id": "  77 ", "status": 3},
    {"id": 5.0, "status": None, "execution_cost": "1,234.50", "created_at_ts": 1_780_000_000_000},
    {"id": 5.5},
    {"id": True},
    {"id": None, "generation_id": None},
    {"id": {"x": 1}},
    {"id": "", "status": "completed", "result": {"captions": [{"word": "hi"}, "x", {"word": 3}]}},
    {"id": 8, "status": "completed", "result": {"a": [1, 2]}, "execution_cost": 12.5},
    {"id": 9, "status": "completed", "result": [1, "two"], "execution_cost": float("nan")},
    {"id": 10, "result": 42, "user_job_type": 7, "failed_reason": {"why": "x"}},
    {"id": 11, "output_resources": [{"id": True, "url": "bad"}, {"id": 1.5, "url": "bad"}, "x",
                                    {"id": "", "url": "a\x1b[31m", "object_type": " VIDEO "},
                                    {"url": None, "object_type": None}, {"id": 3, "url": "b"}]},
    {"id": 12, "output_resources": {"url": "x"}, "created_at": "not a date", "updated_at": "2026-02-30T00:00:00Z"},
    {"id": 13, "status": "failed", "updated_at_ts": "1780000000", "failed_reason": "x" * 5000},
    {"id": 14, "status": "stopped", "updated_at": 1_780_000_000, "result": "\u202etext\x00"},
    {"id": 15, "result": "", "output_resources": []},
    "not a dict",
    None,
]


@pytest.mark.parametrize("data", GENERATIONS)
def test_a_generation_read_raw_equals_the_model(data: Any) -> None:
    try:
        expected = job_view(Generation.model_validate(data)) if isinstance(data, dict) else None
    except ValueError:
        expected = None
    fields = job_fields(data)
    assert (make_job(fields) if fields is not None else None) == expected
    if expected is not None:
        assert make_job(fields).seen_at is None


async def test_the_session_reports_a_malformed_engine_like_the_client_does() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, text='{"id": 7, "spreadsheet_rows": [{"id": 1}, }')

    client = GenClient("http://sim/v1", "k", transport=httpx.MockTransport(answer), max_attempts=1)
    session = Session(client, "1", "7")
    with pytest.raises(errors.MalformedResponseError):
        await session.load_engine()
    assert not session.state.loaded


def test_whole_engine_figures_follow_every_change_though_worked_out_once_per_revision() -> None:
    """The header asks for the counts and the held estimate on every change: they are kept per revision,
    and every path that changes a cell (an engine read, a generation) moves the revision on."""
    app = create_app(SimOptions(rows=6, columns=4, in_flight=3, seed=2, quiet=False), clock=ManualClock())
    sim = app.state.sim
    text = sim.serializer.engine_text(sim.world.engines[sim.world.engine_ids[0]], True)
    session = Session(GenClient("http://sim/v1", "k"), "1", str(sim.world.engine_ids[0]))
    fast(text, session.state)
    counts, held = session.state.counts(), session.engine_estimate_reserved()
    assert held > 0 and sum(counts.values()) == len(session.state.cells)
    counts["completed"] += 99  # a caller's copy: the state's own figures are untouched
    assert session.state.counts() != counts
    key, job = session.state.in_flight()[0]
    revision = session.state.revision
    session.state.apply_generation(Generation.model_validate(
        {"id": job.id, "status": "completed", "user_job_type": job.user_job_type}), key)
    assert session.state.revision > revision
    assert session.engine_estimate_reserved() == held - session.estimate_for(key, job)
    assert session.state.counts()[session.state.cells[key].status] >= 1
    assert sum(session.state.counts().values()) == len(session.state.cells)
