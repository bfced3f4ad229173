"""Discovery, both prefixes, the prefix option, and the two dialects' spellings."""

from __future__ import annotations

import re

import pytest

from .conftest import Sim

ISO_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


async def test_me_workspaces_agents_and_organizations_answer(quiet: Sim) -> None:
    c = quiet.client
    assert (await c.get("/v1/me")).json()["id"] == 1234
    assert (await c.get("/v1/workspaces")).json() == [{"id": 10, "name": "Demo Studio"}]
    agents = (await c.get("/v1/agents")).json()
    assert [a["id"] for a in agents] == [42]
    assert (await c.get("/v1/agents", params={"workspace_id": "10"})).json() == agents
    assert (await c.get("/v1/agents", params={"workspace_id": "999"})).json() == []
    orgs = (await c.get("/v1/organizations")).json()
    assert orgs[0]["name"] == "Demo Studio"


async def test_an_agent_names_its_organization_and_an_unknown_agent_is_422(quiet: Sim) -> None:
    agent = (await quiet.client.get("/v1/agents/42")).json()
    assert agent["organization_id"] == 10
    response = await quiet.client.get("/v1/agents/7")
    assert response.status_code == 422
    assert response.json()["error_code"] == "agent_not_found"


async def test_an_organization_has_its_credits_and_an_unknown_one_is_422(quiet: Sim) -> None:
    org = (await quiet.client.get("/v1/organizations/10")).json()
    assert org["id"] == org["organization_id"] == 10
    assert org["available_credit"] == {"generic": "5000.00", "aura": "250.00"}
    assert org["credit"] == "5250.00"
    assert org["credit_plan"]["name"] == "Pro"
    response = await quiet.client.get("/v1/organizations/11")
    assert (response.status_code, response.json()["error_code"]) == (422, "organization_not_found")


async def test_the_engine_is_served_under_both_prefixes(quiet: Sim) -> None:
    a = await quiet.client.get(quiet.path(prefix="vidsheet"))
    b = await quiet.client.get(quiet.path(prefix="autocontentengine"))
    assert a.status_code == b.status_code == 200
    assert a.json() == b.json()


@pytest.mark.parametrize(("served", "refused"), [("vidsheet", "autocontentengine"), ("autocontentengine", "vidsheet")])
async def test_the_prefix_option_serves_only_one_prefix(served: str, refused: str) -> None:
    world = Sim(prefix=served)
    async with world.client:
        assert (await world.client.get(world.path(prefix=served))).status_code == 200
        response = await world.client.get(world.path(prefix=refused))
        assert response.status_code == 404
        assert response.json() == {"error": "Not found", "error_code": "not_found"}


async def test_an_unknown_route_is_404_not_found_even_without_a_key(quiet: Sim) -> None:
    response = await quiet.client.get("/v1/nothing/here", headers={"X-API-Key": ""})
    assert response.status_code == 404
    assert response.json()["error_code"] == "not_found"


async def test_the_engine_list_names_both_engines_without_rows(quiet: Sim) -> None:
    engines = (await quiet.client.get("/v1/vidsheet?agent_id=42")).json()
    assert [e["id"] for e in engines] == quiet.sim.world.engine_ids
    assert len(engines) >= 2
    assert all("spreadsheet_rows" not in e and "rows" not in e for e in engines)


async def test_docs_dialect_spells_spreadsheet_keys_integer_ids_and_decimal_strings(quiet: Sim) -> None:
    engine = (await quiet.client.get(quiet.path() + "&with_execution_cost=true")).json()
    column = engine["spreadsheet_columns"][0]
    assert isinstance(engine["id"], int) and isinstance(column["id"], int)
    assert column["column_role"] == "ingredient" and "role" not in column
    row = engine["spreadsheet_rows"][0]
    cell = row["spreadsheet_cells"][0]
    assert cell["cell_role"] == "ingredient" and isinstance(cell["column_id"], int)
    assert isinstance(row["execution_cost"], str) and isinstance(cell["execution_cost"], str)
    job = cell["user_jobs"][0]
    assert isinstance(job["id"], int) and isinstance(job["execution_cost"], str)
    assert job["user_job_type"] == "text"


async def test_sdk_dialect_spells_short_keys_string_ids_and_numbers(sdk: Sim) -> None:
    engine = (await sdk.client.get(sdk.path() + "&with_execution_cost=true")).json()
    assert "columns" in engine and "rows" in engine and "spreadsheet_rows" not in engine
    column = engine["columns"][0]
    assert isinstance(column["id"], str) and column["role"] == "ingredient"
    cell = engine["rows"][0]["cells"][0]
    assert cell["role"] == "ingredient" and isinstance(cell["column_id"], str)
    assert isinstance(cell["execution_cost"], float)
    job = cell["user_jobs"][0]
    assert isinstance(job["id"], str) and isinstance(job["execution_cost"], float)
    assert job["user_job_type"] == "text_generation"
    org = (await sdk.client.get("/v1/organizations/10")).json()
    assert org["available_credit"] == {"generic": 5000.0, "aura": 250.0}
    assert org["id"] == "10"


async def test_execution_cost_appears_only_when_asked(quiet: Sim) -> None:
    plain = (await quiet.client.get(quiet.path())).json()
    row = plain["spreadsheet_rows"][0]
    assert "execution_cost" not in row and "execution_cost" not in row["spreadsheet_cells"][0]


async def test_cells_carry_column_id_history_newest_first_and_the_displayed_job(quiet: Sim) -> None:
    engine = (await quiet.client.get(quiet.path())).json()
    column_ids = [c["id"] for c in engine["spreadsheet_columns"]]
    for row in engine["spreadsheet_rows"]:
        assert [c["column_id"] for c in row["spreadsheet_cells"]] == column_ids
    cells = [c for r in engine["spreadsheet_rows"] for c in r["spreadsheet_cells"] if len(c["user_jobs"]) > 1]
    assert cells
    for cell in cells:
        stamps = [j["created_at_ts"] for j in cell["user_jobs"]]
        assert stamps == sorted(stamps, reverse=True)
        if cell["default_user_job"] is not None:
            assert cell["user_job_id"] == cell["default_user_job"]["id"]


async def test_rows_columns_and_global_variables_have_their_own_routes(quiet: Sim) -> None:
    rows = (await quiet.client.get(quiet.path("rows"))).json()
    columns = (await quiet.client.get(quiet.path("columns"))).json()
    variables = (await quiet.client.get(quiet.path("global_variables"))).json()
    assert len(rows) == 14 and len(columns) == 7
    assert {"key": "brand_name", "value": "Northwind Coffee"} in variables["variables"]
    assert (await quiet.client.get(quiet.path("global_variables", engine=1))).json() is None


async def test_generations_carry_iso_and_epoch_millisecond_timestamps(quiet: Sim) -> None:
    created = (await quiet.generate(quiet.cell(0, "SCRIPT"))).json()
    gen = await quiet.generation(created["generation_id"])
    assert ISO_MS.match(gen["created_at"]) and ISO_MS.match(gen["updated_at"])
    assert gen["created_at"] == "2026-11-28T12:00:00.000Z"
    assert gen["created_at_ts"] == 1795867200000
    assert isinstance(gen["updated_at_ts"], int)


@pytest.mark.parametrize("dialect", ["docs", "sdk"])
@pytest.mark.parametrize(
    ("generation_type", "model"),
    [("video_from_text", "veo_3_1_fast"), ("gemini_video_generation", "veo3-1-fast"), ("video_from_text", "veo3-1-fast")],
)
async def test_both_dialects_accept_canonical_and_internal_types_and_both_model_spellings(
    dialect: str, generation_type: str, model: str
) -> None:
    world = Sim(dialect=dialect)
    async with world.client:
        body = {"generation_type": generation_type, "data": {"model": model, "duration": 8}}
        response = await world.generate(world.cell(0, "VIDEO"), body)
        assert response.status_code == 201, response.text
        assert response.json()["status"] == "pending"
        assert await world.balance() == 5000 - 480
