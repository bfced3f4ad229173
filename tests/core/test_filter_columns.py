"""`col:` names a column exactly (quoted for spaces), a prefix only when one title has it (issue 15.7)."""

from __future__ import annotations

from gentui.core.rows import GridView, parse_query, resolve_columns
from gentui.core.views import ColumnView

COLUMNS = [ColumnView(str(i), title, None, None, "text", i) for i, title in
           enumerate(["SCRIPT", "VOICE", "B-ROLL", "VIDEO", "CAPTIONS", "FINAL VIDEO", "VIDEO 2"])]
ID = {c.title: c.id for c in COLUMNS}


def picked(text: str) -> tuple[set[str], tuple[str, ...]]:
    ids, problems = resolve_columns(parse_query(text).columns, COLUMNS)
    return {next(c.title for c in COLUMNS if c.id == i) for i in ids}, problems


def test_an_exact_title_is_that_column_only_never_one_that_contains_it() -> None:
    assert picked("col:VIDEO") == ({"VIDEO"}, ())
    assert picked("col:video") == ({"VIDEO"}, ())  # any case


def test_a_title_with_spaces_is_quoted() -> None:
    assert parse_query('col:"FINAL VIDEO" is:failed').columns == ("final video",)
    assert picked('col:"FINAL VIDEO"') == ({"FINAL VIDEO"}, ())
    assert picked('column:"final  video"') == ({"FINAL VIDEO"}, ())  # spaces squeezed
    assert parse_query('"two words" col:VOICE').words == ("two words",)


def test_a_prefix_picks_the_one_title_that_starts_with_it() -> None:
    assert picked("col:fin") == ({"FINAL VIDEO"}, ())
    assert picked("col:scr") == ({"SCRIPT"}, ())
    assert picked(f"col:{ID['B-ROLL']}") == ({"B-ROLL"}, ())  # a column id works too


def test_an_ambiguous_prefix_picks_nothing_and_says_which_titles() -> None:
    titles, problems = picked("col:vi")
    assert titles == set()
    assert problems == ("col:vi is ambiguous (VIDEO, VIDEO 2): type more of the title",)
    assert picked("col:nope") == (set(), ("no column 'nope'",))


def test_the_view_reports_the_column_problems_of_its_query() -> None:
    view = GridView(text="col:vi")
    assert view.column_ids(COLUMNS) == frozenset()
    assert view.problems == ("col:vi is ambiguous (VIDEO, VIDEO 2): type more of the title",)
    view.text = "col:VIDEO"
    assert view.problems == ()  # not the old query's
    assert view.column_ids(COLUMNS) == {ID["VIDEO"]}
