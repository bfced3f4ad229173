"""Content resources: the library, direct upload end to end, resource ids in cards, the MOTION column."""

from __future__ import annotations

import base64
import hashlib
from typing import Any

import httpx
import pytest

from gentui.api.client import GenClient
from gentui.api.fields import variables_dict
from gentui.api.models import GlobalVariables
from gentui.sim import content, media
from gentui.sim.options import SimOptions
from gentui.sim.seed import LIBRARY_EXTRAS, MOTION_TITLE
from gentui.sim.server import serve_in_thread

from .conftest import Sim
from .test_media import parse_png


def library(world: Sim, **query: Any) -> str:
    params = "&".join(f"{k}={v}" for k, v in query.items())
    return f"/v1/content_resources?agent_id={world.sim.world.agent_id}" + (f"&{params}" if params else "")


def md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data).digest()).decode()


PNG = media.draw(5, "image", 9, 77, media.THUMB_SIZE)


async def test_the_library_pages_twenty_at_a_time_from_page_zero(quiet: Sim) -> None:
    everything = content.library(quiet.sim.world)
    assert len(everything) > 40
    page0 = (await quiet.client.get(library(quiet, page=0))).json()
    page1 = (await quiet.client.get(library(quiet, page=1))).json()
    assert len(page0) == len(page1) == 20
    assert [r["id"] for r in page0 + page1] == [r.id for r in everything[:40]]
    assert (await quiet.client.get(library(quiet))).json() == page0  # no page: page 0
    assert (await quiet.client.get(library(quiet, page=999))).json() == []
    first = page0[0]
    assert set(first) >= {"id", "url", "thumbnail_url", "file_name", "content_type", "type", "byte_size", "source"}
    stamps = [r["created_at_ts"] for r in page0 + page1]
    assert stamps == sorted(stamps, reverse=True)


@pytest.mark.parametrize("kind", ["image", "video", "audio"])
async def test_the_library_filters_by_type(quiet: Sim, kind: str) -> None:
    items = (await quiet.client.get(library(quiet, type=kind))).json()
    assert items and all(r["type"] == kind for r in items)
    if kind == "audio":
        assert all(r["thumbnail_url"] is None for r in items)
    else:
        assert all(r["thumbnail_url"].startswith("http://sim/_sim/media/") for r in items)


async def test_the_library_needs_the_key_and_an_agent_and_refuses_odd_queries(quiet: Sim) -> None:
    bare = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app), base_url="http://sim")
    async with bare:
        assert (await bare.get(library(quiet))).status_code == 401
    assert (await quiet.client.get("/v1/content_resources")).json()["error_code"] == "agent_not_found"
    assert (await quiet.client.get(library(quiet, type="hologram"))).status_code == 422
    assert (await quiet.client.get(library(quiet, page=-1))).status_code == 422


async def test_get_and_delete_a_resource(quiet: Sim) -> None:
    rid = LIBRARY_EXTRAS[0][0]
    got = (await quiet.client.get(f"/v1/content_resources/{rid}")).json()
    assert got["content_resource"]["file_name"] == "northwind-logo.png" and got["generator"] is None
    image = parse_png((await quiet.client.get(got["content_resource"]["url"])).content)
    assert image[:2] == media.FULL_SIZE
    output = next(r for r in content.library(quiet.sim.world) if r.source == "output")
    made = (await quiet.client.get(f"/v1/content_resources/{output.id}")).json()
    assert made["generator"]["id"] == output.id // 10 and made["generator"]["status"] == "completed"
    deleted = await quiet.client.delete(f"/v1/content_resources/{rid}")
    assert deleted.status_code == 200 and deleted.json()["deleted"] is True
    again = await quiet.client.get(f"/v1/content_resources/{rid}")
    assert (again.status_code, again.json()["error_code"]) == (404, "content_resource_not_found")
    assert rid not in [r["id"] for r in (await quiet.client.get(library(quiet, type="image"))).json()]


async def _direct_upload(client: httpx.AsyncClient, data: bytes, content_type: str = "image/png",
                         checksum: str | None = None) -> httpx.Response:
    blob = {"filename": "reference.png", "byte_size": len(data), "checksum": checksum or md5(data),
            "content_type": content_type}
    return await client.post("/v1/direct_upload", json={"blob": blob})


async def test_direct_upload_end_to_end_in_process(quiet: Sim) -> None:
    answer = (await _direct_upload(quiet.client, PNG)).json()
    assert set(answer) >= {"id", "key", "filename", "content_type", "byte_size", "checksum", "signed_id",
                           "direct_upload"}
    target = answer["direct_upload"]
    assert target["url"] == f"http://sim/_sim/uploads/{answer['key']}"
    assert target["headers"] == {"Content-Type": "image/png", "Content-MD5": md5(PNG)}
    storage = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app))  # no key to the storage host
    async with storage:
        put = await storage.put(target["url"], content=PNG, headers=target["headers"])
    assert put.status_code == 200 and put.headers["etag"] == f'"{hashlib.md5(PNG).hexdigest()}"'
    created = await quiet.client.post("/v1/content_resources", json={"content_resource": {"file": answer["signed_id"]}})
    assert created.status_code == 201
    resource = created.json()["content_resource"]
    assert (resource["type"], resource["file_name"], resource["byte_size"]) == ("image", "reference.png", len(PNG))
    assert resource["thumbnail_url"] == resource["url"]
    assert (await quiet.client.get(resource["url"])).content == PNG
    assert (await quiet.client.get(library(quiet))).json()[0]["id"] == resource["id"]


async def test_a_wrong_md5_and_other_bad_puts_are_refused(quiet: Sim) -> None:
    answer = (await _direct_upload(quiet.client, PNG)).json()
    url, headers = answer["direct_upload"]["url"], answer["direct_upload"]["headers"]
    storage = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app))
    async with storage:
        tampered = await storage.put(url, content=PNG[:-1] + b"\x00", headers=headers)
        assert (tampered.status_code, tampered.json()["error_code"]) == (400, "bad_digest")
        other_md5 = await storage.put(url, content=PNG, headers={**headers, "Content-MD5": md5(b"x")})
        assert other_md5.status_code == 403
        with_key = await storage.put(url, content=PNG, headers={**headers, "X-API-Key": "sim-key"})
        assert with_key.json()["error_code"] == "credentials_sent_to_storage"
        assert (await storage.put(url.replace(answer["key"], "nope"), content=PNG, headers=headers)).status_code == 404
    early = await quiet.client.post("/v1/content_resources", json={"content_resource[file]": answer["signed_id"]})
    assert (early.status_code, early.json()["error_code"]) == (422, "content_resource_creation_failed")


async def test_direct_upload_refuses_types_sizes_and_checksums(quiet: Sim) -> None:
    svg = await _direct_upload(quiet.client, b"<svg/>", "image/svg+xml")
    assert (svg.status_code, svg.json()["error_code"]) == (422, "invalid_content_type")
    big = await quiet.client.post("/v1/direct_upload", json={"blob": {
        "filename": "a.mp4", "byte_size": 2 * 1024 ** 3, "checksum": md5(b""), "content_type": "video/mp4"}})
    assert big.json()["error_code"] == "file_size_exceeded"
    assert (await _direct_upload(quiet.client, PNG, checksum="abc")).json()["error_code"] == "validation_error"


async def test_an_upload_over_the_storage_cap_is_413(quiet: Sim) -> None:
    answer = (await _direct_upload(quiet.client, PNG)).json()
    storage = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app))
    async with storage:
        response = await storage.put(answer["direct_upload"]["url"], content=b"\x00" * (content.STORE_CAP + 1),
                                     headers=answer["direct_upload"]["headers"])
    assert response.status_code == 413


async def test_a_multipart_file_and_a_multipart_signed_id_create_resources(quiet: Sim) -> None:
    direct = await quiet.client.post("/v1/content_resources",
                                     files={"content_resource[file]": ("logo.png", PNG, "image/png")})
    assert direct.status_code == 201 and direct.json()["content_resource"]["byte_size"] == len(PNG)
    answer = (await _direct_upload(quiet.client, PNG)).json()
    storage = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app))
    async with storage:
        await storage.put(answer["direct_upload"]["url"], content=PNG, headers=answer["direct_upload"]["headers"])
    form = await quiet.client.post("/v1/content_resources", files={"content_resource[file]": (None, answer["signed_id"])})
    assert form.status_code == 201, form.text


async def test_an_uploaded_image_is_a_video_from_image_start_frame(quiet: Sim) -> None:
    answer = (await _direct_upload(quiet.client, PNG)).json()
    storage = httpx.AsyncClient(transport=httpx.ASGITransport(app=quiet.app))
    async with storage:
        await storage.put(answer["direct_upload"]["url"], content=PNG, headers=answer["direct_upload"]["headers"])
    resource = (await quiet.client.post("/v1/content_resources",
                                        json={"content_resource": {"file": answer["signed_id"]}})).json()
    rid = resource["content_resource"]["id"]
    cell = quiet.cell(13, MOTION_TITLE)  # no B-ROLL image in row 14: the card needs one
    assert (await quiet.generate(cell)).json()["error"] == "missing required field: image_resource_id"
    created = await quiet.generate(cell, {"generation_type": "video_from_image", "data": {"image_resource_id": rid}})
    assert created.status_code == 201, created.text
    gen = quiet.sim.world.generations[created.json()["generation_id"]]
    assert gen.data["image_resource_id"] == rid


async def test_direct_upload_over_real_http() -> None:
    with serve_in_thread(SimOptions(quiet=True)) as server:
        async with httpx.AsyncClient(base_url=server.root_url, headers={"X-API-Key": "sim-key"}) as api:
            answer = (await _direct_upload(api, PNG)).json()
            target = answer["direct_upload"]
            assert target["url"] == f"{server.root_url}/_sim/uploads/{answer['key']}"
            async with httpx.AsyncClient() as storage:
                put = await storage.put(target["url"], content=PNG, headers=target["headers"])
                assert put.status_code == 200
                bad = await storage.put(target["url"], content=PNG + b"!", headers=target["headers"])
                assert bad.status_code == 400
            resource = (await api.post("/v1/content_resources",
                                       json={"content_resource": {"file": answer["signed_id"]}})).json()
            url = resource["content_resource"]["url"]
            assert url.startswith(server.root_url + "/_sim/media/upload-")
            async with httpx.AsyncClient() as cdn:
                assert (await cdn.get(url)).content == PNG
            world = server.app.state.sim.world
            motion = next(c for c in world.cells.values() if world.columns[c.column_id].title == MOTION_TITLE)
            path = f"/v1/vidsheet/{motion.engine_id}/cells/{motion.id}/generate?agent_id={world.agent_id}"
            body = {"generation_type": "video_from_image", "data": {"image_resource_id": resource["content_resource"]["id"]}}
            assert (await api.post(path, json=body)).status_code == 201


@pytest.mark.parametrize(("data", "field"), [
    ({"image_resource_id": 123}, "image_resource_id"),
    ({"image_resource_id": "abc"}, "image_resource_id"),
    ({"image_tail_resource_id": 999999}, "image_tail_resource_id"),
])
async def test_an_unknown_resource_id_is_422_naming_the_field(quiet: Sim, data: dict[str, Any], field: str) -> None:
    cell = quiet.cell(0, MOTION_TITLE)
    response = await quiet.generate(cell, {"generation_type": "video_from_image", "data": data})
    assert response.status_code == 422
    assert response.json()["error_code"] == "validation_error" and response.json()["error"].startswith(field)


async def test_an_unknown_id_in_a_list_field_is_422_and_a_known_one_is_accepted(quiet: Sim) -> None:
    cell = quiet.cell(0, "B-ROLL")
    bad = await quiet.generate(cell, {"generation_type": "image_from_text", "data": {"content_resource_ids": [15101, 7]}})
    assert (bad.status_code, bad.json()["error"]) == (422, "content_resource_ids: content resource 7 not found")
    good = await quiet.generate(cell, {"generation_type": "image_from_text", "data": {"content_resource_ids": [15101]}})
    assert good.status_code == 201


async def test_the_resource_check_is_a_body_check_before_the_plan(quiet: Sim) -> None:
    await quiet.admin("credits", {"active": False})
    cell = quiet.cell(0, MOTION_TITLE)
    response = await quiet.generate(cell, {"generation_type": "video_from_image", "data": {"image_resource_id": 5}})
    assert response.json()["error_code"] == "validation_error"
    ok = await quiet.generate(cell)
    assert ok.json()["error_code"] == "usable_gen_credit_required"


async def test_the_motion_column_starts_from_the_rows_b_roll_image(quiet: Sim) -> None:
    world = quiet.sim.world
    engine = (await quiet.client.get(quiet.path())).json()
    titles = [c["title"] for c in engine["spreadsheet_columns"]]
    assert titles[-2:] == [MOTION_TITLE, "FINAL VIDEO"]
    broll = world.generations[quiet.cell(0, "B-ROLL").displayed or 0]
    motion = quiet.cell(0, MOTION_TITLE)
    assert motion.additional_attributes["image_resource_id"] == broll.id * 10
    assert content.find(world, broll.id * 10) is not None
    assert len(motion.jobs) == 2  # an older take and a newer one, to compare
    old, new = (world.generations[g].data for g in motion.jobs)
    assert old["prompt"] != new["prompt"] and new["duration"] == 8
    created = await quiet.generate(motion)
    assert created.status_code == 201
    quiet.force(created.json()["generation_id"])
    await quiet.finish()
    [out] = (await quiet.generation(created.json()["generation_id"]))["output_resources"]
    assert out["url"].endswith("-5s.mp4") and out["thumbnail_url"].endswith(".thumb.png")


async def test_the_captions_sources_are_in_the_library(quiet: Sim) -> None:
    cell = quiet.cell(3, "CAPTIONS")
    rid = cell.additional_attributes["source_resource_id"]
    got = (await quiet.client.get(f"/v1/content_resources/{rid}")).json()["content_resource"]
    assert got["type"] == "audio" and got["url"].endswith(".mp3")
    assert (await quiet.generate(cell)).status_code == 201


async def test_the_client_reads_global_variables_in_both_dialects() -> None:
    for dialect in ("docs", "sdk"):
        world = Sim(dialect=dialect)
        raw = (await world.client.get(world.path("global_variables"))).json()
        if dialect == "sdk":
            assert isinstance(raw, list) and set(raw[0]) == {"id", "key", "value"} and isinstance(raw[0]["id"], str)
        else:
            assert set(raw) == {"id", "variables"}
        client = GenClient("http://sim/v1", "sim-key", transport=httpx.ASGITransport(app=world.app))
        async with client:
            got = await client.global_variables(str(world.sim.world.agent_id), str(world.sim.world.engine_ids[0]))
        assert got["brand_name"] == "Northwind Coffee" and len(got) == 4
        await world.client.aclose()


@pytest.mark.parametrize("answer", [
    {"id": 600, "variables": [{"key": "brand", "value": "Acme"}, {"key": "n", "value": 3}]},
    [{"id": "60001", "key": "brand", "value": "Acme"}, {"id": "60002", "key": "n", "value": 3}],
])
def test_the_variables_reader_takes_the_docs_object_and_the_sdk_array(answer: Any) -> None:
    assert GlobalVariables.model_validate(answer).variables == {"brand": "Acme", "n": "3"}


def test_one_sdk_variable_object_is_one_variable_not_three() -> None:
    assert variables_dict({"id": "7", "key": "brand", "value": "Acme"}) == {"brand": "Acme"}
