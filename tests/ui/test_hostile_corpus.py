"""The hostile corpus (tests/data/hostile.json) pushed through every widget of the running app.

The simulator serves an engine where every field the UI shows is hostile (`gentui.sim.hostile`).
For every screen state we render what the terminal would receive (the compositor's update, as
`App._display` would write it) and check: the only escape sequences are Textual's own (colours and
cursor moves: no OSC, no hyperlink, no clipboard write, no title change), no text segment carries a
C0/C1 control character, markup is shown literally, and long strings were cut before the widgets.
"""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
from rich.text import Text
from textual.widgets import DataTable, Input, TextArea

from gentui.api import vocab
from gentui.api.client import GenClient
from gentui.core.actions import Guards
from gentui.sim.hostile import add_hostile_engine
from gentui.ui.app import GentuiApp
from gentui.ui.launch import Launch
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.export import ExportScreen
from gentui.ui.screens.modals import HelpScreen
from gentui.ui.widgets.detail import CellDetail, HistoryTable
from gentui.ui.widgets.grid import EngineGrid
from gentui.ui.widgets.header import CreditsHeader

from .pilot import FROZEN_NOW, World, no_sleep, terminal_output, wait_for

CORPUS = json.loads((Path(__file__).parent.parent / "data" / "hostile.json").read_text())
SIZES = [(120, 40), (80, 24)]

#: what Textual itself writes: SGR colours, cursor moves and modes; anything else came from the data
_TEXTUAL_CONTROL = re.compile(r"\x1b\[[0-9;?]*[mHJKlhABCDG]")
_CONTROL = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
CELL_LIMIT = 400  # characters a grid or history cell may hold
CARD_LIMIT = 20_000  # characters the detail card may hold (prompts are cut at a few thousand)


class HostileErrors(httpx.AsyncBaseTransport):
    """The simulator, except that methods in `fail` answer a 422 whose message is hostile."""

    def __init__(self, app: Any) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.fail: set[str] = set()
        self.message = "".join(CORPUS["strings"][k] for k in ("markup_click", "osc52_clipboard", "ansi_sgr",
                                                              "c1_csi", "rtl_override", "nul"))

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        if request.method in self.fail:
            body = {"error": self.message + "x" * 5000, "error_code": CORPUS["strings"]["markup_bold"]}
            return httpx.Response(422, json=body, request=request)
        return await self.inner.handle_async_request(request)


def busy_workers(app: GentuiApp) -> list[str]:
    """Workers still running, the poller's aside (it watches for as long as the app runs)."""
    return [w.name for w in app.workers if w.group != "poller" and not w.is_finished]


async def settle(pilot, what: str) -> None:
    """What the last key did is done: the top screen is mounted and no worker but the poller runs."""
    app = pilot.app
    await wait_for(pilot, lambda: app.screen.is_mounted and not busy_workers(app), what=what)
    await pilot.pause()


def hostile_app(tmp_path: Path, size_note: str = "") -> tuple[GentuiApp, World, HostileErrors]:
    world = World(quiet=True)
    engine_id = add_hostile_engine(world.app.state.sim, CORPUS)
    transport = HostileErrors(world.app)
    client = GenClient("http://sim/v1", world.info["api_key"], transport=transport, sleep=no_sleep)
    app = GentuiApp(Launch(client=client, agent_id=str(world.info["agent_id"]), engine_id=str(engine_id),
                           guards=Guards(confirm="always"), clock=lambda: FROZEN_NOW, tick_interval=None,
                           export_dir=str(tmp_path), engine_names={str(engine_id): CORPUS["strings"]["osc_title"]}))
    return app, world, transport


def check_screen(app: GentuiApp, where: str) -> str:
    """Assert the terminal would receive nothing from the server but plain text; returns that text."""
    raw = terminal_output(app)
    leftover = _TEXTUAL_CONTROL.sub("", raw)
    assert "\x1b" not in leftover, f"{where}: escape reaches the terminal: {leftover[leftover.index(chr(27)) - 20:][:60]!r}"
    assert not _CONTROL.search(leftover.replace("\r", "").replace("\n", "")), \
        f"{where}: control character reaches the terminal: {_CONTROL.search(leftover)!r}"
    for bad in ("\x9b", "\x9d", "\x07", "\x00", "\u202e"):
        assert bad not in raw, f"{where}: {bad!r} in the output"
    svg = app.export_screenshot()
    assert "\x1b" not in svg and "\x07" not in svg and "\x9b" not in svg, where
    assert app.is_running, f"{where}: the app stopped (markup ran an action?)"
    return leftover


def plain(value: Any) -> str:
    return value.plain if isinstance(value, Text) else str(value)


def table_cells_bounded(table: DataTable, limit: int) -> None:
    for row in range(table.row_count):
        for value in table.get_row_at(row):
            text = plain(value)
            assert len(text) <= limit, f"{type(table).__name__} cell of {len(text)} characters"
            assert not _CONTROL.search(text.replace("\n", "")), f"control char in a table cell: {text[:80]!r}"


async def visit_every_cell(pilot, app: GentuiApp, columns: range | None = None) -> None:
    grid = app.screen.query_one(EngineGrid)
    state = app.session.state
    detail = app.screen.query_one(CellDetail)
    for row in range(len(state.rows)):
        for column in columns or range(len(state.columns)):
            grid.move_cursor(row=row, column=column + 1, animate=False)
            await pilot.pause()
            await wait_for(pilot, lambda: detail.cell is not None, what="detail")
            card = plain(app.screen.query_one("#card").render())
            assert len(card) <= CARD_LIMIT, f"detail card of {len(card)} characters"
            table_cells_bounded(app.screen.query_one(HistoryTable), CELL_LIMIT)
        check_screen(app, f"row {row}")


async def test_the_hostile_corpus_goes_through_every_widget_without_reaching_the_terminal(tmp_path):
    app, world, transport = hostile_app(tmp_path)
    async with app.run_test(size=(120, 40), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.state.loaded
                       and app.session.ledger.organization_name and app.screen.query_one(EngineGrid).row_count > 0,
                       timeout=60, what="hostile engine loaded and drawn")
        state = app.session.state
        assert len(state.rows) == len(CORPUS["strings"]) + 1
        grid = app.screen.query_one(EngineGrid)
        table_cells_bounded(grid, CELL_LIMIT)
        # rows in the table are not yet rows on screen: wait for the frame that draws them
        await wait_for(pilot, lambda: "[@click=app" in terminal_output(app), what="the grid's rows drawn")
        text = check_screen(app, "grid")
        assert "[/]" in text and "[@click=app.quit]" in text or "[@click=app" in text  # markup shown literally
        assert "␛" in text  # escapes made visible
        header = plain(app.screen.query_one(CreditsHeader).render())
        assert len(header) < 1000 and "[/]" in header

        # unknown statuses and generation types are shown as unknown, not guessed
        assert state.counts().get("unknown", 0) >= 1 or any(
            j.status not in (*vocab.IN_FLIGHT_STATUSES, *vocab.TERMINAL_STATUSES)
            for c in state.cells.values() for j in c.jobs)

        await visit_every_cell(pilot, app)

        # a generation fails live with a hostile reason: a notice in the activity feed
        sim = world.app.state.sim
        cell = next(c for c in sim.world.cells.values() if c.engine_id == int(app.session.engine_id))
        made = sim.world.create(cell, "text", "gpt_4o_mini", {"prompt": "x"}, Decimal(1), sim.time)
        made.fails, made.failed_reason = True, HostileErrors(world.app).message
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: str(made.id) in {j.id for _, j in app.session.state.in_flight()}, what="in flight")
        world.clock.advance(600)
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: any("␛]52" in t for t in app.main.feeds.activity.texts()), what="failure notice")

        # the history table, focused, and each of its rows
        grid.move_cursor(row=0, column=1, animate=False)
        await pilot.pause()
        await pilot.press("enter")
        history = app.screen.query_one(HistoryTable)
        await wait_for(pilot, lambda: history.has_focus and history.row_count >= 4, what="history")
        for _ in range(history.row_count):
            await pilot.press("down")
        check_screen(app, "history")
        await pilot.press("escape")

        # the feeds: activity and the API log (which holds the hostile error messages below)
        await pilot.press("a")
        await pilot.press("L")
        await pilot.pause()
        check_screen(app, "feeds")

        # the filter bar, with markup typed in
        await pilot.press("/")
        await wait_for(pilot, lambda: isinstance(app.focused, Input), what="filter input")
        await pilot.press(*"[/]")
        await wait_for(pilot, lambda: isinstance(app.focused, Input) and app.focused.value == "[/]", what="typed")
        await settle(pilot, "the filter applied")
        check_screen(app, "filter")
        await pilot.press("escape")
        await pilot.press("escape")
        await pilot.press("F", "o", "I")
        await pilot.pause()
        check_screen(app, "monitor toggles")
        await pilot.press("I", "F")

        # help and the widget help toast
        await pilot.press("question_mark")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen), what="the help screen")
        await settle(pilot, "the help screen drawn")
        check_screen(app, "help")
        await pilot.press("escape")
        await pilot.press("f1")
        await pilot.pause()
        check_screen(app, "f1")

        # the card editor shows the hostile card; the confirm dialog shows hostile titles
        grid.focus()
        grid.move_cursor(row=0, column=1, animate=False)
        await pilot.pause()
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, CardEditor), what="the card editor")
        await settle(pilot, "the card editor drawn")
        check_screen(app, "card editor")
        await pilot.press("escape")
        await wait_for(pilot, lambda: app.screen is app.main, what="the card editor closed")
        await settle(pilot, "the main screen back")
        for column in range(1, len(state.columns) + 1):
            grid.focus()
            grid.move_cursor(row=1, column=column, animate=False)
            await pilot.press("r")
            await settle(pilot, f"the regenerate dialog or refusal, column {column}")
            check_screen(app, f"regenerate column {column}")
            await pilot.press("y" if column == 2 else "escape")  # the server refuses the hostile model: a toast
            await wait_for(pilot, lambda: app.screen is app.main, what=f"the dialog closed, column {column}")
            await settle(pilot, f"the regenerate answered, column {column}")
            check_screen(app, f"after regenerate column {column}")

        # the value editor (server text in a TextArea), then a hostile error message as a toast
        grid.focus()
        grid.move_cursor(row=len(state.rows) - 1, column=1, animate=False)
        await pilot.pause()
        await pilot.press("i")
        await settle(pilot, "the value editor or its refusal")
        editors = app.screen.query(TextArea)
        if editors:
            assert len(editors.first().text) <= 100_000 + 100
            check_screen(app, "value editor")
            editors.first().text = "edited"
            transport.fail = {"PATCH", "POST"}
            await pilot.press("ctrl+s")
            await wait_for(pilot, lambda: any("␛]52" in n.message for n in app._notifications), what="error toast")

            def toast_drawn() -> bool:  # the notification exists before its toast is on the screen
                drawn = _TEXTUAL_CONTROL.sub("", terminal_output(app))
                return "[@click=app.quit]" in drawn and "edit_value:" in drawn

            await wait_for(pilot, toast_drawn, what="the error toast drawn")
            shown = check_screen(app, "error toast")
            assert "[@click=app.quit]" in shown and "edit_value:" in shown  # the server's message, literally
        else:
            check_screen(app, "edit value refused")
            await pilot.press("escape")

        # a hostile answer to every GET: the header's degraded state carries the message
        transport.fail = {"GET"}
        app.wake_poller(engine=True, credits=True)
        await wait_for(pilot, lambda: app.session.connection != "ok", what="degraded")
        await wait_for(pilot, lambda: app.screen.query_one(CreditsHeader).data.connection != "ok",
                       what="the header degraded")
        await settle(pilot, "the degraded header drawn")
        check_screen(app, "degraded header")
        transport.fail = set()

        # export: the dialog shows the hostile engine title; the files are written
        grid.focus()
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        await settle(pilot, "the export dialog drawn")
        check_screen(app, "export dialog")
        await pilot.press("b")
        await wait_for(pilot, lambda: len(app.main.views.exported) == 2, timeout=30, what="exported")
        check_screen(app, "exported")
        assert all(path.exists() for path in app.main.views.exported)
    await world.admin.aclose()


async def test_the_hostile_grid_is_clean_at_80x24(tmp_path):
    app, world, _ = hostile_app(tmp_path)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await wait_for(pilot, lambda: app.session is not None and app.session.state.loaded
                       and app.session.ledger.organization_name and app.screen.query_one(EngineGrid).row_count > 0,
                       timeout=60, what="loaded and drawn")
        await settle(pilot, "the grid drawn")
        check_screen(app, "80x24 grid")
        # every row scrolled through at 80x24 (the 120x40 test visits every cell's detail)
        await visit_every_cell(pilot, app, columns=range(len(app.session.state.columns) - 1, -1, -3))
    await world.admin.aclose()


def test_the_corpus_covers_every_kind_of_hostile_content():
    strings = CORPUS["strings"]
    joined = "".join(strings.values())
    for needle in ("[/]", "[@click=", "\x1b[", "\x1b]52;", "\x1b]0;", "\x1b]2;", "\x9b", "\x9d", "\x07", "\x00",
                   "\x7f", "\x85", "\u202e", "\u2066", "\u200d", "\u0301"[:0] or "\u0337", "\u751f"):
        assert needle in joined, f"the corpus lacks {needle!r}"
    assert max(CORPUS["big_lengths"]) >= 1_000_000
    assert None in CORPUS["odd_values"] and "42.50" in CORPUS["odd_values"] and 42 in CORPUS["odd_values"]
    assert CORPUS["unknown_statuses"] and CORPUS["unknown_generation_types"] and CORPUS["models"]
