"""Issue 17 in the cockpit: the selected cell is the poller's focus, and a view the wire budget holds back says so."""

from __future__ import annotations

from .pilot import loaded, make_app, wait_for


async def test_the_cursor_is_the_pollers_focus_and_a_held_back_view_says_by_how_much(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="the engine, the balance and the grid's rows")
        grid, poller = app.main.grid, app.poller
        assert poller is not None
        grid.focus()
        await pilot.press("j")
        await wait_for(pilot, lambda: grid.current_key is not None and poller.plan.focus == grid.current_key,
                       what="the poller to focus the selected cell")
        poller.view_age = lambda: 30.0  # type: ignore[method-assign]  # as if the budget held reads back 30 s
        app.main.update_header()
        await pilot.pause()
        assert "view 30 s behind (wire budget)" in app.main.header.render_text().plain
        poller.view_age = lambda: 0.0  # type: ignore[method-assign]
        poller.discovery_age = lambda: 142.0  # type: ignore[method-assign]  # a big engine, re-read rarely
        app.main.update_header()
        await pilot.pause()
        assert "engine (work elsewhere) read 2m20s ago" in app.main.header.render_text().plain
