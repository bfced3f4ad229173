"""The asset catalog against the in-process simulator (engine, cells) plus a fake content library
(tests/library_fake.py) that follows gen-api.md's documented shapes."""

from __future__ import annotations

import httpx
import pytest

from gentui.api.client import GenClient
from gentui.core.assets import LIBRARY, ROW, TAKE, AssetCatalog, AssetIdError, UploadRefused
from gentui.core.session import Session
from gentui.sim.app import create_app
from gentui.sim.clock import ManualClock
from gentui.sim.options import SimOptions
from tests.library_fake import Library

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 3
VIDEO_COLUMN, BROLL_COLUMN = "204", "203"


@pytest.fixture
async def world():
    sim_app = create_app(SimOptions(quiet=True), clock=ManualClock())
    info = sim_app.state.sim.world_info()
    library = Library(sim_app)
    client = GenClient("http://sim/v1", info["api_key"], transport=httpx.MockTransport(library))
    session = Session(client, str(info["agent_id"]), str(info["engine_ids"][0]))
    await session.load_engine()
    row = session.state.row_ids()[0]
    yield session, library, row
    await client.aclose()


async def test_row_outputs_and_this_cells_takes_of_the_fields_kind(world) -> None:
    session, library, row = world
    catalog = AssetCatalog(session, (row, VIDEO_COLUMN))
    others, takes = await catalog.row_and_takes("image")
    assert [(a.id, a.kind, a.source) for a in others] == [("900060", "image", ROW)]
    assert others[0].where.startswith("B-ROLL, take ") and others[0].name.endswith("900060.png")
    assert takes == []  # this VIDEO cell's takes are videos: not offered for an image field
    others, takes = await catalog.row_and_takes("")
    assert {a.kind for a in others} == {"image", "audio", "video"}  # B-ROLL, VOICE, FINAL VIDEO
    assert (takes[0].id, takes[0].source) == ("900080", TAKE)  # the newest take first
    numbers = [int(a.where.removeprefix("take ")) for a in takes]
    assert numbers == sorted(numbers, reverse=True) and numbers[0] >= 1
    assert "900060" in catalog.known


async def test_the_library_pages_from_zero_and_says_when_more_may_follow(world) -> None:
    session, library, row = world
    catalog = AssetCatalog(session, (row, VIDEO_COLUMN))
    first, more = await catalog.library("image", 0)
    assert (len(first), more, first[0].id, first[0].source) == (20, True, "5000", LIBRARY)
    last, more = await catalog.library("image", 2)
    assert (len(last), more, last[-1].id) == (5, False, "5044")
    assert "GET /v1/content_resources" in library.seen


async def test_an_upload_arrives_whole_and_becomes_a_known_asset(world, tmp_path) -> None:
    session, library, row = world
    path = tmp_path / "ref.png"
    path.write_bytes(PNG)
    catalog = AssetCatalog(session, (row, VIDEO_COLUMN))
    progress: list[int] = []
    asset = await catalog.upload(path, "image", lambda sent, total: progress.append(sent))
    assert library.received == {"k0": PNG}
    assert (asset.kind, asset.name, asset.source) == ("image", "ref.png", "upload")
    assert catalog.known[asset.id] == asset and progress[-1] == len(PNG)


async def test_a_wrong_file_is_refused_before_anything_is_sent(world, tmp_path) -> None:
    session, library, row = world
    path = tmp_path / "notes.txt"
    path.write_text("not media")
    catalog = AssetCatalog(session, (row, VIDEO_COLUMN))
    before = len(library.seen)
    with pytest.raises(UploadRefused, match="not an image, video or audio file"):
        await catalog.upload(path, "image")
    assert len(library.seen) == before


async def test_typed_ids_are_checked_against_the_server(world) -> None:
    session, library, row = world
    catalog = AssetCatalog(session, (row, VIDEO_COLUMN))
    with pytest.raises(AssetIdError, match=r"^image resource id: no content resource 'abc' on the server"):
        await catalog.check_ids({"image_resource_id": "abc"})
    with pytest.raises(AssetIdError, match="asset resource ids: no content resource '999'"):
        await catalog.check_ids({"asset_resource_ids": ["5001", "999"]})
    await catalog.check_ids({"image_resource_id": "5003"})  # on the server: fine, and now known
    assert catalog.known["5003"].name == "lib3.png"
    before = len(library.seen)
    await catalog.check_ids({"image_resource_id": "5003", "video_resource_id": "31"}, trusted=["31"])
    assert len(library.seen) == before  # known and trusted ids cost no request
