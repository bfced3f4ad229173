"""Takes in the cockpit, with Pilot against the in-process simulator: the selected take's detail (its own
model and prompt after an edit), compare (differences marked), rewind (the POST carries the old take's card
with one change), previews (hostile images never crash or stall keys; media requests carry no API key)."""

from __future__ import annotations

import asyncio
import shlex
import sys
from decimal import Decimal

import httpx
from textual.widgets import DataTable, Input, Select, Static, TextArea

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.core.take_diff import Segment
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.compare import CompareScreen
from gentui.ui.screens.preview import PreviewScreen
from gentui.ui.widgets.preview import PreviewBox
from gentui.ui.widgets.take_detail import TakePanel

from ..pngs import hostile, png
from .pilot import SIZE, goto, loaded, make_app, wait_for

NO_ASK = Guards(confirm="costly", confirm_above=Decimal(100_000), low_balance_warning=Decimal(0))


async def edit_and_send(pilot, app, key, *, model: str | None = None, prompt: str | None = None,
                        duration: str | None = None) -> str:
    """`e`, change the given fields, ctrl+s; returns the new take's id once the cell shows it."""
    before = {j.id for j in app.session.state.cells[key].jobs}
    await pilot.press("e")
    await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="the card editor")
    if model is not None:
        app.screen.query_one("#f-model", Select).value = model
    if prompt is not None:
        app.screen.query_one("#f-prompt", TextArea).text = prompt
    if duration is not None:
        app.screen.query_one("#f-duration", Input).value = duration
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: not isinstance(app.screen, CardEditor), what="the editor closed")
    await wait_for(pilot, lambda: {j.id for j in app.session.state.cells[key].jobs} - before, what="the new take")
    return next(iter({j.id for j in app.session.state.cells[key].jobs} - before))


async def finish(pilot, app, world, key) -> None:
    """Let the simulator finish the cell's work, and the app see it (the next edit then asks nothing)."""
    world.clock.advance(3600)
    await app.session.load_cell(key)
    await wait_for(pilot, lambda: not app.session.state.cells[key].in_flight, what="the take finished")
    app.main.grid.focus()
    await pilot.pause()


async def select_take(pilot, app, job_id: str) -> None:
    history = app.main.history
    history.focus()
    await wait_for(pilot, lambda: job_id in [r.value for r in history.rows], what="the take in the history")
    history.move_cursor(row=[r.value for r in history.rows].index(job_id), animate=False)
    await wait_for(pilot, lambda: panel(app).take is not None and panel(app).take.job.id == job_id,
                   what="the take panel on the selected take")


def panel(app) -> TakePanel:
    return app.main.detail.query_one(TakePanel)


def panel_text(app) -> str:
    return str(panel(app).query_one("#take-text", Static).render())


async def test_an_older_take_shows_its_own_model_and_prompt_after_the_card_was_edited(quiet_world):
    app = make_app(quiet_world, guards=NO_ASK)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        seeded = app.session.state.cells[key].latest
        seeded_model = app.session.state.card(key).model
        first = await edit_and_send(pilot, app, key, model="sora_2", prompt="a lighthouse at dusk")
        await finish(pilot, app, quiet_world, key)
        second = await edit_and_send(pilot, app, key, model="veo_3_1_fast", prompt="a harbour at dawn")
        await finish(pilot, app, quiet_world, key)
        await select_take(pilot, app, first)
        text = panel_text(app)
        assert "sora_2" in text and "a lighthouse at dusk" in text and "sent from this machine" in text
        assert "veo_3_1_fast" not in text and "harbour" not in text
        history = app.main.history
        models = {str(r.value): str(history.get_cell(r.value, "model")) for r in history.rows}
        assert models[first] == "sora_2" and models[second] == "veo_3_1_fast"
        assert models[seeded.id] == seeded_model  # the bug: it read "—" once a newer take existed
        await select_take(pilot, app, seeded.id)
        assert "server and cell attributes" in panel_text(app)


async def test_compare_shows_two_takes_with_the_differences_marked_and_pins_one(quiet_world):
    app = make_app(quiet_world, guards=NO_ASK)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        first = await edit_and_send(pilot, app, key, model="sora_2", prompt="a red fox at dusk", duration="8")
        await finish(pilot, app, quiet_world, key)
        second = await edit_and_send(pilot, app, key, model="sora_2", prompt="a grey fox at dusk", duration="10")
        await finish(pilot, app, quiet_world, key)
        await select_take(pilot, app, first)
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: isinstance(app.screen, CompareScreen) and bool(app.screen.diffs),
                       what="the comparison")
        screen = app.screen
        assert (screen.left_id, screen.right_id) == (first, second)  # the selected take vs the displayed one
        diffs = {d.name: d for d in screen.diffs}
        assert diffs["prompt"].words == (Segment("same", "a "), Segment("removed", "red"),
                                         Segment("added", "grey"), Segment("same", " fox at dusk"))
        assert not diffs["duration"].same and diffs["model"].same
        left = str(screen.query_one("#text-left", Static).render())
        assert "≠ prompt" in left and "  model: sora_2" in left
        # `=` on another take in the list swaps it in on the left
        table = screen.query_one("#compare-takes", DataTable)
        table.move_cursor(row=[r.value for r in table.rows].index(second), animate=False)
        await pilot.press("equals_sign")
        await wait_for(pilot, lambda: screen.left_id == second, what="the other take swapped in")
        assert screen.right_id == first
        await pilot.press("2")  # pin the right one: the pin action's own path (set_default_user_job)
        await wait_for(pilot, lambda: app.session.state.cells[key].displayed_id == first, what="the pinned take")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, CompareScreen), what="back from the comparison")


async def test_rewind_sends_the_old_takes_card_with_the_one_change(quiet_world):
    app = make_app(quiet_world, guards=NO_ASK)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        first = await edit_and_send(pilot, app, key, model="sora_2", prompt="take three: a lighthouse", duration="8")
        await finish(pilot, app, quiet_world, key)
        await edit_and_send(pilot, app, key, model="veo_3_1_fast", prompt="something else entirely", duration="8")
        await finish(pilot, app, quiet_world, key)
        await select_take(pilot, app, first)
        rewound = await edit_and_send(pilot, app, key, duration="10")  # "like take 3, but 10 s"
        world = quiet_world.app.state.sim.world
        old, new = world.generations[int(first)].data, world.generations[int(rewound)].data
        assert new == {**old, "duration": 10}, (old, new)
        assert new["model"] == "sora_2" and new["prompt"] == "take three: a lighthouse"


# --- previews -----------------------------------------------------------------------------------------------
class Media:
    """A media host for the app's media client: what each URL answers, and every request it got."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.release = asyncio.Event()

    async def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        name = request.url.path.rsplit("/", 1)[-1]
        if name == "slow.png":
            await self.release.wait()
        if name in ("truncated", "huge", "wrong_type", "svg", "bomb"):
            return hostile(name)
        return httpx.Response(200, headers={"Content-Type": "image/png"}, content=png(16, 16))

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self.handle)


async def test_hostile_images_never_crash_and_keys_answer_while_a_fetch_hangs(quiet_world):
    media = Media()
    app = make_app(quiet_world, previews="blocks", media_transport=media.transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        fetcher = app.main.takes.fetcher
        box = app.main.detail.query_one("#take-preview", PreviewBox)
        box.show("https://cdn.test/slow.png", fetcher, "blocks")
        await wait_for(pilot, lambda: any(r.url.path.endswith("slow.png") for r in media.requests), what="the fetch")
        shown = app.main.feeds.display
        await pilot.press("a")  # the activity toggle answers while the fetch hangs
        await wait_for(pilot, lambda: app.main.feeds.display != shown, what="the key's effect")
        reasons = {}
        for kind in ("truncated", "huge", "wrong_type", "svg", "bomb"):
            box.show(f"https://cdn.test/{kind}", fetcher, "blocks")
            await wait_for(pilot, lambda: bool(box.problem), timeout=20, what=f"the {kind} reason")
            reasons[kind] = box.problem
            assert not box.query(".picture")
        assert reasons["truncated"].startswith("a broken image")
        assert reasons["huge"] == "larger than 8 MB: not fetched"
        assert reasons["wrong_type"].startswith("not an image gentui draws")
        assert reasons["svg"].startswith("an SVG image is not drawn")
        assert reasons["bomb"].endswith("too large to draw")  # Pillow's own bomb check, or ours past 40 MP
        media.release.set()
        key = app.main.grid.current_key
        await pilot.press("j")  # still answering
        await wait_for(pilot, lambda: app.main.grid.current_key != key, what="the cursor moved")


async def test_a_preview_is_drawn_and_media_requests_carry_no_api_key(quiet_world):
    media = Media()
    app = make_app(quiet_world, previews="blocks", media_transport=media.transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        box = app.main.detail.query_one("#take-preview", PreviewBox)
        await wait_for(pilot, lambda: bool(box.query(".picture")), what="a picture in the take panel")
        assert media.requests
        api_key = quiet_world.info["api_key"]
        for request in media.requests:
            names = {k.lower() for k in request.headers}
            assert not names & {"x-api-key", "authorization", "cookie"}, names
            assert api_key not in str(request.url) and api_key not in " ".join(request.headers.values())
        app.main.history.focus()
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, PreviewScreen), what="the full-screen preview")
        big = app.screen.query_one(PreviewBox)
        await wait_for(pilot, lambda: bool(big.query(".picture")), what="the big picture")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, PreviewScreen), what="back")
        assert app.main.grid.current_key == key


async def test_open_runs_open_command_on_a_take_and_o_still_sorts_on_the_grid(quiet_world, tmp_path):
    out = tmp_path / "opened.txt"
    write = "import sys; open(sys.argv[1], 'w').write(sys.argv[2])"
    command = f"{shlex.quote(sys.executable)} -c {shlex.quote(write)} {shlex.quote(str(out))} {{url}}"
    app = make_app(quiet_world, open_command=command)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        sort = app.main.grid.view.sort
        await pilot.press("o")  # on the grid: sort
        await wait_for(pilot, lambda: app.main.grid.view.sort != sort, what="the sort changed")
        key = app.main.grid.current_key
        job = app.session.state.cells[key].displayed
        await select_take(pilot, app, job.id)
        await pilot.press("o")  # on the history table: open
        await wait_for(pilot, lambda: out.exists() and out.read_text() != "", what="open_command ran")
        assert out.read_text() == job.urls[0]


async def test_open_without_a_display_copies_the_link_and_shows_it(quiet_world, monkeypatch):
    for name in ("DISPLAY", "WAYLAND_DISPLAY", "TMUX"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        job = app.session.state.cells[key].displayed
        await select_take(pilot, app, job.id)
        await pilot.press("o")
        await wait_for(pilot, lambda: any(str(n.message) == job.urls[0] for n in app._notifications),
                       what="the link shown")
        assert app.clipboard == job.urls[0]


async def test_previews_off_fetches_no_media(quiet_world):
    media = Media()
    app = make_app(quiet_world, previews="off", media_transport=media.transport)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        await goto(pilot, app, vocab.IMAGE_FROM_TEXT)
        await wait_for(pilot, lambda: panel(app).take is not None, what="the take panel")
        job_id = panel(app).take.job.id
        await wait_for(pilot, lambda: job_id in app.main.takes.generations, what="the take's full generation")
        await pilot.pause()
        assert app.main.takes.fetcher is None and media.requests == []
        assert not app.main.detail.query_one("#take-preview", PreviewBox).display
