"""The action table is the one place an action is named: every row is bound, handled and explained."""

from __future__ import annotations

from gentui.action_table import ACTIONS, BY_ID, MUTATING_IDS, SCREEN_IDS, ActionId, effective_keys
from gentui.ui.app import GentuiApp
from gentui.ui.screens.main import MainScreen


def test_every_action_id_has_exactly_one_row_with_help() -> None:
    assert [s.id for s in ACTIONS] == list(ActionId)
    assert all(s.help and s.description for s in ACTIONS)


def test_what_spends_is_mutating_and_read_only_reads_the_table() -> None:
    spending = {s.id for s in ACTIONS if s.spends}
    assert spending == {"regenerate", "edit_regenerate", "render", "continue"}
    assert spending <= MUTATING_IDS


def test_default_keys_do_not_collide() -> None:
    keys = [k for k in effective_keys().values()]
    assert len(keys) == len(set(keys))


def test_global_actions_run_an_app_method_and_screen_actions_the_dispatcher() -> None:
    for spec in ACTIONS:
        if spec.scope == "app":
            assert callable(getattr(GentuiApp, f"action_{spec.textual_action}", None)), spec.id
        else:
            assert spec.textual_action == f"cell('{spec.id}')"


async def test_the_main_screen_has_a_handler_for_every_screen_row() -> None:
    screen = MainScreen()  # the handlers are bound (and checked complete) in __init__, before any app runs
    assert set(screen.handlers) == set(SCREEN_IDS)
    assert all(BY_ID[i].scope == "screen" for i in screen.handlers)
