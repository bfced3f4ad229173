"""GenClient against the real simulator: in-process (ASGITransport) and over real HTTP (uvicorn)."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

import httpx
import pytest

from gentui.api import costs, errors, vocab
from gentui.api.client import GenClient, RequestRecord
from gentui.api.models import Engine, GenerationStatus
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from gentui.sim.server import serve_in_thread
from gentui.sim.testing import force_outcome


async def _no_sleep(_: float) -> None:
    return None


class InProcess:
    """One simulator on a hand-driven clock, an admin client, and GenClients wired to it."""

    def __init__(self, **options: Any) -> None:
        options.setdefault("quiet", True)
        self.clock = ManualClock()
        self.app = create_app(SimOptions(**options), clock=self.clock)
        self.info = self.app.state.sim.world_info()
        self.agent_id = str(self.info["agent_id"])
        self.engine_id = str(self.info["engine_ids"][0])
        self.admin = httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url="http://sim")
        self.records: list[RequestRecord] = []

    def client(self, **kw: Any) -> GenClient:
        kw.setdefault("sleep", _no_sleep)
        kw.setdefault("on_request", self.records.append)
        return GenClient("http://sim/v1", self.info["api_key"], transport=httpx.ASGITransport(app=self.app), **kw)

    async def post(self, path: str, body: dict) -> dict:
        response = await self.admin.post(f"/_sim/{path}", json=body)
        assert response.status_code == 200, response.text
        return response.json()

    async def stats(self) -> dict:
        return (await self.admin.get("/_sim/stats")).json()


def _cell(engine: Engine, column_title: str, row: int = 0) -> str:
    column = next(c for c in engine.columns if c.title == column_title)
    return next(cell.id for cell in engine.rows[row].cells if cell.column_id == column.id)


async def _balance(client: GenClient, org_id: str) -> Decimal:
    return (await client.organization(org_id)).available_credit.generic


@pytest.mark.parametrize("dialect", ["docs", "sdk"])
@pytest.mark.parametrize(
    ("served", "detected"),
    [("both", "vidsheet"), ("vidsheet", "vidsheet"), ("autocontentengine", "autocontentengine")],
)
async def test_reads_in_every_dialect_and_prefix(dialect: str, served: str, detected: str) -> None:
    sim = InProcess(dialect=dialect, prefix=served)
    async with sim.client() as client:
        me = await client.me()
        agents = await client.agents()
        agent = await client.agent(sim.agent_id)
        org = await client.organization(str(agent.organization_id))
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        assert client.prefix == detected
        engines = await client.list_engines(sim.agent_id)
        variables = await client.global_variables(sim.agent_id, sim.engine_id)
        raw = json.loads(await client.get_engine_text(sim.agent_id, sim.engine_id, with_execution_cost=True))
    assert me.id and [a.id for a in agents] == [sim.agent_id]
    assert agent.organization_id == str(sim.info["organization_id"])
    assert org.available_credit.generic > 0 and isinstance(org.available_credit.generic, Decimal)
    assert engine.id == sim.engine_id and engine.columns and engine.rows
    column_ids = {c.id for c in engine.columns}
    assert all(cell.column_id in column_ids for row in engine.rows for cell in row.cells)
    assert all(isinstance(job.id, str) for row in engine.rows for cell in row.cells for job in cell.user_jobs)
    assert sim.engine_id in [e.id for e in engines]
    assert isinstance(variables, dict)
    assert str(raw["id"]) == sim.engine_id
    paths = [r.path.split("?")[0] for r in sim.records if r.path.split("?")[0].endswith(f"/{sim.engine_id}")]
    if served == "autocontentengine":  # the fallback was taken once, then remembered
        assert paths[:2] == [f"/v1/vidsheet/{sim.engine_id}", f"/v1/autocontentengine/{sim.engine_id}"]
        assert paths[2:] == [f"/v1/autocontentengine/{sim.engine_id}"]
    else:
        assert set(paths) == {f"/v1/vidsheet/{sim.engine_id}"}


async def test_an_engine_missing_under_both_prefixes_is_named() -> None:
    sim = InProcess()
    async with sim.client() as client:
        with pytest.raises(errors.NotFoundError, match="engine 999999 not found under either path"):
            await client.get_engine(sim.agent_id, "999999")


@pytest.mark.parametrize("dialect", ["docs", "sdk"])
@pytest.mark.parametrize("types", ["internal", "canonical"])
async def test_generate_poll_stop_continue_workflow(dialect: str, types: str) -> None:
    sim = InProcess(dialect=dialect)
    org_id = str(sim.info["organization_id"])
    async with sim.client(generation_types=types) as client:
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        cell_id = _cell(engine, "SCRIPT")
        before = await _balance(client, org_id)
        card = {"prompt": "A hook about {{product}}", "model": "gemini_2_0_flash"}
        started = await client.generate(sim.agent_id, sim.engine_id, cell_id, vocab.TEXT, card)
        assert started.status is GenerationStatus.PENDING
        estimate = costs.estimate_credits(vocab.TEXT, "gemini_2_0_flash")
        assert await _balance(client, org_id) == before - estimate

        gen = await client.get_generation(started.generation_id)
        assert gen.id == started.generation_id and gen.status.in_flight
        assert gen.canonical_type == vocab.TEXT

        stopped = await client.stop(started.generation_id)
        assert stopped.id == started.generation_id and stopped.status is GenerationStatus.STOPPED
        assert await _balance(client, org_id) == before  # full refund

        resumed = await client.continue_(started.generation_id)
        assert resumed.id == started.generation_id and resumed.status.in_flight
        assert await _balance(client, org_id) == before - estimate  # re-charged

        force_outcome(sim.app, started.generation_id, fails=False, factor="1")
        for _ in range(120):
            sim.clock.advance(5)
            gen = await client.get_generation(started.generation_id)
            if gen.status.terminal:
                break
        assert gen.status is GenerationStatus.COMPLETED
        assert gen.execution_cost == estimate and gen.result
        assert gen.created_at is not None
        cell = await client.get_cell(sim.agent_id, sim.engine_id, cell_id)
        assert started.generation_id in [job.id for job in cell.user_jobs]

        expected = errors.JobCannotBeStoppedError if dialect == "sdk" else errors.ValidationError
        with pytest.raises(expected):
            await client.stop(started.generation_id)


async def test_every_write_round_trips() -> None:
    sim = InProcess()
    async with sim.client() as client:
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        script = _cell(engine, "SCRIPT")
        cell = await client.update_cell(sim.agent_id, sim.engine_id, script, value="New [b]hook[/b]")
        assert cell.value == "New [b]hook[/b]"
        cell = await client.update_cell(sim.agent_id, sim.engine_id, script, additional_attributes={"model": "gpt_4o"})
        assert cell.additional_attributes.get("model") == "gpt_4o"
        other = _cell(engine, "SCRIPT", row=1)
        updated = await client.mass_update_cells(sim.agent_id, sim.engine_id, [{"id": int(other), "value": "bulk"}])
        assert updated is None or updated[0].value == "bulk"
        assert (await client.get_cell(sim.agent_id, sim.engine_id, other)).value == "bulk"

        with_history = next(
            c for row in engine.rows for c in row.cells
            if sum(j.status is GenerationStatus.COMPLETED for j in c.user_jobs) >= 2
        )  # fmt: skip
        shown = with_history.default_user_job.id if with_history.default_user_job else None
        pick = next(j.id for j in with_history.user_jobs if j.status is GenerationStatus.COMPLETED and j.id != shown)
        pinned = await client.set_default_user_job(sim.agent_id, sim.engine_id, with_history.id, pick)
        assert pinned.default_user_job is not None and pinned.default_user_job.id == pick

        final = _cell(engine, "FINAL VIDEO")
        render = await client.render(sim.agent_id, sim.engine_id, final)
        assert render.status is GenerationStatus.PENDING
        assert (await client.get_generation(render.generation_id)).canonical_type == vocab.RENDER


async def test_the_same_idempotency_key_never_charges_twice() -> None:
    sim = InProcess()
    async with sim.client() as client:
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        cell_id = _cell(engine, "SCRIPT")
        first = await client.generate(
            sim.agent_id, sim.engine_id, cell_id, "text", {"prompt": "p"}, idempotency_key="k1"
        )
        again = await client.generate(
            sim.agent_id, sim.engine_id, cell_id, "text", {"prompt": "p"}, idempotency_key="k1"
        )
    assert first.generation_id == again.generation_id
    assert (await sim.stats())["charges_by_idempotency_key"] == {"k1": 1}


async def test_insufficient_credits_and_missing_plan_are_typed() -> None:
    sim = InProcess()
    async with sim.client() as client:
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        video = _cell(engine, "VIDEO")
        await sim.post("credits", {"generic": "3"})
        with pytest.raises(errors.InsufficientCreditsError) as caught:
            await client.generate(sim.agent_id, sim.engine_id, video, "video_from_text",
                                  {"prompt": "p", "model": "veo_3", "duration": 8})  # fmt: skip
        assert caught.value.status == 422 and caught.value.attempts == 1
        await sim.post("credits", {"active": False})
        with pytest.raises(errors.CreditRequiredError):
            await client.get_engine(sim.agent_id, sim.engine_id)


async def test_bad_agent_and_revoked_key_are_typed_and_never_echo_the_key() -> None:
    sim = InProcess()
    async with sim.client() as client:
        with pytest.raises(errors.AgentNotFoundError):
            await client.get_engine("777", sim.engine_id)
        await sim.post("api-key", {"api_key": "rotated-key"})
        with pytest.raises(errors.AuthError) as caught:
            await client.me()
    assert sim.info["api_key"] not in str(caught.value) + repr(caught.value)
    assert all(sim.info["api_key"] not in repr(r) for r in sim.records)


async def test_in_process_faults_are_retried_with_one_key() -> None:
    sim = InProcess()
    async with sim.client() as client:
        engine = await client.get_engine(sim.agent_id, sim.engine_id)
        cell_id = _cell(engine, "SCRIPT")
        await sim.post("faults", {"error_rate": 0.3, "rate_limit_rate": 0.1, "retry_after": 2, "malformed_rate": 0.2})
        keys = [str(uuid.uuid4()) for _ in range(10)]
        for key in keys:
            await _generate_until_done(client, sim.agent_id, sim.engine_id, cell_id, key)
    stats = await sim.stats()
    assert stats["charges_by_idempotency_key"] == dict.fromkeys(keys, 1)
    assert sum(stats["faulted"].values()) > 0


async def _generate_until_done(client: GenClient, agent_id: str, engine_id: str, cell_id: str, key: str) -> str:
    """One intent: the client's own retries, then resends with the same key (what a resume does)."""
    for _ in range(10):
        try:
            answer = await client.generate(agent_id, engine_id, cell_id, "text", {"prompt": "p"}, idempotency_key=key)
        except errors.GenApiError as exc:
            assert exc.retryable, exc  # only faults, never a refusal
            continue
        return answer.generation_id
    raise AssertionError(f"intent {key} never succeeded")


# --- over real HTTP -------------------------------------------------------------------------------


async def test_retries_under_injected_faults_never_charge_twice_over_real_http() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server:
        root = server.root_url
        async with httpx.AsyncClient(base_url=root) as admin:
            info = (await admin.get("/_sim/world")).json()
            await admin.post("/_sim/credits", json={"generic": "100000"})
            agent_id, engine_id = str(info["agent_id"]), str(info["engine_ids"][0])
            async with GenClient(server.base_url, info["api_key"], sleep=_no_sleep, timeout=10.0) as client:
                engine = await client.get_engine(agent_id, engine_id)
                cell_id = _cell(engine, "SCRIPT")
                faults = await admin.post("/_sim/faults", json={"error_rate": 0.3, "drop_rate": 0.2})
                assert faults.status_code == 200
                keys = [str(uuid.uuid4()) for _ in range(30)]
                ids = [await _generate_until_done(client, agent_id, engine_id, cell_id, key) for key in keys]
            stats = (await admin.get("/_sim/stats")).json()
    assert len(set(ids)) == 30
    assert stats["charges_by_idempotency_key"] == dict.fromkeys(keys, 1)
    route = next(r for r in stats["requests"] if r.startswith("POST") and r.endswith("/generate"))
    assert stats["requests"][route] > 30  # retries happened
    assert stats["faulted"].get(route, 0) > 0


async def test_an_unreachable_server_is_a_retried_unambiguous_transport_error() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server:
        records: list[RequestRecord] = []
        async with GenClient(server.base_url, "sim-key", sleep=_no_sleep, on_request=records.append,
                             timeout=5.0) as client:  # fmt: skip
            assert (await client.me()).id
            server.stop()
            with pytest.raises(errors.TransportError) as caught:
                await client.me()
            assert not caught.value.ambiguous and caught.value.attempts == 4
            server.start()
            assert (await client.me()).id
    assert [r.status for r in records] == [200, None, None, None, None, 200]
