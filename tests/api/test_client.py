"""GenClient against a scripted fake server: headers, paths, bodies, prefix fallback, errors."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal

import httpx
import pytest

from gentui.api import errors
from gentui.api.client import GenClient
from gentui.api.models import GenerationStatus

from .conftest import BASE, KEY, answer, error

ENGINE = {
    "id": 100,
    "title": "E",
    "spreadsheet_columns": [{"id": 1, "title": "Script", "position": 1}],
    "spreadsheet_rows": [{"id": 5, "position": 1, "spreadsheet_cells": [{"id": 9, "value": "v"}]}],
}
CELL = {"id": 9, "column_id": 1, "value": "v", "user_jobs": [{"id": 77, "status": "completed"}]}
CREATED = answer(201, {"generation_id": 9000, "status": "pending"})


# --- headers, paths, bodies -------------------------------------------------------------------


async def test_every_request_sends_key_json_headers_and_user_agent(server, make_client) -> None:
    server.on("GET", "/me", answer(200, {"id": 1}))
    server.on("POST", "/generate", CREATED)
    client = make_client(engine_prefix="vidsheet")
    await client.me()
    await client.generate("42", "100", "9", "text", {"prompt": "p"})
    for request in server.requests:
        assert request.headers["X-API-Key"] == KEY
        assert request.headers["Content-Type"] == "application/json"
        assert request.headers["Accept"] == "application/json"
        assert request.headers["User-Agent"].startswith("gentui/")


async def test_no_key_no_header(server, make_client) -> None:
    server.on("GET", "/me", answer(200, {"id": 1}))
    client = make_client(api_key=None)
    await client.me()
    assert "X-API-Key" not in server.requests[0].headers
    assert not client.has_key


async def test_engine_calls_put_agent_id_in_the_query_generation_calls_do_not(server, make_client) -> None:
    server.on("GET", "/vidsheet/100", answer(200, ENGINE))
    server.on("GET", "/generations/9000", answer(200, {"id": 9000, "status": "processing"}))
    client = make_client()
    await client.get_engine("42", "100", with_execution_cost=True)
    await client.get_generation("9000")
    engine_req, gen_req = server.requests
    assert engine_req.url.path == "/v1/vidsheet/100"
    assert dict(engine_req.url.params) == {"agent_id": "42", "with_execution_cost": "true"}
    assert gen_req.url.path == "/v1/generations/9000" and not gen_req.url.params


async def test_base_url_trailing_slash_and_ids_are_path_segments(server, make_client) -> None:
    server.on("GET", "/agents/", answer(200, {"id": 42, "name": "A"}))
    client = make_client(base_url=BASE + "/")
    await client.agent("4/2?x")
    assert server.requests[0].url.raw_path == b"/v1/agents/4%2F2%3Fx"


@pytest.mark.parametrize(
    ("types", "generation_type", "data", "wire"),
    [
        ("internal", "text", {"prompt": "p", "model": "gpt_4o"}, "text_generation"),
        ("internal", "video_from_text", {"prompt": "p", "model": "kling_1_6"}, "kling"),
        ("internal", "video_from_text", {"prompt": "p", "model": "veo3-fast"}, "gemini_video_generation"),
        ("internal", "video_from_image", {"image_resource_id": 1, "model": "kling-v2-6"}, "kling_image_video"),
        ("internal", "image_from_text", {"prompt": "p", "model": "midjourney"}, "midjourney"),
        ("internal", "image_from_text", None, "gemini_image_generation"),
        ("internal", "speech_from_text", {"script": "s"}, "eleven_labs"),
        ("internal", "captions", {"model": "gemini"}, "captions"),
        ("internal", "kling", {"model": "kling_1_6"}, "kling"),  # already internal: unchanged
        ("canonical", "video_from_text", {"prompt": "p", "model": "kling_1_6"}, "video_from_text"),
        ("canonical", "text", {"prompt": "p"}, "text"),
    ],
)
async def test_generate_body_maps_the_type_per_setting(server, make_client, types, generation_type, data, wire) -> None:
    server.on("POST", "/generate", CREATED)
    client = make_client(engine_prefix="vidsheet", generation_types=types)
    response = await client.generate("42", "100", "9", generation_type, data)
    assert response.generation_id == "9000" and response.status is GenerationStatus.PENDING
    request = server.requests[0]
    assert request.url.path == "/v1/vidsheet/100/cells/9/generate"
    assert dict(request.url.params) == {"agent_id": "42"}
    assert server.bodies()[0] == {"generation_type": wire, "data": data or {}}


async def test_generate_sends_a_fresh_uuid4_key_or_the_given_one(server, make_client) -> None:
    server.on("POST", "/generate", CREATED)
    client = make_client(engine_prefix="vidsheet")
    await client.generate("42", "100", "9", "text", {})
    await client.generate("42", "100", "9", "text", {})
    await client.generate("42", "100", "9", "text", {}, idempotency_key="mine-1")
    keys = [r.headers["Idempotency-Key"] for r in server.requests]
    assert uuid.UUID(keys[0]).version == 4 and uuid.UUID(keys[1]).version == 4
    assert keys[0] != keys[1] and keys[2] == "mine-1"


async def test_render_continue_and_writes_send_the_documented_bodies(server, make_client) -> None:
    server.on("POST", "/render", CREATED)
    server.on("PATCH", "/set_default_user_job", answer(200, CELL))
    server.on("PATCH", "/cells/9", answer(200, {"spreadsheet_cell": CELL}))
    server.on("PUT", "/mass_update", answer(200, [CELL]))
    server.on("POST", "/continue", answer(200, {"generation_id": 9000, "status": "pending"}))
    client = make_client(engine_prefix="autocontentengine")
    assert (await client.render("42", "100", "9")).generation_id == "9000"
    assert (await client.set_default_user_job("42", "100", "9", "77")).id == "9"
    cell = await client.update_cell("42", "100", "9", value="new", additional_attributes={"model": "veo_3"})
    assert cell.user_jobs[0].id == "77"
    updated = await client.mass_update_cells("42", "100", [{"id": 9, "value": "x"}])
    assert updated is not None and updated[0].id == "9"
    resumed = await client.continue_("9000", idempotency_key="k-c")
    assert resumed.id == "9000" and resumed.status is GenerationStatus.PENDING
    assert server.bodies() == [
        {"agent_id": "42"},
        {"user_job_id": 77},
        {"spreadsheet_cell": {"value": "new", "additional_attributes": {"model": "veo_3"}}},
        {"cells": [{"id": 9, "value": "x"}]},
        {},
    ]
    assert server.requests[0].url.path == "/v1/autocontentengine/100/cells/9/render"
    assert "Idempotency-Key" in server.requests[0].headers
    assert server.requests[4].headers["Idempotency-Key"] == "k-c"
    assert [r.method for r in server.requests] == ["POST", "PATCH", "PATCH", "PUT", "POST"]
    with pytest.raises(ValueError, match="value or additional_attributes"):
        await client.update_cell("42", "100", "9")


async def test_mass_update_without_a_cell_list_answers_none(server, make_client) -> None:
    server.on("PUT", "/mass_update", answer(200, raw=b""))
    client = make_client(engine_prefix="vidsheet")
    assert await client.mass_update_cells("42", "100", [{"id": 1, "value": "a"}]) is None


async def test_reads_of_discovery_org_and_variables(server, make_client) -> None:
    server.on("GET", "/me", answer(200, {"id": 1234, "email": "e"}))
    server.on("GET", "/agents", answer(200, [{"id": 42, "name": "A", "workspace_id": 10}, {"bad": True}]))
    server.on("GET", "/organizations", answer(200, [{"id": 10, "name": "W", "available_credit": {"generic": 5}}]))
    server.on("GET", "/organizations/10", answer(200, {"id": 10, "name": "W", "available_credit": {"generic": "7.5"}}))
    server.on("GET", "/global_variables", answer(200, {"id": 1, "variables": [{"key": "k", "value": "v"}]}))
    client = make_client(engine_prefix="vidsheet")
    assert (await client.me()).id == "1234"
    agents = await client.agents(workspace_id="10")
    assert [a.id for a in agents] == ["42"] and agents[0].organization_id == "10"
    assert dict(server.requests[1].url.params) == {"workspace_id": "10"}
    assert (await client.organizations())[0].available_credit.generic == Decimal(5)
    assert (await client.organization("10")).available_credit.generic == Decimal("7.5")
    assert await client.global_variables("42", "100") == {"k": "v"}


async def test_global_variables_null_is_empty(server, make_client) -> None:
    server.on("GET", "/global_variables", answer(200, None))
    assert await make_client(engine_prefix="vidsheet").global_variables("42", "100") == {}


async def test_get_engine_text_is_raw_and_get_cell_parses(server, make_client) -> None:
    server.on("GET", "/vidsheet/100/cells/9", answer(200, CELL))
    server.on("GET", "/vidsheet/100", answer(200, ENGINE))
    client = make_client()
    raw = json.loads(await client.get_engine_text("42", "100"))
    assert raw == ENGINE
    engine = await client.get_engine("42", "100")
    assert engine.rows[0].cells[0].column_id == "1"
    assert (await client.get_cell("42", "100", "9")).user_jobs[0].id == "77"


# --- prefix fallback ------------------------------------------------------------------------


async def test_prefix_falls_back_to_autocontentengine_and_is_remembered(server, make_client) -> None:
    server.on("GET", "/autocontentengine/100", answer(200, ENGINE))
    server.on("POST", "/autocontentengine/100/cells/9/generate", CREATED)
    client = make_client()
    assert client.prefix is None
    await client.get_engine("42", "100")
    assert client.prefix == "autocontentengine"
    await client.generate("42", "100", "9", "text", {})
    assert server.paths() == [
        "GET /v1/vidsheet/100",
        "GET /v1/autocontentengine/100",
        "POST /v1/autocontentengine/100/cells/9/generate",
    ]


async def test_vidsheet_answering_is_remembered_even_when_it_refuses(server, make_client) -> None:
    server.on("GET", "/vidsheet/100", error(401, "unauthorized", "Invalid API key"))
    client = make_client()
    with pytest.raises(errors.AuthError):
        await client.get_engine("42", "100")
    assert client.prefix == "vidsheet"
    assert server.paths() == ["GET /v1/vidsheet/100"]


async def test_both_prefixes_404_names_the_engine(server, make_client) -> None:
    client = make_client()
    with pytest.raises(errors.NotFoundError) as caught:
        await client.get_engine("42", "314")
    assert "engine 314 not found under either path" in caught.value.message
    assert caught.value.status == 404
    assert client.prefix is None
    assert server.paths() == ["GET /v1/vidsheet/314", "GET /v1/autocontentengine/314"]


async def test_explicit_prefix_is_the_only_one_tried(server, make_client) -> None:
    client = make_client(engine_prefix="vidsheet")
    with pytest.raises(errors.NotFoundError) as caught:
        await client.get_engine("42", "100")
    assert "either path" not in caught.value.message
    assert server.paths() == ["GET /v1/vidsheet/100"]
    client.prefix = "autocontentengine"  # saved state cannot override an explicit setting
    assert client.prefix == "vidsheet"


async def test_a_known_prefix_is_not_probed_again(server, make_client) -> None:
    server.on("GET", "/vidsheet/100/cells/", error(404, "not_found"))
    server.on("GET", "/vidsheet/100", answer(200, ENGINE))
    client = make_client()
    await client.get_engine("42", "100")
    with pytest.raises(errors.NotFoundError):
        await client.get_cell("42", "100", "404404")
    assert server.paths() == ["GET /v1/vidsheet/100", "GET /v1/vidsheet/100/cells/404404"]


async def test_a_restored_prefix_is_tried_first_and_replaced_when_it_vanished(server, make_client) -> None:
    server.on("GET", "/vidsheet/100", answer(200, ENGINE))
    client = make_client()
    client.prefix = "autocontentengine"  # from state.toml
    await client.get_engine("42", "100")
    assert client.prefix == "vidsheet"
    assert server.paths() == ["GET /v1/autocontentengine/100", "GET /v1/vidsheet/100"]
    client.prefix = "nonsense"
    assert client.prefix is None


async def test_list_engines_is_best_effort(server, make_client) -> None:
    client = make_client()
    assert await client.list_engines("42") == []  # both 404
    server.on("GET", "/vidsheet", answer(405, raw=b"Method Not Allowed"))
    assert await client.list_engines("42") == []
    server.on("GET", "/vidsheet", error(422, "validation_error"))
    assert await client.list_engines("42") == []
    server.on("GET", "/vidsheet", answer(200, {"spreadsheets": [{"id": 100, "title": "A"}, {"id": 101, "name": "B"}]}))
    assert [(e.id, e.title) for e in await client.list_engines("42")] == [("100", "A"), ("101", "B")]
    assert client.prefix == "vidsheet"
    assert dict(server.requests[-1].url.params) == {"agent_id": "42"}


async def test_list_engines_raises_on_auth(server, make_client) -> None:
    server.on("GET", "/vidsheet", error(401, "unauthorized"))
    with pytest.raises(errors.AuthError):
        await make_client().list_engines("42")


# --- error mapping -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "code", "cls"),
    [
        (401, "unauthorized", errors.AuthError),
        (403, "permission_denied", errors.AuthError),
        (403, "forbidden", errors.AuthError),
        (404, "not_found", errors.NotFoundError),
        (404, "spreadsheet_not_found", errors.NotFoundError),
        (422, "agent_not_found", errors.AgentNotFoundError),
        (422, "validation_error", errors.ValidationError),
        (422, "organization_not_found", errors.ValidationError),
        (422, None, errors.ValidationError),
        (422, "insufficient_credits_for_job", errors.InsufficientCreditsError),
        (422, "usable_gen_credit_required", errors.CreditRequiredError),
        (422, "job_cannot_be_stopped", errors.JobCannotBeStoppedError),
        (400, "invalid_key", errors.ValidationError),
        (429, "rate_limited", errors.RateLimitedError),
        (500, None, errors.ServerError),
        (503, None, errors.ServerError),
    ],
)
async def test_error_mapping(server, make_client, status, code, cls) -> None:
    server.on("GET", "/generations/1", error(status, code, "Something specific"))
    with pytest.raises(cls) as caught:
        await make_client(max_attempts=1).get_generation("1")
    exc = caught.value
    assert type(exc) is cls
    assert (exc.status, exc.error_code, exc.message) == (status, code, "Something specific")
    assert (exc.method, exc.path) == ("GET", "/v1/generations/1")
    assert exc.hint and isinstance(exc.hint, str)
    assert "Something specific" in str(exc) and f"HTTP {status}" in str(exc)


async def test_non_json_error_bodies_are_tolerated(server, make_client) -> None:
    server.on("GET", "/me", answer(502, raw=b"<html><body>Bad gateway</body></html>"))
    with pytest.raises(errors.ServerError) as caught:
        await make_client(max_attempts=1).me()
    assert caught.value.message == "HTTP 502" and caught.value.error_code is None


async def test_unparseable_2xx_is_malformed(server, make_client) -> None:
    server.on("GET", "/me", answer(200, raw=b"<html>captive portal</html>"))
    with pytest.raises(errors.MalformedResponseError) as caught:
        await make_client(max_attempts=1).me()
    assert caught.value.status == 200 and "not JSON" in caught.value.message


async def test_2xx_with_the_wrong_shape_is_malformed(server, make_client) -> None:
    server.on("GET", "/generations/1", answer(200, {"status": "pending"}))  # no id
    server.on("GET", "/agents", answer(200, {"oops": 1}))
    client = make_client(max_attempts=1)
    with pytest.raises(errors.MalformedResponseError):
        await client.get_generation("1")
    with pytest.raises(errors.MalformedResponseError):
        await client.agents()


async def test_transport_errors_say_whether_the_request_may_have_arrived(server, make_client) -> None:
    server.on("GET", "/me", httpx.ConnectError("connection refused"))
    server.on("GET", "/agents", httpx.ReadTimeout("timed out"))
    client = make_client(max_attempts=1)
    with pytest.raises(errors.TransportError) as refused:
        await client.me()
    assert not refused.value.ambiguous and refused.value.status is None
    with pytest.raises(errors.TransportError) as timeout:
        await client.agents()
    assert timeout.value.ambiguous and "refresh" in timeout.value.hint


def test_constructor_refuses_bad_settings() -> None:
    with pytest.raises(ValueError, match="engine_prefix"):
        GenClient(BASE, KEY, engine_prefix="other")
    with pytest.raises(ValueError, match="generation_types"):
        GenClient(BASE, KEY, generation_types="legacy")
    with pytest.raises(ValueError, match="base_url"):
        GenClient("ftp://x/v1", KEY)
    with pytest.raises(ValueError) as caught:
        GenClient(BASE, "bad key\u00e9")
    assert "bad key" not in str(caught.value)
