"""The card editor's assets, type change and Escape, driven with Pilot against the simulator (in-process, and over
real HTTP for the upload); a few use the content library fake of tests/library_fake.py (gen-api.md's shapes)."""

from __future__ import annotations

from decimal import Decimal

import httpx
from textual.widgets import Input, OptionList, Select, Static, TextArea

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.screens.asset_picker import MORE, UPLOAD, AssetPicker
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.card_fields import DiscardDialog
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.preview import PreviewBox
from tests.library_fake import Library

from .pilot import SIZE, World, goto, loaded, no_sleep, wait_for

PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4


def library_app(world: World, keymap: dict[str, str] | None = None, *, fake: bool = True,
                media: dict | None = None, **guards) -> tuple[GentuiApp, Library]:
    """The app over the in-process simulator; `fake`: its content routes answered by tests/library_fake.py."""
    library = Library(world.app, fake=fake)
    client = GenClient("http://sim/v1", world.info["api_key"], transport=httpx.MockTransport(library), sleep=no_sleep)
    app = GentuiApp(Launch(client=client, agent_id=str(world.info["agent_id"]),
                           engine_id=str(world.info["engine_ids"][0]), guards=Guards(**guards),
                           clock=world.clock.now, keymap=keymap or {}, **(media or {})))
    return app, library


async def open_editor(pilot, app, generation_type: str = vocab.VIDEO_FROM_TEXT) -> CardEditor:
    await wait_for(pilot, lambda: loaded(app))
    await goto(pilot, app, generation_type)
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="the card editor")
    return app.screen


async def change_type(pilot, editor: CardEditor, new_type: str) -> None:
    editor.query_one("#type", Select).value = new_type
    await wait_for(pilot, lambda: editor.generation_type == new_type and not editor.retyping
                   and bool(editor.query(f"#f-{_first(new_type)}")),
                   what=f"the {new_type} fields")
    await pilot.pause()


def _first(generation_type: str) -> str:
    return vocab.CARD_FIELDS[generation_type][-1].name


async def open_picker(pilot, app) -> AssetPicker:
    await pilot.press("ctrl+o")
    await wait_for(pilot, lambda: isinstance(app.screen, AssetPicker), what="the asset picker")
    picker = app.screen
    await wait_for(pilot, lambda: not picker.notes["row"] and not picker.notes["library"], what="the lists loaded")
    return picker


async def test_picking_a_row_output_sends_that_outputs_id(quiet_world):
    app, library = library_app(quiet_world, fake=False, confirm="costly", confirm_above=Decimal(100_000))
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        editor.query_one("#f-prompt", TextArea).focus()  # another field has the focus: the first resource field
        picker = await open_picker(pilot, app)
        assert picker.field == "image_resource_id" and picker.kind == "image"
        broll = picker.by_option["row:0"]
        assert (broll.id, broll.kind) == ("900060", "image") and broll.where.startswith("B-ROLL")
        listing = picker.query_one(OptionList)
        assert listing.highlighted == listing.get_option_index("row:0")  # row outputs come first
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is editor, what="back in the editor")
        assert editor.query_one("#f-image_resource_id", Input).value == "900060"
        await wait_for(pilot, lambda: "B-ROLL" in str(editor.query_one("#d-image_resource_id", Static).render()),
                       what="the field says what was picked")
        assert "image · B-ROLL" in str(editor.query_one("#d-image_resource_id", Static).render())
        await pilot.press("ctrl+s")
        key = app.main.query_one("EngineGrid").current_key
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the simulator took it")
    body = library.generates[-1]
    assert str(body["data"]["image_resource_id"]) == "900060"
    assert body["generation_type"] == vocab.internal_type(vocab.VIDEO_FROM_IMAGE, body["data"]["model"])
    assert body["data"]["prompt"]  # the video card's prompt carried over


async def test_the_library_pages_on_demand(quiet_world):
    app, library = library_app(quiet_world, fake=False)
    async with app.run_test(size=SIZE) as pilot:
        await open_editor(pilot, app, vocab.CAPTIONS)  # source_resource_id: a file of any kind
        editor = app.screen
        picker = await open_picker(pilot, app)
        assert picker.field == "source_resource_id" and picker.kind == ""
        assert len(picker.sections["library"]) == 20 and picker.more
        listing = picker.query_one(OptionList)
        shown = 20
        while picker.more:
            listing.highlighted = listing.get_option_index(MORE)
            await pilot.press("enter")
            await wait_for(pilot, lambda n=shown: picker.notes["library"] == "" and (
                len(picker.sections["library"]) > n or not picker.more), what="the next page")
            shown = len(picker.sections["library"])
        pages = [r for r in library.seen if r == "GET /v1/content_resources"]
        assert shown > 40 and len(pages) >= 3  # the demo library is several pages
        assert len({a.id for a in picker.sections["library"]}) == shown  # no page twice
        assert listing.get_option_index(UPLOAD) == listing.option_count - 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is editor)


async def test_uploading_a_local_file_fills_the_field_with_the_new_resource(quiet_world, tmp_path):
    image = tmp_path / "reference.png"
    image.write_bytes(PNG)
    app, library = library_app(quiet_world, fake=False, confirm="costly", confirm_above=Decimal(100_000))
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        editor.query_one("#f-image_resource_id", Input).focus()
        picker = await open_picker(pilot, app)
        listing = picker.query_one(OptionList)
        listing.highlighted = listing.get_option_index(UPLOAD)
        await pilot.press("enter")
        path = picker.query_one("#path", Input)
        await wait_for(pilot, lambda: path.has_focus, what="the path input")
        path.value = str(tmp_path / "notes.txt")
        (tmp_path / "notes.txt").write_text("words")
        await pilot.press("enter")
        status = picker.query_one("#status", Static)
        await wait_for(pilot, lambda: "nothing was sent" in str(status.render()), what="the refusal")
        assert not any("direct_upload" in p for p in library.seen)  # refused before anything was sent
        path.value = str(image)
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen is editor, what="back in the editor")
        new_id = editor.query_one("#f-image_resource_id", Input).value
        assert "X-API-Key" not in library.put_headers[0]
        assert quiet_world.app.state.sim.world.uploads[int(new_id)].data == PNG  # the bytes arrived whole
        await wait_for(pilot, lambda: "reference.png" in str(editor.query_one("#d-image_resource_id", Static).render()))
        await pilot.press("ctrl+s")
        key = app.main.query_one("EngineGrid").current_key
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the simulator took it")
    assert str(library.generates[-1]["data"]["image_resource_id"]) == new_id


async def test_a_bad_id_typed_by_hand_is_refused_before_anything_is_sent(quiet_world):
    app, library = library_app(quiet_world, fake=False, confirm="costly", confirm_above=Decimal(100_000))
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        await pilot.press("ctrl+s")  # a new type: the server's stored card cannot fill its required fields
        error = editor.query_one("#error", Static)
        await wait_for(pilot, lambda: "required: image resource id" in str(error.render()), what="required")
        editor.query_one("#f-image_resource_id", Input).value = "abc"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "abc" in str(error.render()), what="the refusal")
        assert "image resource id: no content resource 'abc' on the server" in str(error.render())
        assert app.screen is editor and not isinstance(app.screen, ConfirmScreen)
        assert not library.generates and (await quiet_world.stats())["charges_by_idempotency_key"] == {}
        editor.query_one("#f-image_resource_id", Input).value = "900060"  # on the server: goes
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: library.generates, what="the generate POST")
    assert len(library.generates) == 1 and str(library.generates[0]["data"]["image_resource_id"]) == "900060"
    assert "GET /v1/content_resources/abc" in library.seen


async def test_the_type_changes_fields_follow_and_the_estimates_follow_the_duration(quiet_world):
    app, library = library_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        prompt = editor.query_one("#f-prompt", TextArea).text
        assert editor.query_one("#f-duration", Input).value == "8"
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        assert editor.query("#f-image_resource_id") and editor.query("#f-image_tail_resource_id")
        assert editor.query_one("#f-prompt", TextArea).text == prompt  # shared fields carry over
        assert editor.query_one("#f-duration", Input).value == "8"
        assert editor.query_one("#f-model", Select).value == "veo_3_1_fast"  # a model both types offer stays
        assert "video veo_3_1_fast 8s" in str(editor.query_one("#estimate", Static).render())
        model = editor.query_one("#f-model", Select)
        labels = {str(v): str(p) for p, v in model._options if v is not Select.NULL}
        assert "~480" in labels["veo_3_1_fast"] and "~400" in labels["seedance_pro"]
        editor.query_one("#f-duration", Input).value = "5"
        await pilot.pause()
        labels = {str(v): str(p) for p, v in model._options if v is not Select.NULL}
        assert "~300" in labels["veo_3_1_fast"] and model.value == "veo_3_1_fast"
        assert "video veo_3_1_fast 5s" in str(editor.query_one("#estimate", Static).render())
        await change_type(pilot, editor, vocab.IMAGE_FROM_TEXT)
        assert not editor.query("#f-duration") and editor.query_one("#f-model", Select).value == "gemini_image"
        assert editor.query_one("#f-prompt", TextArea).text == prompt


async def test_escape_over_an_edited_prompt_asks_first(quiet_world):
    app, library = library_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await pilot.press("escape")  # nothing edited: closes at once
        await wait_for(pilot, lambda: app.screen is app.main, what="closed")
        editor = await open_editor(pilot, app)
        editor.query_one("#f-prompt", TextArea).text = "a new prompt"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog), what="the question")
        assert "the prompt" in str(app.screen.query_one("#what", Static).render())
        await pilot.press("escape")  # keeps editing
        await wait_for(pilot, lambda: app.screen is editor)
        assert editor.query_one("#f-prompt", TextArea).text == "a new prompt"
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DiscardDialog))
        await pilot.press("y")
        await wait_for(pilot, lambda: app.screen is app.main, what="discarded")
    assert library.generates == []


async def test_the_path_input_completes_from_the_directory(tmp_path):
    from gentui.ui.screens.asset_picker import PathSuggester

    (tmp_path / "shots").mkdir()
    (tmp_path / "still.png").write_bytes(PNG)
    (tmp_path / ".hidden.png").write_bytes(PNG)
    suggest = PathSuggester().get_suggestion
    assert await suggest(f"{tmp_path}/sh") == f"{tmp_path}/shots/"
    assert await suggest(f"{tmp_path}/st") == f"{tmp_path}/still.png"
    assert await suggest(f"{tmp_path}/x") is None
    assert await suggest(f"{tmp_path}/.h") == f"{tmp_path}/.hidden.png"
    assert await suggest(f"{tmp_path}/nowhere/a") is None


async def test_pick_asset_follows_the_keymap(quiet_world):
    app, library = library_app(quiet_world, keymap={"pick_asset": "ctrl+k"})
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        await pilot.press("ctrl+o")
        await pilot.pause()
        assert app.screen is editor  # the default key was moved away
        await pilot.press("ctrl+k")
        await wait_for(pilot, lambda: isinstance(app.screen, AssetPicker), what="the picker on the remapped key")


async def test_a_list_field_gathers_picks_and_names_each(quiet_world):
    app, library = library_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app, vocab.IMAGE_FROM_TEXT)
        editor.query_one("#f-content_resource_ids", Input).focus()
        for n in (0, 1, 0):  # the same file twice is kept once
            picker = await open_picker(pilot, app)
            listing = picker.query_one(OptionList)
            listing.highlighted = listing.get_option_index(f"library:{n}")
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is editor)
        assert editor.query_one("#f-content_resource_ids", Input).value == "5000, 5001"
        shown = str(editor.query_one("#d-content_resource_ids", Static).render())
        assert "lib0.png" in shown and "lib1.png" in shown and shown.count("image · library") == 2


async def test_the_ids_a_card_came_with_are_named_or_flagged(quiet_world):
    from gentui.core.card import Card

    app, library = library_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        cell = app.session.state.cells[key]
        app.session.state.local_cards[cell.cell_id] = Card(vocab.IMAGE_FROM_TEXT, {
            "prompt": "p", "content_resource_ids": ["5001", "777"]})
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="the card editor")
        line = app.screen.query_one("#d-content_resource_ids", Static)
        await wait_for(pilot, lambda: "777" in str(line.render()), what="both ids described")
        shown = str(line.render())
        assert "image · library · lib1.png  (id 5001)" in shown
        assert "? id 777: the server lists no such content resource" in shown


async def test_an_upload_goes_end_to_end_over_real_http(tmp_path):
    """gentui/sim/server.py on a real socket: the bytes arrive, the MD5 matches, the new resource is used."""
    import hashlib

    from gentui.sim.options import SimOptions
    from gentui.sim.server import serve_in_thread

    image = tmp_path / "reference.png"
    image.write_bytes(PNG)
    with serve_in_thread(SimOptions(quiet=True)) as server:
        info = httpx.get(server.root_url + "/_sim/world").json()
        client = GenClient(server.base_url, info["api_key"], sleep=no_sleep)
        app = GentuiApp(Launch(client=client, agent_id=str(info["agent_id"]), engine_id=str(info["engine_ids"][0]),
                               guards=Guards(confirm="costly", confirm_above=Decimal(100_000))))
        async with app.run_test(size=SIZE) as pilot:
            editor = await open_editor(pilot, app, vocab.VIDEO_FROM_IMAGE)  # the MOTION column
            editor.query_one("#f-image_resource_id", Input).focus()
            picker = await open_picker(pilot, app)
            listing = picker.query_one(OptionList)
            listing.highlighted = listing.get_option_index(UPLOAD)
            await pilot.press("enter")
            picker.query_one("#path", Input).value = str(image)
            await pilot.press("enter")
            await wait_for(pilot, lambda: app.screen is editor, what="uploaded", timeout=20)
            new_id = editor.query_one("#f-image_resource_id", Input).value
            await pilot.press("ctrl+s")
            key = app.main.query_one("EngineGrid").current_key
            await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="the simulator took it")
        world = server.app.state.sim.world
        upload = world.uploads[int(new_id)]
        assert upload.data == PNG and hashlib.md5(upload.data).digest() == hashlib.md5(PNG).digest()
        gen_id = next(j.id for j in app.session.state.cells[key].jobs if j.in_flight)
        sent = world.generations[int(gen_id)]
        assert (sent.kind, str(sent.data["image_resource_id"])) == (vocab.VIDEO_FROM_IMAGE, new_id)  # the new one used
        resource = httpx.get(f"{server.base_url}/content_resources/{new_id}", params={"agent_id": info["agent_id"]},
                             headers={"X-API-Key": info["api_key"]}).json()["content_resource"]
        assert httpx.get(resource["url"]).content == PNG  # served back from the simulator's own origin
        await client.aclose()


async def test_the_motion_cards_image_is_named_by_the_cell_that_made_it(quiet_world):
    app, library = library_app(quiet_world, fake=False)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app, vocab.VIDEO_FROM_IMAGE)  # MOTION: its card names row 1's B-ROLL image
        assert editor.query_one("#f-image_resource_id", Input).value == "900060"
        line = editor.query_one("#d-image_resource_id", Static)
        await wait_for(pilot, lambda: "900060" in str(line.render()), what="the id described")
        assert "image · B-ROLL output · image-r1-900060.png" in str(line.render())


async def test_the_highlighted_file_shows_its_thumbnail_fetched_without_the_key(quiet_world):
    media = {"previews": "blocks", "media_transport": lambda: httpx.ASGITransport(app=quiet_world.app)}
    app, _ = library_app(quiet_world, fake=False, media=media)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        await change_type(pilot, editor, vocab.VIDEO_FROM_IMAGE)
        picker = await open_picker(pilot, app)
        thumb = picker.query_one("#thumb", PreviewBox)
        await wait_for(pilot, lambda: bool(thumb.query(".picture")), what="the B-ROLL output's thumbnail drawn")
        assert thumb.url is not None and thumb.url.endswith("900060.thumb.png")
        log = quiet_world.app.state.sim.world.media_log
        assert log and not any(entry[1] for entry in log)  # media requests carry no key


async def test_types_flicked_through_at_once_end_on_the_last_with_its_fields_and_nothing_crashes(quiet_world):
    """Swaps run one at a time and the last asked wins; fields are never drawn once removed."""
    app, _ = library_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        editor = await open_editor(pilot, app)
        choose = editor.query_one("#type", Select)
        for kind in (vocab.VIDEO_FROM_IMAGE, vocab.IMAGE_FROM_TEXT, vocab.VIDEO_FROM_IMAGE, vocab.TEXT):
            choose.value = kind  # no wait in between: as fast as key repeat
        await wait_for(pilot, lambda: editor.generation_type == vocab.TEXT and not editor.retyping
                       and bool(editor.query(f"#f-{_first(vocab.TEXT)}")), what="the text fields")
        await pilot.pause()
        assert not editor.query("#f-image_resource_id")  # no field of a type passed through is left
        for kind in (vocab.VIDEO_FROM_IMAGE, vocab.TEXT):  # there and straight back: it stays text
            choose.value = kind
        await wait_for(pilot, lambda: not editor.retyping and editor._wanted == vocab.TEXT, what="the swaps")
        await pilot.pause()
        assert editor.generation_type == vocab.TEXT and choose.value == vocab.TEXT
        assert not editor.query("#f-image_resource_id")
        assert app.screen is editor and app.return_code is None
