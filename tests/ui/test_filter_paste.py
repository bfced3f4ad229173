"""A huge paste into the filter without bracketed paste (issue 14 item 14).

The terminal delivers such a paste as one key event per character. The query is capped at
`QUERY_LIMIT` characters and the grid re-filters once per burst of keys, not once per key, so
time and memory stay bounded whatever the size of the paste.
"""

from __future__ import annotations

import tracemalloc

from textual import events

from gentui.ui.widgets.filterbar import QUERY_LIMIT, FilterBar, FilterInput

from .pilot import SIZE, loaded, make_app, wait_for

BURST = 20_000  # characters pasted; each arrives as its own key event


async def test_a_pasted_burst_is_capped_and_refilters_once_per_burst(quiet_world, monkeypatch):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("slash")
        field = app.focused
        assert isinstance(field, FilterInput)
        grid, bar = app.screen.grid, app.screen.query_one(FilterBar)
        refilters: list[str] = []
        apply_view = grid.apply_view

        def counted() -> int:
            refilters.append(grid.view.text)
            return apply_view()

        monkeypatch.setattr(grid, "apply_view", counted)
        bells: list[int] = []
        monkeypatch.setattr(app, "bell", lambda: bells.append(1))
        pasted = ("upstream provider " * (BURST // 18 + 1))[:BURST]
        tracemalloc.start()
        try:
            for char in pasted:  # what a terminal without bracketed paste sends: one key per character
                field.post_message(events.Key(char, char))
            done: list[str] = []
            # queued after every pasted key; the second one after the messages those keys posted
            field.call_later(lambda: field.call_later(lambda: done.append("drained")))
            await wait_for(pilot, lambda: bool(done), timeout=60, what="the burst")
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert field.value == pasted[:QUERY_LIMIT] and grid.view.text == pasted[:QUERY_LIMIT]
        assert max(len(text) for text in refilters) <= QUERY_LIMIT
        assert len(refilters) <= 5, f"{len(refilters)} re-filters for one burst"
        assert not bells  # no bell per refused key
        assert peak < 100 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
        assert f"query cut at {QUERY_LIMIT} characters" in str(bar.query_one("#filter-status").render())


async def test_a_bracketed_paste_keeps_what_fits(quiet_world):
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("slash", "a", "b")
        field = app.focused
        assert isinstance(field, FilterInput)
        field.post_message(events.Paste("x" * 1_000_000 + "\nsecond line"))
        await wait_for(pilot, lambda: len(field.value) == QUERY_LIMIT, what="the paste")
        assert field.value == "ab" + "x" * (QUERY_LIMIT - 2)
        await wait_for(pilot, lambda: app.screen.grid.view.text == field.value, what="the filter applied")
