"""The wire models read every documented payload (gen-api.md part A) and every variant of part C."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from gentui.api import models as m
from gentui.api.models import GenerationStatus

# --- part A examples, verbatim ---------------------------------------------------------------------

ENGINE_A51 = {
    "id": 100, "slug": "my-first-engine", "title": "March Campaign",
    "project_type": "autocontentengine", "is_default": False,
    "uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "status": "active",
    "created_at": "2026-03-01T12:00:00.000Z", "created_at_ts": 1709294400000, "updated_at_ts": 1709380800000,
    "spreadsheet_columns": [],
    "spreadsheet_rows": [],
    "global_variables_sheet": None,
}  # fmt: skip
COLUMN_A52 = {
    "id": 200, "title": "Script", "temp_title": None, "type": "text", "column_role": "script",
    "description": "The video script for this scene", "position": 1, "additional_attributes": {},
    "created_at_ts": 1709294400000, "updated_at_ts": 1709380800000,
}  # fmt: skip
ROW_A53 = {
    "id": 500, "position": 1, "additional_attributes": {},
    "created_at_ts": 1709294400000, "updated_at_ts": 1709380800000,
    "spreadsheet_cells": [], "execution_cost": None,
}  # fmt: skip
CELL_A54 = {
    "id": 3000, "value": "Welcome back to another episode...", "additional_attributes": {},
    "cell_role": "content", "created_at_ts": 1709294400000, "updated_at_ts": 1709380800000,
    "default_user_job": None, "user_jobs": [], "video_layers": [], "execution_cost": None,
}  # fmt: skip
GENERATION_A56 = {
    "id": 9000,
    "status": "completed",
    "user_job_type": "text",
    "result": "Here is the generated script text...",
    "failed_reason": None,
    "output_resources": [
        {"id": 1500, "url": "https://cdn.gen.pro/outputs/abc123.mp4",
         "thumbnail_url": "https://cdn.gen.pro/thumbnails/abc123.jpg",
         "object_type": "video", "type": "output"}
    ],
    "execution_cost": 2.5,
}  # fmt: skip
ORGANIZATION_A58 = {
    "id": 10, "uuid": "a1b2c3d4-e5f6-7890-abcd-ef1234567890", "organization_id": 10,
    "name": "My Workspace",
    "avatar": {"url": "https://cdn.gen.pro/avatars/org-10.png",
               "thumbnail_url": "https://cdn.gen.pro/avatars/org-10-thumb.png"},
    "user_role": "owner",
    "credit": "250.0",
    "available_credit": {"generic": "200.0", "aura": "50.0"},
    "total_members": 3,
    "credit_plan": {"id": 1, "name": "Pro", "cycle": "MONTHLY"},
}  # fmt: skip
AGENT_DISC = {"id": 42, "name": "TrendBot", "workspace_id": 10}
AGENT_AGT = {
    "id": 42, "name": "TrendBot", "description": "Trend analysis agent",
    "primary_avatar_url": "https://cdn.gen.pro/avatars/42/thumbnail.webp", "role": "owner",
    "organization": "My Company", "time_zone": "America/New_York", "tiktok_integration": False,
    "tiktok_social_account": False, "degods": False, "shared_users": [], "default_user_voice": None,
}  # fmt: skip
AGENT_DETAIL = {
    "id": 42, "name": "TrendBot", "description": "d", "organization_id": 10, "time_zone": "UTC",
    "primary_avatar_id": 7, "primary_avatar_url": None, "agent_setup_project_id": 100, "role": "manager",
    "default_user_voice": {"id": 1, "name": "V", "gender": "female", "language": "en", "provider": "x", "url": None},
}  # fmt: skip
ME = {"id": 1234, "email": "user@example.com", "name": "Jane Smith", "username": "janesmith",
      "created_at": "2025-06-15T10:30:00.000Z"}  # fmt: skip


def test_engine_a51_parses() -> None:
    engine = m.Engine.model_validate(ENGINE_A51)
    assert engine.id == "100"
    assert engine.title == "March Campaign"
    assert engine.slug == "my-first-engine"
    assert engine.columns == [] and engine.rows == []
    assert engine.global_variables == {}
    assert engine.created_at == datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_column_a52_parses() -> None:
    column = m.Column.model_validate(COLUMN_A52)
    assert (column.id, column.title, column.type, column.column_role, column.position) == (
        "200", "Script", "text", "script", 1,
    )  # fmt: skip
    assert column.description == "The video script for this scene"
    assert column.additional_attributes == {}


def test_row_a53_parses() -> None:
    row = m.Row.model_validate(ROW_A53)
    assert (row.id, row.position, row.cells, row.execution_cost) == ("500", 1, [], None)


def test_cell_a54_parses() -> None:
    cell = m.Cell.model_validate(CELL_A54)
    assert cell.id == "3000"
    assert cell.value == "Welcome back to another episode..."
    assert cell.cell_role == "content"
    assert cell.default_user_job is None and cell.user_jobs == []
    assert cell.updated_at == datetime.fromtimestamp(1709380800, tz=UTC)


def test_generation_a56_parses() -> None:
    gen = m.Generation.model_validate(GENERATION_A56)
    assert gen.id == "9000"
    assert gen.status is GenerationStatus.COMPLETED and gen.raw_status == "completed"
    assert gen.result == "Here is the generated script text..."
    assert gen.execution_cost == Decimal("2.5")
    assert gen.canonical_type == "text"
    out = gen.output_resources[0]
    assert (out.id, out.object_type, out.type) == ("1500", "video", "output")
    assert out.thumbnail_url == "https://cdn.gen.pro/thumbnails/abc123.jpg"


def test_generation_short_form_of_llms_full_parses() -> None:
    gen = m.Generation.model_validate(
        {"id": 1, "status": "processing", "user_job_type": "text", "result": None,
         "output_resources": [{"id": 2, "url": "u", "thumbnail_url": None, "object_type": "image"}]}
    )  # fmt: skip
    assert gen.failed_reason is None and gen.execution_cost is None
    assert gen.output_resources[0].type is None


def test_generate_response_a57_parses() -> None:
    answer = m.GenerateResponse.model_validate({"generation_id": 9000, "status": "pending"})
    assert answer.generation_id == "9000" and answer.status is GenerationStatus.PENDING
    assert m.GenerateResponse.model_validate({"generation_id": "gen-1", "status": "pending"}).generation_id == "gen-1"


def test_organization_a58_parses() -> None:
    org = m.Organization.model_validate(ORGANIZATION_A58)
    assert org.id == "10" and org.name == "My Workspace" and org.user_role == "owner"
    assert org.credit == Decimal("250.0")
    assert org.available_credit.generic == Decimal("200.0") and org.available_credit.aura == Decimal("50.0")
    assert org.credit_plan == {"id": 1, "name": "Pro", "cycle": "MONTHLY"}


def test_organization_id_from_organization_id_only() -> None:
    org = m.Organization.model_validate({"organization_id": 11, "name": "X"})
    assert org.id == "11"
    assert org.available_credit.generic is None  # no balance sent: unknown, not zero


@pytest.mark.parametrize(
    ("payload", "org_id", "org_name", "role"),
    [
        (AGENT_DISC, "10", None, None),
        (AGENT_AGT, None, "My Company", "owner"),
        ({"id": 42, "name": "TrendBot"}, None, None, None),
        ({"id": "42", "name": "TrendBot", "role": "owner", "organization": "Org"}, None, "Org", "owner"),
        (AGENT_DETAIL, "10", None, "manager"),
    ],
    ids=["discovery", "agents-page", "oas-minimal", "mcp02", "agent-detail"],
)
def test_every_agent_shape_parses(payload: dict, org_id: str | None, org_name: str | None, role: str | None) -> None:
    agent = m.Agent.model_validate(payload)
    assert (agent.id, agent.name) == ("42", "TrendBot")
    assert (agent.organization_id, agent.organization_name, agent.role) == (org_id, org_name, role)


def test_me_parses() -> None:
    me = m.Me.model_validate(ME)
    assert (me.id, me.email, me.name, me.username) == ("1234", "user@example.com", "Jane Smith", "janesmith")


@pytest.mark.parametrize(
    "body",
    [
        {"error": "Agent not found", "error_code": "not_found"},
        {"error": "Unauthorized", "error_code": "unauthorized"},
        {"error": "GEN credits are required to use the API.", "error_code": "usable_gen_credit_required"},
    ],
)
def test_error_body_parses(body: dict) -> None:
    parsed = m.ErrorBody.model_validate(body)
    assert (parsed.error, parsed.error_code) == (body["error"], body["error_code"])


def test_error_body_without_code_and_with_odd_error() -> None:
    assert m.ErrorBody.model_validate({"error": "x"}).error_code is None
    assert m.ErrorBody.model_validate({"error": {"value": ["is required"]}}).error == '{"value": ["is required"]}'
    assert m.ErrorBody.model_validate({"message": "from message"}).error == "from message"


def test_global_variables_shapes() -> None:
    doc = {"id": 600, "variables": [{"key": "brand_name", "value": "Acme Corp"}, {"key": "n", "value": 3}]}
    assert m.GlobalVariables.model_validate(doc).variables == {"brand_name": "Acme Corp", "n": "3"}
    assert m.GlobalVariables.model_validate(None).variables == {}
    assert m.GlobalVariables.model_validate({"id": 1, "variables": None}).variables == {}


def test_engine_global_variables_from_sheet() -> None:
    payload = {**ENGINE_A51, "global_variables_sheet": {"id": 600, "variables": [{"key": "brand", "value": "Acme"}]}}
    assert m.Engine.model_validate(payload).global_variables == {"brand": "Acme"}


# --- part C variants ---------------------------------------------------------------------------


def _sdk_engine() -> dict:
    return {
        "id": "100",
        "name": "SDK engine",
        "columns": [
            {"id": "c1", "name": "Script", "type": "text", "role": "ingredient", "position": 1},
            {"id": "c2", "name": "Video", "type": "video", "role": "video", "position": 2},
        ],
        "rows": [
            {"id": "r1", "position": 1, "cells": [
                {"id": "x1", "column_id": "c1", "value": "hi", "role": "content"},
                {"id": "x2", "column_id": "c2", "value": None, "role": "final_video"},
            ]},
        ],
    }  # fmt: skip


def test_engine_sdk_spellings_parse() -> None:
    engine = m.Engine.model_validate(_sdk_engine())
    assert engine.title == "SDK engine"
    assert [c.title for c in engine.columns] == ["Script", "Video"]
    assert [c.column_role for c in engine.columns] == ["ingredient", "video"]
    cells = engine.rows[0].cells
    assert [c.cell_role for c in cells] == ["content", "final_video"]
    assert [c.column_id for c in cells] == ["c1", "c2"]


def test_docs_and_sdk_spellings_give_the_same_engine() -> None:
    docs = {
        "id": 100, "title": "SDK engine",
        "spreadsheet_columns": [
            {"id": "c1", "title": "Script", "type": "text", "column_role": "ingredient", "position": 1},
            {"id": "c2", "title": "Video", "type": "video", "column_role": "video", "position": 2},
        ],
        "spreadsheet_rows": [{"id": "r1", "position": 1, "spreadsheet_cells": [
            {"id": "x1", "column_id": "c1", "value": "hi", "cell_role": "content"},
            {"id": "x2", "column_id": "c2", "value": None, "cell_role": "final_video"},
        ]}],
    }  # fmt: skip
    assert m.Engine.model_validate(docs) == m.Engine.model_validate(_sdk_engine())


def test_cells_without_column_id_are_matched_by_column_position() -> None:
    payload = {
        "id": 1,
        "spreadsheet_columns": [  # listed out of order: position decides
            {"id": 22, "title": "B", "position": 2},
            {"id": 21, "title": "A", "position": 1},
            {"id": 23, "title": "C", "position": 3},
        ],
        "spreadsheet_rows": [{"id": 7, "spreadsheet_cells": [{"id": 1}, {"id": 2}, {"id": 3}]}],
    }
    engine = m.Engine.model_validate(payload)
    assert [c.column_id for c in engine.rows[0].cells] == ["21", "22", "23"]
    pairs = [(cell.id, col.title if col else None) for _, cell, col in engine.cell_column_pairs()]
    assert pairs == [("1", "A"), ("2", "B"), ("3", "C")]


def test_cells_without_column_id_use_list_order_when_positions_are_missing() -> None:
    payload = {
        "id": 1,
        "columns": [{"id": "b", "title": "B"}, {"id": "a", "title": "A"}],
        "rows": [{"id": 7, "cells": [{"id": 1}, {"id": 2}]}],
    }
    assert [c.column_id for c in m.Engine.model_validate(payload).rows[0].cells] == ["b", "a"]


def test_partially_linked_cells_fill_the_free_columns() -> None:
    payload = {
        "id": 1,
        "columns": [{"id": "a", "position": 1}, {"id": "b", "position": 2}, {"id": "c", "position": 3}],
        "rows": [{"id": 7, "cells": [{"id": 1, "column_id": "b"}, {"id": 2}, {"id": 3}]}],
    }
    cells = m.Engine.model_validate(payload).rows[0].cells
    assert [c.column_id for c in cells] == ["b", "a", "c"]


@pytest.mark.parametrize("raw", [9000, "9000"])
def test_ids_int_or_str_become_str(raw: object) -> None:
    assert m.Generation.model_validate({"id": raw, "status": "pending"}).id == "9000"
    assert m.Cell.model_validate({"id": raw, "column_id": raw, "user_job_id": raw}).column_id == "9000"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (2.5, Decimal("2.5")),
        ("2.5", Decimal("2.5")),
        (3, Decimal(3)),
        ("250.0", Decimal("250.0")),
        (0.1, Decimal("0.1")),
    ],
)
def test_money_number_or_string_becomes_decimal(raw: object, expected: Decimal) -> None:
    assert m.Generation.model_validate({"id": 1, "execution_cost": raw}).execution_cost == expected
    credit = m.Credit.model_validate({"generic": raw, "aura": raw})
    assert credit.generic == expected and credit.aura == expected


@pytest.mark.parametrize("raw", ["abc", "", "NaN", "-Infinity", "sNaN", {"x": 1}, [1], True, float("inf"),
                                 float("nan"), "1e400", -1e308, 10**400, "-1e26", "9" * 5000])
def test_bad_or_huge_money_is_unknown_never_zero(raw: object) -> None:
    assert m.Generation.model_validate({"id": 1, "execution_cost": raw}).execution_cost is None
    assert m.Organization.model_validate({"id": 1, "credit": raw}).credit is None
    assert m.Credit.model_validate({"generic": raw}).generic is None


def test_a_negative_cost_is_unknown_but_a_negative_balance_is_kept() -> None:
    assert m.Generation.model_validate({"id": 1, "execution_cost": -5}).execution_cost is None
    assert m.Credit.model_validate({"generic": -5}).generic == Decimal(-5)


def test_credit_missing_fields_are_unknown() -> None:
    assert m.Credit.model_validate({}) == m.Credit(generic=None, aura=None)
    assert m.Organization.model_validate({"id": 1, "available_credit": None}).available_credit.generic is None


def test_result_string_or_object() -> None:
    captions = {"captions": [{"word": "Welcome", "start": 0.0, "end": 0.45}]}
    assert m.Generation.model_validate({"id": 1, "result": captions}).result == captions
    assert m.Generation.model_validate({"id": 1, "result": "text"}).result == "text"
    assert m.Generation.model_validate({"id": 1, "result": None}).result is None
    assert m.Generation.model_validate({"id": 1, "result": 42}).result == "42"


def test_object_type_is_lower_cased() -> None:
    gen = m.Generation.model_validate({"id": 1, "output_resources": [{"url": "u", "object_type": "Video"}]})
    assert gen.output_resources[0].object_type == "video"


@pytest.mark.parametrize(
    "fields",
    [
        {"created_at": "2026-03-01T12:00:00.000Z"},
        {"created_at_ts": 1772366400000},
        {"created_at": 1772366400},
        {"created_at": "1772366400000"},
        {"created_at": None, "created_at_ts": 1772366400000},
        {"created_at": "garbage", "created_at_ts": 1772366400000},
    ],
    ids=["iso", "ms", "unix-seconds", "ms-as-text", "null-iso-then-ms", "bad-iso-then-ms"],
)
def test_created_at_iso_ms_or_seconds(fields: dict) -> None:
    expected = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert m.Generation.model_validate({"id": 1, **fields}).created_at == expected
    assert m.Engine.model_validate({"id": 1, **fields}).created_at == expected


def test_updated_at_from_iso_or_ms() -> None:
    assert m.Generation.model_validate({"id": 1, "updated_at_ts": 1709380800000}).updated_at == datetime.fromtimestamp(
        1709380800, tz=UTC
    )
    assert m.Generation.model_validate({"id": 1, "updated_at": "2026-03-01T12:00:00Z"}).updated_at is not None
    assert m.Generation.model_validate({"id": 1, "updated_at": "not a time"}).updated_at is None


@pytest.mark.parametrize(
    ("user_job_type", "canonical"),
    [
        ("text", "text"),
        ("text_generation", "text"),
        ("image_generation", "image_from_text"),
        ("gemini_image_generation", "image_from_text"),
        ("midjourney", "image_from_text"),
        ("video_generation", "video_from_text"),
        ("kling_image_video", "video_from_image"),
        ("seedance_video_generation", "video_from_text"),
        ("eleven_labs", "speech_from_text"),
        ("publish_content", "unknown"),
        (None, "unknown"),
    ],
)
def test_user_job_type_variants(user_job_type: str | None, canonical: str) -> None:
    gen = m.Generation.model_validate({"id": 1, "user_job_type": user_job_type})
    assert gen.canonical_type == canonical


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ("pending", GenerationStatus.PENDING),
        ("PROCESSING", GenerationStatus.PROCESSING),
        (" Completed ", GenerationStatus.COMPLETED),
        ("failed", GenerationStatus.FAILED),
        ("stopped", GenerationStatus.STOPPED),
        ("queued", GenerationStatus.UNKNOWN),
        ("", GenerationStatus.UNKNOWN),
        (None, GenerationStatus.UNKNOWN),
        (3, GenerationStatus.UNKNOWN),
    ],
)
def test_status_parse_never_raises(raw: object, status: GenerationStatus) -> None:
    assert GenerationStatus.parse(raw) is status
    gen = m.Generation.model_validate({"id": 1, "status": raw})
    assert gen.status is status
    assert gen.raw_status == (None if raw is None else str(raw))


def test_status_properties() -> None:
    assert {s for s in GenerationStatus if s.in_flight} == {GenerationStatus.PENDING, GenerationStatus.PROCESSING}
    assert {s for s in GenerationStatus if s.terminal} == {
        GenerationStatus.COMPLETED, GenerationStatus.FAILED, GenerationStatus.STOPPED,
    }  # fmt: skip
    assert not GenerationStatus.UNKNOWN.in_flight and not GenerationStatus.UNKNOWN.terminal


def test_unknown_fields_are_ignored() -> None:
    gen = m.Generation.model_validate({"id": 1, "status": "pending", "brand_new_field": {"x": 1}, "video_layers": []})
    assert not hasattr(gen, "brand_new_field")


def test_stop_answer_generation_id_and_status() -> None:
    gen = m.Generation.model_validate({"generation_id": 5, "status": "stopped"})
    assert gen.id == "5" and gen.status is GenerationStatus.STOPPED


def test_nulls_where_strings_are_expected() -> None:
    column = m.Column.model_validate({"id": 1, "title": None, "type": None, "additional_attributes": None})
    assert column.title == "" and column.type is None and column.additional_attributes == {}
    engine = m.Engine.model_validate({"id": 1, "title": None, "name": None, "spreadsheet_rows": None})
    assert engine.title == "" and engine.rows == []
    agent = m.Agent.model_validate({"id": 1, "name": None, "organization": None})
    assert agent.name == "" and agent.organization_name is None


def test_numbers_where_strings_are_expected() -> None:
    cell = m.Cell.model_validate({"id": 1, "value": 42, "cell_role": 7})
    assert cell.value == "42" and cell.cell_role == "7"
    assert m.Cell.model_validate({"id": 1, "value": 2.5}).value == "2.5"
    assert m.Column.model_validate({"id": 1, "title": 2026, "position": "3"}).title == "2026"
    assert m.Column.model_validate({"id": 1, "position": "3"}).position == 3
    assert m.Generation.model_validate({"id": 1, "failed_reason": 500}).failed_reason == "500"


def test_cell_history_keys_and_default_job() -> None:
    job = {"id": 9, "status": "completed", "user_job_type": "text_generation"}
    cell = m.Cell.model_validate({"id": 1, "generations": [job], "default_user_job": job, "user_job_id": 9})
    assert [g.id for g in cell.user_jobs] == ["9"]
    assert cell.default_user_job is not None and cell.default_user_job.id == "9"
    assert cell.user_job_id == "9"
    assert m.Cell.model_validate({"id": 1, "user_jobs": [job], "generations": []}).user_jobs[0].id == "9"


def test_a_bad_history_item_is_dropped_not_fatal() -> None:
    cell = m.Cell.model_validate(
        {"id": 1, "user_jobs": [{"status": "completed"}, "junk", {"id": 2}], "default_user_job": 17}
    )
    assert [g.id for g in cell.user_jobs] == ["2"]
    assert cell.default_user_job is None


def test_engine_summary_and_row_execution_cost() -> None:
    assert m.EngineSummary.model_validate({"id": 100, "name": "X"}) == m.EngineSummary(id="100", title="X")
    assert m.Row.model_validate({"id": 1, "execution_cost": "12.50"}).execution_cost == Decimal("12.50")
    assert m.Cell.model_validate({"id": 1, "execution_cost": 1}).execution_cost == Decimal(1)


def test_missing_required_id_is_an_error() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        m.Generation.model_validate({"status": "pending"})
