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


# --- why_not: the one place that says whether a key would act now ------------------------------------------
def test_why_not_refuses_every_mutating_action_in_read_only_mode_and_nothing_else() -> None:
    from gentui.action_table import Context, why_not

    now = Context(readonly=True, connected=True, on_cell=True, take_selected=True, has_output=True, any_failed=True,
                  marks=2, targets=2, targets_in_flight=True)
    refused = {spec.id for spec in ACTIONS if why_not(spec.id, now) is not None}
    assert refused == {spec.id for spec in ACTIONS if spec.mutating}
    assert all(why_not(spec.id, now) == "read-only mode" for spec in ACTIONS if spec.mutating)


def test_why_not_before_a_session_offers_only_the_offline_and_global_actions() -> None:
    from gentui.action_table import Context, why_not

    offered = {spec.id for spec in ACTIONS if why_not(spec.id, Context()) is None}
    assert offered == {spec.id for spec in ACTIONS if spec.scope == "app" or spec.offline}


def test_why_not_passes_the_core_guard_through_and_reads_the_facts() -> None:
    from gentui.action_table import ActionId as A
    from gentui.action_table import Context, why_not

    asked: list[A] = []

    def refusal(action: A) -> str | None:
        asked.append(action)
        return "stop: nothing in flight on this cell" if action is A.STOP else None

    now = Context(connected=True, on_cell=True, refusal=refusal)
    assert why_not(A.STOP, now) == "stop: nothing in flight on this cell"
    assert why_not(A.REGENERATE, now) is None
    assert asked == [A.STOP, A.REGENERATE]
    assert why_not(A.PIN, now) == "select a take in the history first"  # before the guard is even asked
    assert why_not(A.CLEAR_MARKS, now) == "nothing is marked"
    assert why_not(A.CLEAR_MARKS, Context(connected=True, marks=1)) is None
    assert why_not(A.BULK_STOP, Context(connected=True, targets=3)) is not None
    assert why_not(A.BULK_STOP, Context(connected=True, targets=3, targets_in_flight=True)) is None
    assert why_not(A.MASS_REGENERATE, Context(connected=True, batch_running=True)) is None  # its key opens the controls
