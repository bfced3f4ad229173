"""F1 opens Textual's help panel with the focused part's help rendered; F1 or Escape closes it (issue 15 item 5)."""

from __future__ import annotations

from textual.widgets import HelpPanel, Markdown

from .pilot import SIZE, loaded, make_app, wait_for


async def test_f1_toggles_the_rendered_help_of_the_focused_part_and_escape_closes_it(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(HelpPanel)), what="the help panel")
        await pilot.pause()
        markdown = app.screen.query_one(HelpPanel).query_one(Markdown)
        await wait_for(pilot, lambda: "Engine grid" in markdown.source, what="the grid's help in the panel")
        assert not app._notifications  # before: the raw Markdown as a toast, stacked on each press
        await pilot.press("f1")
        await wait_for(pilot, lambda: not app.screen.query(HelpPanel), what="F1 to close it")
        await pilot.press("f1")
        await wait_for(pilot, lambda: bool(app.screen.query(HelpPanel)), what="the help panel again")
        await pilot.press("escape")
        await wait_for(pilot, lambda: not app.screen.query(HelpPanel), what="Escape to close it")
        assert app.screen.grid.has_focus
