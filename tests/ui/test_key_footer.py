"""The key footer (issue 15 item 1): the keys that apply to the focused part now, from the action table;
always ending with help and quit; no label cut; nothing `why_not` refuses (so --readonly lists no
disabled action)."""

from __future__ import annotations

from gentui.action_table import ACTIONS, Context
from gentui.api import vocab
from gentui.core.actions import Guards
from gentui.ui.screens.plan_dialogs import ConfirmScreen
from gentui.ui.widgets.key_footer import DIALOG, FILTER, GRID, HISTORY, KeyFooter, KeyHint, fit, table_hints

from .pilot import goto, loaded, make_app, wait_for

MUTATING = {spec.description for spec in ACTIONS if spec.mutating}


def footer(app) -> KeyFooter:
    return app.main.query_one(KeyFooter)


def labels(app) -> list[str]:
    return [h.label for h in footer(app).hints]


def shown(app) -> str:
    """What the footer draws, as text."""
    return footer(app).render().plain


async def ready(pilot, app) -> None:
    await wait_for(pilot, lambda: loaded(app), what="the engine, the balance and the grid's rows")
    await pilot.pause()


async def test_the_footer_follows_the_focus_and_always_ends_with_help_and_quit(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, vocab.TEXT)
        await wait_for(pilot, lambda: footer(app).part == GRID and "Regenerate" in labels(app), what="grid keys")
        assert labels(app)[-2:] == ["Help", "Quit"]
        assert "Grid" not in labels(app) and "History" in labels(app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: footer(app).part == HISTORY, what="the history's keys")
        history = labels(app)
        assert history[-2:] == ["Help", "Quit"] and "Grid" in history and "History" not in history
        assert history[:2] == ["Open", "Copy output"], history  # the history's own key (open), then the take's actions
        assert "Mark" not in history  # the grid's marks are not what the history is about
        await pilot.press("escape")
        await pilot.press("slash")
        await wait_for(pilot, lambda: footer(app).part == FILTER, what="the filter's keys")
        assert shown(app).split() == ["enter", "Keep", "filter", "esc", "Clear", "f1", "Help", "^q", "Quit"]


async def test_a_dialog_shows_its_own_keys_then_help_and_quit(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, vocab.TEXT)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="the confirmation")
        await wait_for(pilot, lambda: footer(app).part == DIALOG, what="the dialog's keys")
        assert labels(app)[-2:] == ["Help", "Quit"] and "Regenerate" not in labels(app)
        assert any(h.key == "esc" for h in footer(app).hints)


async def test_readonly_lists_no_disabled_action(quiet_world) -> None:
    app = make_app(quiet_world, guards=Guards(readonly=True), tick_interval=None)
    async with app.run_test(size=(120, 40)) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, vocab.TEXT)
        await wait_for(pilot, lambda: "Copy output" in labels(app), what="the read-only keys")
        assert not MUTATING & set(labels(app)), labels(app)
        assert labels(app)[-2:] == ["Help", "Quit"] and len(labels(app)) > 4
        assert "Regenerate" not in shown(app) and "Stop" not in shown(app)


async def test_at_80_columns_whole_labels_go_and_help_and_quit_stay(quiet_world) -> None:
    app = make_app(quiet_world, tick_interval=None)
    async with app.run_test(size=(80, 24)) as pilot:
        await ready(pilot, app)
        await goto(pilot, app, vocab.TEXT)
        await wait_for(pilot, lambda: "Regenerate" in labels(app), what="grid keys")
        text = shown(app).rstrip()
        assert text.endswith("? Help  q Quit"), text
        kept = fit(footer(app).hints, 80)
        assert len(kept) < len(footer(app).hints)  # some had to go at 80 columns...
        for hint in kept:  # ...and every label drawn is whole
            assert f" {hint.key} {hint.label} " in shown(app)
        assert len(shown(app)) <= 80


def test_fit_drops_the_least_important_from_the_middle_never_the_tail() -> None:
    hints = [KeyHint("r", "Regenerate", 10), KeyHint("x", "Export", 40), KeyHint("g", "Engines", 30),
             KeyHint("?", "Help", -1), KeyHint("q", "Quit", -1)]
    assert [h.label for h in fit(hints, 200)] == ["Regenerate", "Export", "Engines", "Help", "Quit"]
    assert [h.label for h in fit(hints, 41)] == ["Regenerate", "Engines", "Help", "Quit"]
    assert [h.label for h in fit(hints, 5)] == ["Help", "Quit"]


def test_before_a_session_the_footer_offers_what_works_offline() -> None:
    hints = table_hints(GRID, Context(readonly=False), {})
    names = [h.label for h in hints]
    assert names[-2:] == ["Help", "Quit"] and "API log" in names and "Regenerate" not in names
