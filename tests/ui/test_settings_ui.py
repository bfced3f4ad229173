"""Settings as a person meets them in the app: the palette's theme remembered, a remapped key after a restart,
`--readonly` refusing every key that spends, stops or edits, `NO_COLOR`, and `mouse = false`."""

from __future__ import annotations

import asyncio
import io
import re
import stat
from pathlib import Path

import httpx
import pytest
from textual.command import CommandList, CommandPalette

from gentui.action_table import MUTATING_IDS, effective_keys
from gentui.api import vocab
from gentui.cli import _cockpit_parser, main
from gentui.core.actions import Guards
from gentui.core.journal import Journal
from gentui.settings import Paths, read_config_dict
from gentui.ui.app import GentuiApp
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.themes import load_themes

from .pilot import SIZE, World, crashed_gentuis_journal, goto, loaded, make_app, wait_for

#: CONTRACTS.md section 3: every binding that spends, stops or edits
CONTRACT_MUTATING = {"regenerate", "edit_regenerate", "edit_value", "stop", "continue", "pin", "render",
                     "mass_regenerate", "bulk_stop"}
#: what Rich draws around every SVG screenshot (window buttons, default text), whatever the app does
SVG_CHROME = {"#ff5f57", "#febc2e", "#28c840", "#c5c8c6"}


@pytest.fixture
def sim():
    """A simulator over real HTTP (what `gentui login` and the cockpit talk to), its lifecycle frozen."""
    from gentui.sim.options import SimOptions
    from gentui.sim.server import serve_in_thread

    with serve_in_thread(SimOptions(quiet=True)) as server:
        httpx.post(f"{server.root_url}/_sim/speed", json={"speed": 0})
        server.world = httpx.get(f"{server.root_url}/_sim/world").json()
        yield server


def cockpit(*argv: str) -> GentuiApp:
    """The app exactly as `gentui ARGV` builds it (settings, state, themes, callbacks)."""
    from gentui.commands.cockpit import build_launch

    return GentuiApp(build_launch(_cockpit_parser().parse_args(list(argv))))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


async def pick_theme_in_the_palette(pilot, app: GentuiApp, name: str) -> None:
    """ctrl+p, "theme", Enter, the theme's name, Enter: what a person types."""
    for query in ("theme", name):
        if query == "theme":
            await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette), what="the command palette")
        await pilot.press(*query)

        def best_match(query: str = query) -> bool:
            results = app.screen.query_one(CommandList)
            if results.highlighted is None:
                return False
            prompt = str(results.get_option_at_index(results.highlighted).prompt)
            return prompt.lower().startswith(query)

        await wait_for(pilot, best_match, what=f"{query!r} at the top of the palette")
        await pilot.press("enter")
    await wait_for(pilot, lambda: app.theme == name and not isinstance(app.screen, CommandPalette),
                   what=f"theme {name}")


# --- the palette's theme is remembered ------------------------------------------------------------------------
async def test_a_theme_picked_in_the_palette_is_saved_and_used_at_the_next_start(home: Paths, sim) -> None:
    home.config.parent.mkdir(parents=True)
    home.config.write_text(
        "# my settings\n"
        f'base_url = "{sim.base_url}"\napi_key = "{sim.world["api_key"]}"\n'
        f'agent_id = "{sim.world["agent_id"]}"\nengine_id = "{sim.world["engine_ids"][0]}"\n'
        'poll_interval = 3\nconfirm = "costly"\n[keymap]\nquit = "ctrl+q,q"\n[engines]\n7 = "Seven"\n')
    home.config.chmod(0o600)
    before = read_config_dict(home)

    app = cockpit()
    assert app.launch.theme == "gentui-dark"
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pick_theme_in_the_palette(pilot, app, "gentui-light")
        await wait_for(pilot, lambda: read_config_dict(home).get("theme") == "gentui-light", what="the write")
    assert read_config_dict(home) == {**before, "theme": "gentui-light"}  # every other key as it was
    assert mode(home.config) == 0o600

    written = home.config.stat().st_mtime_ns
    again = cockpit()
    assert again.launch.theme == "gentui-light"
    async with again.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(again), what="engine and credits")
        assert again.theme == "gentui-light" and again.current_theme.dark is False
    assert home.config.stat().st_mtime_ns == written  # starting with it does not rewrite the file


# --- themes that cannot be used, and what --demo takes from the user's files -----------------------------------
async def test_a_broken_user_theme_is_skipped_with_a_toast_and_the_default_theme_used(home: Paths) -> None:
    home.themes.mkdir(parents=True)
    (home.themes / "mine.toml").write_text('name = "mine"\nprimary = "blurple"\n')
    home.config.write_text('theme = "mine"\nagent_id = "999"\nengine_id = "999"\n'  # --demo ignores these two
                           'base_url = "https://api.example.com/v1"\napi_key = "not-for-the-demo-1234"\n')
    home.config.chmod(0o600)
    before = home.config.read_bytes()
    app = cockpit("--demo")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="the demo engine, whatever config.toml says")
        assert app.theme == "gentui-dark"
        shown = notes(app)
        assert f"theme skipped: {home.themes / 'mine.toml'}: 'primary' is not a colour: 'blurple'" in shown
        assert "theme 'mine' is not available; using gentui-dark" in shown
        await pick_theme_in_the_palette(pilot, app, "gentui-light")
    assert home.config.read_bytes() == before  # the demo reads config.toml, never writes it


# --- "done means": login, a theme from the palette, stop remapped to z; all three remembered ------------
async def test_login_theme_and_remapped_stop_are_all_remembered_next_time(home: Paths, sim, capsys,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    engine_id = str(sim.world["engine_ids"][0])
    monkeypatch.setattr("sys.stdin", io.StringIO(sim.world["api_key"] + "\n"))
    login = ["login", "--key-stdin", "--base-url", sim.base_url]
    assert await asyncio.to_thread(main, login) == 0, capsys.readouterr().err

    first = cockpit("--engine", engine_id)  # the first time a person picks the engine
    async with first.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(first), what="engine and credits with the stored key")
        await pick_theme_in_the_palette(pilot, first, "gentui-high-contrast")
        await wait_for(pilot, lambda: read_config_dict(home).get("theme") == "gentui-high-contrast",
                       what="the theme written")
        await pilot.press("q")
    assert main(["config", "set", "keymap.stop", "z"]) == 0
    capsys.readouterr()

    assert read_config_dict(home) == {"api_key": sim.world["api_key"], "base_url": sim.base_url,
                                      "theme": "gentui-high-contrast", "keymap": {"stop": "z"}}
    assert mode(home.config) == 0o600

    app = cockpit()  # next time: no option at all
    assert (app.launch.engine_id, app.launch.theme, app.launch.keymap) == (engine_id, "gentui-high-contrast",
                                                                          {"stop": "z"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        assert app.theme == "gentui-high-contrast"
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the regenerate dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="a running generation")
        await pilot.press("s")
        await pilot.pause()  # the key is handled in order: a stop dialog would be on the stack by now
        assert not isinstance(app.screen, ConfirmScreen)  # s is no longer stop
        await pilot.press("z")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the stop dialog")
        assert app.screen.plan.action == "stop"
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.state.cells[key].status == vocab.STOPPED, what="stopped by z")


# --- --readonly: every mutating binding, walked by id ---------------------------------------------------------
def notes(app) -> list[str]:
    return [str(n.message) for n in app._notifications]


def writes(stats: dict) -> list[str]:
    return [route for route in stats["requests"] if not route.startswith("GET ")]


def busy_workers(app) -> list[str]:
    """Workers still running, the poller's aside (it watches for as long as the app runs)."""
    return [w.name for w in app.workers if w.group != "poller" and not w.is_finished]


async def test_readonly_refuses_every_mutating_binding_with_the_reason_and_sends_nothing(demo_world) -> None:
    assert MUTATING_IDS == CONTRACT_MUTATING
    app = make_app(demo_world, guards=Guards(readonly=True))
    keys = effective_keys()
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        state = app.session.state
        running = next(k for k, c in state.cells.items() if c.in_flight)  # where stop would do something
        grid = app.screen.query_one("#grid")
        grid.move_cursor(row=grid.get_row_index(running[0]), column=grid.get_column_index(running[1]),
                         animate=False)
        await pilot.pause()
        assert grid.current_key == running
        for binding_id in sorted(MUTATING_IDS):  # the keys, as pressed
            app.clear_notifications()
            await pilot.press(keys[binding_id].split(",")[0])
            reason = f"{binding_id}: read-only mode"
            await wait_for(pilot, lambda reason=reason: any(n.startswith(reason) for n in notes(app)),
                           what=f"the reason for {binding_id}")
            assert not isinstance(app.screen, ConfirmScreen) and app.screen is app.main, binding_id
        for binding_id in sorted(MUTATING_IDS):  # the same actions run the palette's way
            app.clear_notifications()
            await app.main.run_action(f"cell({binding_id!r})")
            await pilot.pause()
            assert any(n.startswith(f"{binding_id}: read-only mode") for n in notes(app)), binding_id
            assert app.screen is app.main, binding_id
        await wait_for(pilot, lambda: not busy_workers(app), what=f"the app's workers to finish: {busy_workers(app)}")
    stats = await demo_world.stats()
    assert writes(stats) == [] and stats["charges_by_idempotency_key"] == {}
    assert any(route.startswith("GET ") for route in stats["requests"])  # it did watch


async def test_readonly_does_not_resend_what_an_earlier_gentui_left_unsent(tmp_path: Path) -> None:
    world = World(quiet=True)
    path = tmp_path / "journal.sqlite3"
    _, dead, _ = await crashed_gentuis_journal(world, path, 2)
    dead.close()
    await world.post("reset", {"quiet": True})  # forget the set-up's requests

    app = make_app(world, guards=Guards(readonly=True), journal=Journal(path), base_url="http://sim/v1")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await wait_for(pilot, lambda: any("were not resent: read-only mode" in n for n in notes(app)),
                       what="the reason nothing was resent")
        assert not isinstance(app.screen, ConfirmScreen)
        assert len(app.launch.journal.orphans()) == 2  # still there for a gentui that may spend
    assert writes(await world.stats()) == []


# --- NO_COLOR -----------------------------------------------------------------------------------------------------
def colours(svg: str) -> set[str]:
    return {c.lower() for c in re.findall(r"#[0-9a-fA-F]{6}\b", svg)} - SVG_CHROME


def grey(colour: str) -> bool:
    return colour[1:3] == colour[3:5] == colour[5:7]


@pytest.mark.parametrize("theme", ["gentui-dark", "gentui-ansi"])
async def test_no_color_draws_the_cockpit_without_colour_yet_statuses_stay_readable(
        quiet_world, monkeypatch: pytest.MonkeyPatch, theme: str) -> None:
    themes, _ = load_themes(None)
    status_colours = {v.lower() for k, v in next(t for t in themes if t.name == "gentui-dark").variables.items()
                      if k.startswith("status-")}

    async def screenshot() -> tuple[GentuiApp, str]:
        app = make_app(quiet_world, themes=themes, theme=theme, tick_interval=None)
        async with app.run_test(size=SIZE) as pilot:
            await wait_for(pilot, lambda: loaded(app), what="engine and credits")
            await pilot.pause()
            return app, app.export_screenshot()

    monkeypatch.delenv("NO_COLOR", raising=False)
    app, coloured = await screenshot()
    assert not app.no_color and any(not grey(c) for c in colours(coloured))
    if theme == "gentui-dark":
        assert status_colours & colours(coloured)  # the statuses are coloured when colour is allowed

    monkeypatch.setenv("NO_COLOR", "1")
    app, plain = await screenshot()
    assert app.no_color and app.theme == theme
    assert [c for c in colours(plain) if not grey(c)] == []  # our status colours did not get through
    for glyph in ("●", "×", "·"):  # completed, failed, idle: told apart by shape, not colour
        assert glyph in plain


# --- mouse ------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(("config", "env", "expected"), [("", {}, True), ("mouse = false\n", {}, False),
                                                         ("", {"GENTUI_MOUSE": "off"}, False)])
def test_the_mouse_setting_reaches_app_run(home: Paths, monkeypatch: pytest.MonkeyPatch, config: str,
                                           env: dict, expected: bool) -> None:
    home.config.parent.mkdir(parents=True)
    home.config.write_text(config)
    home.config.chmod(0o600)
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    seen: dict = {}

    def fake_run(self, **kwargs) -> None:
        seen.update(kwargs)

    monkeypatch.setattr(GentuiApp, "run", fake_run)
    monkeypatch.setattr("gentui.commands.cockpit.no_terminal", lambda: False)  # pytest's streams are no terminal
    assert main(["--demo"]) == 0
    assert seen == {"mouse": expected}


@pytest.mark.parametrize(("argv", "config", "expected"), [(["--demo"], "", False),
                                                          (["--demo", "--readonly"], "", True),
                                                          (["--demo"], "readonly = true\n", True)])
def test_readonly_from_the_command_line_or_config_reaches_the_guards(home: Paths, argv: list[str], config: str,
                                                                     expected: bool) -> None:
    from gentui.commands.cockpit import build_launch

    home.config.parent.mkdir(parents=True)
    home.config.write_text(config)
    home.config.chmod(0o600)
    assert build_launch(_cockpit_parser().parse_args(argv)).guards.readonly is expected
