"""Monitor comforts through Pilot against the simulator: filter, sort, activity feed, API log,
notifications, export, spend history and the command palette."""

from __future__ import annotations

import csv
import json
from decimal import Decimal

from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.core.formatting import fmt_credits
from gentui.core.journal import Journal
from gentui.ui.notify import BEL, Notifier, clean, desktop_protocol, desktop_sequence
from gentui.ui.screens.export import ExportScreen
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.screens.spend import SpendScreen
from gentui.ui.widgets.feeds import ActivityPanel, ApiLogPanel, activity_text, api_log_text
from gentui.ui.widgets.filterbar import FilterBar, FilterInput
from gentui.ui.widgets.grid import EngineGrid

from .pilot import SIZE, World, goto, loaded, make_app, wait_for

NO_CONFIRM = Guards(confirm="costly", confirm_above=Decimal(100_000))


def shown_rows(app) -> list[str]:
    return [row.key.value for row in app.screen.query_one(EngineGrid).ordered_rows]


def rows_with(app, predicate) -> list[str]:
    state = app.session.state
    return [r for r in state.rows if any(predicate(c) for k, c in state.cells.items() if k[0] == r)]


async def start(pilot, app) -> None:
    await wait_for(pilot, lambda: loaded(app), what="engine and credits")
    await pilot.pause()


async def regenerate(pilot, app, generation_type: str = vocab.TEXT, row: int = 0):
    key = await goto(pilot, app, generation_type, row)
    await pilot.press("r")
    await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="new generation")
    return key


async def finish_all(pilot, app, world: World) -> None:
    """Let the simulated time run until nothing is in flight, and let the app see it."""
    world.clock.advance(900)
    app.wake_poller(engine=True, credits=True)
    await wait_for(pilot, lambda: not app.session.state.in_flight(), what="every generation ended")
    await pilot.pause()


# --- filter and sort ------------------------------------------------------------------------------------
async def test_failed_only_then_sort_finds_the_newest_failures_in_two_keystrokes():
    world = World(quiet=True, failure_rate=1.0)
    app = make_app(world, guards=NO_CONFIRM)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        key = await regenerate(pilot, app, vocab.TEXT, row=9)  # fails: this world fails every generation
        await finish_all(pilot, app, world)
        assert app.session.state.cells[key].status == "failed"
        failed_rows = rows_with(app, lambda c: c.status == "failed")
        assert len(failed_rows) == 3  # two seeded failures, hours old, and this one

        await pilot.press("F", "o")  # failed only, then sort by last change (newest first)
        await pilot.pause()
        assert sorted(shown_rows(app)) == sorted(failed_rows)
        assert shown_rows(app)[0] == key[0]
        status = str(app.screen.query_one("#filter-status").render())
        assert "failed only" in status and "3 of 14 rows" in status and "1 changed in the last hour" in status


async def test_the_filter_survives_refreshes_and_escape_clears_it(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("F")
        await pilot.pause()
        failed = rows_with(app, lambda c: c.status == "failed")
        assert shown_rows(app) == failed and len(failed) == 2
        rounds = app.poller.rounds
        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: app.poller.rounds > rounds, what="a poll")
        await app.session.load_engine()  # and one more whole-engine refresh, for sure
        await pilot.pause()
        assert shown_rows(app) == failed
        await pilot.press("escape")
        await pilot.pause()
        assert shown_rows(app) == list(app.session.state.rows)
        assert not app.screen.grid.view.filtering
        assert not app.screen.query_one(FilterBar).display


async def test_typed_filter_matches_text_status_and_column(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("slash")
        assert isinstance(app.focused, FilterInput)
        await pilot.press(*"col:b-roll is:failed")
        await pilot.pause()
        state = app.session.state
        broll = next(c.id for c in state.columns if c.title == "B-ROLL")
        expected = [r for r in state.rows if state.cells.get((r, broll)) and state.cells[(r, broll)].status == "failed"]
        assert shown_rows(app) == expected and len(expected) == 1
        assert app.screen.grid.visible_cells() == {(expected[0], broll)}
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.focused, EngineGrid)
        assert app.screen.query_one(EngineGrid).current_key[0] == expected[0]

        await pilot.press("slash")
        app.focused.value = "upstream"  # words match the failure reason too (typed like the above)
        await pilot.pause()
        reason_rows = rows_with(app, lambda c: c.latest is not None and "upstream" in c.latest.failed_reason.lower())
        assert shown_rows(app) == reason_rows
        await pilot.press("escape")  # in the input: clears and goes back to the grid
        await pilot.pause()
        assert shown_rows(app) == list(state.rows) and isinstance(app.focused, EngineGrid)

        await pilot.press("slash", *"zzq", "enter")
        await pilot.pause()
        assert shown_rows(app) == []
        assert "no row matches" in str(app.screen.query_one("#filter-status").render())
        await pilot.press("escape")
        await pilot.pause()
        assert len(shown_rows(app)) == len(state.rows)


async def test_in_flight_only_follows_the_work_as_it_ends(demo_world):
    app = make_app(demo_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        grid = app.screen.query_one(EngineGrid)
        rebuilds = []
        grid.rebuild = lambda *a, **k: rebuilds.append(a)  # the grid must be patched, never rebuilt, on a poll
        await pilot.press("I")
        await pilot.pause()
        busy = rows_with(app, lambda c: bool(c.in_flight))
        assert busy and shown_rows(app) == busy
        demo_world.clock.advance(3600)
        app.wake_poller(engine=True)
        await wait_for(pilot, lambda: not app.session.state.in_flight(), what="work ended")
        await wait_for(pilot, lambda: shown_rows(app) == [], what="rows hidden as their work ends")
        await app.session.load_engine()  # a whole-engine refresh with nothing shown: still no rebuild
        await pilot.pause()
        assert shown_rows(app) == [] and rebuilds == []
        await pilot.press("I")
        await pilot.pause()
        assert shown_rows(app) == list(app.session.state.rows)


async def test_sort_cycles_and_the_cursor_stays_on_its_cell(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        grid = app.screen.query_one(EngineGrid)
        state = app.session.state
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT, row=10)
        await pilot.press("o")  # last change
        await pilot.pause()
        assert app.screen.grid.view.sort == "last change"
        assert grid.current_key == key
        await pilot.press("o")  # status: failed rows first
        await pilot.pause()
        assert app.screen.grid.view.sort == "status"
        failed = rows_with(app, lambda c: c.status == "failed")
        assert set(shown_rows(app)[:2]) == set(failed)
        assert grid.current_key == key
        await pilot.press("o")  # cost: the costliest row first
        await pilot.pause()
        from gentui.core.rows import row_cost

        costs = [row_cost(state, r) for r in shown_rows(app)]
        assert costs == sorted(costs, reverse=True)
        assert grid.current_key == key
        await pilot.press("o")  # back to the sheet's order
        await pilot.pause()
        assert shown_rows(app) == list(state.rows)
        assert grid.current_key == key
        assert not app.screen.query_one(FilterBar).display


# --- activity feed and API log --------------------------------------------------------------------------
async def test_activity_feed_tells_every_event_newest_first(quiet_world):
    app = make_app(quiet_world, guards=NO_CONFIRM)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        panel = app.screen.query_one(ActivityPanel)
        assert not panel.display
        await pilot.press("a")
        await pilot.pause()
        assert panel.display
        key = await regenerate(pilot, app, vocab.TEXT)
        await finish_all(pilot, app, quiet_world)
        texts = app.screen.feeds.activity.texts()
        where = app.session.where(key)
        started = next(i for i, t in enumerate(texts) if "started" in t and where in t)
        completed = next(i for i, t in enumerate(texts) if t.startswith(f"{where} completed in"))
        assert completed < started  # newest first
        assert "connection ok" in texts
        await wait_for(pilot, lambda: where in str(panel.query_one(".feed-body").render()), what="panel redrawn")
        await pilot.press("a")
        await pilot.pause()
        assert not panel.display


async def test_activity_feed_says_when_credits_move_outside_this_session(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        balance = await quiet_world.balance()
        await quiet_world.post("credits", {"generic": str(balance - 120)})
        app.wake_poller(credits=True)
        await wait_for(pilot, lambda: any("outside this session" in t for t in app.screen.feeds.activity.texts()),
                       what="other spend noted")
        text = next(t for t in app.screen.feeds.activity.texts() if "outside this session" in t)
        assert text.startswith("credits: 120 spent outside this session")


def test_activity_feed_is_bounded_and_shows_server_text_as_text():
    from gentui.ui.widgets.feeds import ActivityLog

    log = ActivityLog(cap=10)
    for n in range(25):
        log.add(1_795_000_000.0 + n, f"event {n} [/] [bold]x\x1b[31m")
    assert len(log.entries) == 10 and log.texts()[0].startswith("event 24")
    text = activity_text(log)
    assert "[/] [bold]x" in text.plain and "\x1b" not in text.plain


async def test_api_log_shows_each_call_and_what_it_cost_never_the_key(quiet_world):
    app = make_app(quiet_world, guards=NO_CONFIRM)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("L")
        await pilot.pause()
        panel = app.screen.query_one(ApiLogPanel)
        assert panel.display
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        estimate = app.session.state.card(key).estimate()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="generation")
        await pilot.press("s")
        await wait_for(pilot, lambda: app.session.state.cells[key].status == "stopped", what="stopped")
        await pilot.pause()
        calls = app.screen.feeds.api_calls.newest()
        generate = next(c for c in calls if c.record.method == "POST" and c.record.path.split("?")[0].endswith("/generate"))
        stop = next(c for c in calls if c.record.method == "POST" and c.record.path.split("?")[0].endswith("/stop"))
        assert generate.record.status == 201 and generate.credits == estimate and generate.estimated
        assert stop.ok and stop.credits == -estimate
        assert all(c.credits is None for c in calls if c.record.method == "GET")
        assert app.screen.feeds.api_calls.spent() == app.session.ledger.session_spent == 0
        text = api_log_text(app.screen.feeds.api_calls).plain
        assert f"+{fmt_credits(estimate)} cr est." in text and f"−{fmt_credits(estimate)} cr" in text
        assert quiet_world.info["api_key"] not in text
        assert "GET" in text and "200" in text


async def test_api_log_shows_failed_calls_with_their_error_code(quiet_world):
    app = make_app(quiet_world, guards=NO_CONFIRM)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await quiet_world.post("credits", {"generic": "1.00"})
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: any(not c.ok for c in app.screen.feeds.api_calls.newest()), what="a refused call")
        refused = next(c for c in app.screen.feeds.api_calls.newest() if not c.ok)
        assert refused.record.status == 422 and refused.record.error_code == "insufficient_credits_for_job"
        assert refused.credits is None
        assert "insufficient_credits_for_job" in api_log_text(app.screen.feeds.api_calls).plain


async def test_panels_are_remembered(quiet_world):
    remembered: list[dict] = []
    app = make_app(quiet_world, on_layout=remembered.append, layout={"api_log": True})
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        assert app.screen.query_one(ApiLogPanel).display
        assert not app.screen.query_one(ActivityPanel).display
        await pilot.press("a")
        await pilot.pause()
        assert remembered[-1] == {"activity": True, "api_log": True}


# --- notifications --------------------------------------------------------------------------------------
def iterm(app) -> None:
    app.screen.notifier.env = {"TERM_PROGRAM": "iTerm.app"}


def test_desktop_notifications_only_where_the_terminal_shows_them():
    assert desktop_protocol({"TERM_PROGRAM": "iTerm.app"}) == "osc9"
    assert desktop_protocol({"TERM": "xterm-kitty"}) == "osc9"
    assert desktop_protocol({"TERM": "foot"}) == "osc777"
    assert desktop_protocol({"VTE_VERSION": "7600"}) == "osc777"
    assert desktop_protocol({"TERM": "xterm-256color"}) is None
    evil = "row 1 failed: \x1b]52;c;ZXZpbA==\x07\x9b;rm\u202e;x"
    seq = desktop_sequence("osc777", "gentui; failed", evil)
    assert seq.startswith("\x1b]777;notify;gentui, failed;") and seq.endswith("\x07")
    inner = seq[len("\x1b]777;notify;"):-1]
    assert inner.count(";") == 1 and "\x1b" not in inner and "\x07" not in inner and "\x9b" not in inner
    assert "\u202e" not in clean(evil)
    wrapped = desktop_sequence("osc9", "t", "b", tmux=True)
    assert wrapped == "\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\"


def test_the_notifier_follows_the_setting_and_does_not_ring_twice_a_second():
    now = [100.0]
    written: list[str] = []
    bell = Notifier("bell", write=written.append, env={"TERM": "foot"}, monotonic=lambda: now[0])
    assert bell.alert("gentui: completed", "row 1 VIDEO completed in 1m12s")
    assert not bell.alert("gentui: completed", "row 2 VIDEO completed")  # within min_gap
    assert bell.alert("gentui: batch finished", "3 ended", force=True)
    now[0] += 10
    assert bell.alert("gentui: failed", "row 3")
    assert written == bell.sent and written.count("\x07") == 3 and len(written) == 6
    assert not bell.toasts and bell.rings
    for mode, toasts, rings in (("toast", True, False), ("both", True, True), ("off", False, False)):
        n = Notifier(mode, env={})
        assert (n.toasts, n.rings) == (toasts, rings)
        assert n.alert("t", "b") is rings and n.sent == (["\x07"] if rings else [])


async def test_bell_and_desktop_notification_when_my_generation_completes(quiet_world):
    app = make_app(quiet_world, guards=NO_CONFIRM, notify="bell")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        iterm(app)
        key = await regenerate(pilot, app, vocab.VIDEO_FROM_TEXT)
        await finish_all(pilot, app, quiet_world)
        sent = app.screen.notifier.sent
        assert sent[0] == BEL
        assert sent[1].startswith("\x1b]9;gentui: completed: ") and sent[1].endswith(BEL)
        assert app.session.where(key) in sent[1]
        messages = " ".join(str(n.message) for n in app._notifications)
        assert "completed in" not in messages  # `bell`: no toast for it


async def test_toast_only_by_default_and_nothing_for_others_generations(demo_world):
    app = make_app(demo_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        iterm(app)
        await finish_all(pilot, app, demo_world)  # the seeded world's generations: not this session's
        assert app.screen.notifier.sent == []
        assert any("completed in" in t for t in app.screen.feeds.activity.texts())


async def test_failure_notification_is_sanitised_and_off_means_off():
    world = World(quiet=True, failure_rate=1.0)
    app = make_app(world, guards=NO_CONFIRM, notify="both")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        app.screen.notifier.env = {"TERM": "foot"}
        await regenerate(pilot, app, vocab.TEXT)
        await finish_all(pilot, app, world)
        sent = app.screen.notifier.sent
        assert sent[0] == BEL and sent[1].startswith("\x1b]777;notify;gentui: failed;")
        body = sent[1][len("\x1b]777;notify;gentui: failed;"):-1]
        assert ";" not in body and "\x1b" not in body and "\x07" not in body
        assert any("failed in" in str(n.message) for n in app._notifications)  # `both`: the toast too

    world = World(quiet=True)
    app = make_app(world, guards=NO_CONFIRM, notify="off")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        iterm(app)
        await regenerate(pilot, app, vocab.TEXT)
        await finish_all(pilot, app, world)
        assert app.screen.notifier.sent == []
        assert not any("completed in" in str(n.message) for n in app._notifications)


async def test_a_batch_ends_with_one_summary(quiet_world):
    app = make_app(quiet_world, guards=NO_CONFIRM, notify="both")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        iterm(app)
        state = app.session.state
        text_col = next(c.id for c in state.columns if c.generation_type == vocab.TEXT)
        keys = [(r, text_col) for r in list(state.rows)[:3]]
        from gentui.core.batch import plan_batch

        app.screen.mass.start_batch(plan_batch(app.session, app.actions, keys))
        await wait_for(pilot, lambda: app.screen.batch_bar.runner.state == "done", what="batch sent")
        await finish_all(pilot, app, quiet_world)
        await wait_for(pilot, lambda: any("batch finished" in t for t in app.screen.feeds.activity.texts()),
                       what="summary")
        summaries = [s for s in app.screen.notifier.sent if "batch finished" in s]
        assert len(summaries) == 1 and "3 generations ended (3 completed)" in summaries[0]
        assert not any("gentui: completed" in s for s in app.screen.notifier.sent)  # one summary, not 3 bells


# --- export, spend history, palette ---------------------------------------------------------------------
async def test_export_key_writes_the_whole_history_as_csv_and_json(quiet_world, tmp_path):
    app = make_app(quiet_world, export_dir=str(tmp_path / "elsewhere"))
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="export dialog")
        from textual.widgets import Input

        assert app.screen.query_one("#export-folder", Input).value == str(tmp_path / "elsewhere")
        app.screen.query_one("#export-folder", Input).value = str(tmp_path)
        await pilot.press("b")
        main = app.main
        await wait_for(pilot, lambda: len(main.views.exported) == 2, what="two files")
        csv_path, json_path = main.views.exported
        assert csv_path.parent == tmp_path and csv_path.suffix == ".csv" and json_path.suffix == ".json"
        records = json.loads(json_path.read_text())
        rows = list(csv.DictReader(csv_path.open()))
        jobs = {j.id for c in app.session.state.cells.values() for j in c.jobs}
        assert {r["generation_id"] for r in records} == {r["generation_id"] for r in rows} == jobs
        assert all(r["execution_cost"] for r in rows if r["status"] == "completed")
        assert any("exported" in str(n.message) for n in app._notifications)


async def test_spend_history_lists_what_this_machine_sent(quiet_world, tmp_path):
    journal = Journal(tmp_path / "journal.sqlite3")
    app = make_app(quiet_world, guards=NO_CONFIRM, journal=journal, base_url="http://sim/v1")
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        estimate = app.session.state.card(key).estimate()
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight)
        app.main.views.open_spend()
        await wait_for(pilot, lambda: isinstance(app.screen, SpendScreen), what="spend screen")
        await pilot.pause()
        assert [(e, n, c) for _, e, n, c in app.screen.rows] == [(app.session.engine_id, 1, estimate)]
        totals = str(app.screen.query_one("#spend-totals").render())
        assert "Total" in totals and "1 generations" in totals
        await pilot.press("escape")
        await pilot.pause()
        assert not isinstance(app.screen, SpendScreen)


async def test_palette_offers_what_makes_sense_now_with_its_key(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.TEXT)  # a completed text cell: nothing in flight, nothing stopped
        titles = [c.title for c in app.get_system_commands(app.screen)]
        for wanted in ("Regenerate (r)", "Failed only (F)", "Filter (/)", "Sort (o)", "API log (L)", "Activity (a)",
                       "Export (x)", "Spend history", "Mark (space)", "Copy output (y)"):
            assert wanted in titles, wanted
        assert "Stop (s)" not in titles and "Continue (c)" not in titles and "Clear marks (U)" not in titles
        stopped = next(k for k, c in app.session.state.cells.items() if c.status == "stopped")
        grid = app.screen.query_one(EngineGrid)
        grid.move_cursor(row=grid.get_row_index(stopped[0]),
                         column=grid.get_column_index(stopped[1]), animate=False)
        await pilot.pause()
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Continue (c)" in titles and "Stop (s)" not in titles

        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"failed only")
        await wait_for(pilot, lambda: "Failed only" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt),
                       what="the palette found it")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.screen.grid.view.failed_only, what="failed only from the palette")


async def test_palette_in_readonly_mode_offers_nothing_that_spends(quiet_world):
    app = make_app(quiet_world, guards=Guards(readonly=True))
    async with app.run_test(size=SIZE) as pilot:
        await start(pilot, app)
        await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        titles = " ".join(c.title for c in app.get_system_commands(app.screen))
        for word in ("Regenerate", "Edit & regenerate", "Stop", "Continue", "Render", "Mass regenerate"):
            assert f"{word} (" not in titles
        assert "Export (x)" in titles and "Filter (/)" in titles
        assert not isinstance(app.screen, ConfirmScreen)
