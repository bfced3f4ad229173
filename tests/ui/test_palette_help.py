"""The command palette has one help entry, and the keys panel closes on Escape wherever the focus is (issue 15.5)."""

from __future__ import annotations

from textual.widgets import HelpPanel

from .pilot import SIZE, loaded, make_app, wait_for


async def test_the_palette_has_one_help_entry(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        titles = [c.title for c in app.get_system_commands(app.screen)]
        helps = [t for t in titles if t.split(" (")[0] in ("Keys", "Help")]
        assert helps == ["Help (?)"], titles
        assert "Screenshot" in titles and "Theme" in titles  # Textual's others stay


async def test_escape_closes_the_keys_panel_from_the_history_too(quiet_world) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        app.screen.history.focus()
        await pilot.pause()
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(HelpPanel)), what="the help panel")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query(HelpPanel), what="Escape to close it")
