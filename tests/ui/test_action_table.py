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


def test_default_keys_do_not_collide_within_a_scope() -> None:
    keys = effective_keys()
    for scope in ("screen", "history", "app"):
        mine = [keys[s.id] for s in ACTIONS if s.scope == scope]
        assert len(mine) == len(set(mine)), scope
    shared = {keys[s.id] for s in ACTIONS if s.scope == "history"} & {keys[s.id] for s in ACTIONS if s.scope == "screen"}
    assert shared == {"o"}  # open (on the history table) and sort (elsewhere): CONTRACTS.md section 3
    assert not {keys[s.id] for s in ACTIONS if s.scope == "app"} & {keys[s.id] for s in ACTIONS if s.scope != "app"}


def test_global_actions_run_an_app_method_and_screen_actions_the_dispatcher() -> None:
    for spec in ACTIONS:
        if spec.scope == "app":
            assert callable(getattr(GentuiApp, f"action_{spec.textual_action}", None)), spec.id
        elif spec.scope == "editor":
            from gentui.ui.screens.card_editor import CardEditor

            assert callable(getattr(CardEditor, f"action_{spec.textual_action}", None)), spec.id
        else:
            assert spec.textual_action == f"cell('{spec.id}')"


async def test_the_main_screen_has_a_handler_for_every_screen_row() -> None:
    screen = MainScreen()  # the handlers are bound (and checked complete) in __init__, before any app runs
    assert set(screen.handlers) == set(SCREEN_IDS)
    assert all(BY_ID[i].scope in ("screen", "history") for i in screen.handlers)


# --- why_not: the one place that says whether a key would act now ------------------------------------------
def test_why_not_refuses_every_mutating_action_in_read_only_mode_and_nothing_else() -> None:
    from gentui.action_table import Context, why_not

    now = Context(readonly=True, connected=True, on_cell=True, take_selected=True, has_output=True, any_failed=True,
                  marks=2, targets=2, targets_in_flight=True, resends=1)
    refused = {spec.id for spec in ACTIONS if why_not(spec.id, now) is not None}
    assert refused == {spec.id for spec in ACTIONS if spec.mutating}
    assert all(why_not(spec.id, now) == "read-only mode" for spec in ACTIONS if spec.mutating)


def test_why_not_before_a_session_offers_only_the_offline_and_global_actions() -> None:
    from gentui.action_table import Context, why_not

    offered = {spec.id for spec in ACTIONS if why_not(spec.id, Context()) is None}
    waiting = {spec.id for spec in ACTIONS if spec.id.value == "resends"}  # only while something waits
    assert offered == {spec.id for spec in ACTIONS if spec.scope == "app" or spec.offline} - waiting
    assert waiting <= {spec.id for spec in ACTIONS if why_not(spec.id, Context(resends=1)) is None}


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


# --- key names: the table's spelling is Textual's (textual/keys.py) -------------------------------------------
def test_key_names_are_textuals_own() -> None:
    import string

    from textual.keys import Keys, _character_to_key

    from gentui.action_table import PUNCTUATION, SPECIAL_KEYS, key_name

    assert all(key_name(c) == _character_to_key(c) for c in string.punctuation + string.ascii_letters + string.digits)
    assert set(PUNCTUATION) == {_character_to_key(c) for c in string.punctuation}
    assert SPECIAL_KEYS.issubset(k.value for k in Keys)
    # every key Textual names, with its modifiers, is accepted as it is spelled; not these:
    internal = {"<any>", "<scroll-up>", "<scroll-down>", "<ignore>", "ctrl-at", "return", "ctrl+@"}
    assert all(key_name(k.value) == k.value for k in Keys if k.value not in internal)


def test_the_defaults_pass_the_keymap_check_and_take_no_reserved_key() -> None:
    from gentui.action_table import RESERVED_KEYS, check_keymap, key_name

    keys = check_keymap({})
    assert keys == {s.id.value: s.key for s in ACTIONS}
    assert all(key_name(s.key) == s.key for s in ACTIONS)  # the table is written in Textual's spelling
    assert not set(RESERVED_KEYS) & set(keys.values())


async def test_two_swapped_keys_each_run_the_others_binding(quiet_world) -> None:
    from decimal import Decimal

    from gentui.api import vocab
    from gentui.core.actions import Guards

    from .pilot import SIZE, goto, loaded, make_app, wait_for

    app = make_app(quiet_world, guards=Guards(confirm="costly", confirm_above=Decimal(100_000)),
                   keymap={"regenerate": "s", "stop": "r"})
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app))
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        await pilot.press("s")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="regenerated by s")
        await pilot.press("r")
        await wait_for(pilot, lambda: app.session.state.cells[key].status == vocab.STOPPED, what="stopped by r")
