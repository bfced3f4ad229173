"""The generation statuses are spelt in one place, `gentui.api.vocab`; everything else names its constants.

Issue 12 found the status list written out in nine places with two fallback palettes. A module
that spells `"completed"` again is how the next copy starts, so the literal words are looked for
in every module's code (docstrings and comments are prose, not code, and are not looked at).
"""

from __future__ import annotations

import ast
from pathlib import Path

from gentui.api import vocab
from gentui.ui.look import DEFAULT_COLORS, GLYPHS
from gentui.ui.themes import FALLBACK_STATUS, STATUSES

PACKAGE = Path(__file__).resolve().parent.parent / "gentui"
WORDS = set(vocab.CELL_STATUSES) - {vocab.UNKNOWN}  # "unknown" is also a generation type's name
#: the same words in another vocabulary: a batch item's own state, a word the user types in the filter
OTHER_VOCABULARIES = {("core/batch.py", "failed"), ("ui/widgets/filterbar.py", "failed")}


def status_literals(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
                  and node.body and isinstance(node.body[0], ast.Expr)}
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and node.value in WORDS and id(node) not in docstrings]


def test_no_module_but_the_vocabulary_spells_a_status() -> None:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        name = path.relative_to(PACKAGE).as_posix()
        if name == "api/vocab.py":
            continue
        found += [f"{name}:{line} {word!r}" for line, word in status_literals(path)
                  if (name, word) not in OTHER_VOCABULARIES]
    assert found == []


def test_the_checker_sees_a_spelt_status(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""pending is prose here."""\nDONE = job.status == "completed"\n', encoding="utf-8")
    assert status_literals(module) == [(2, "completed")]


def test_one_fallback_palette_and_every_status_has_a_glyph_and_a_colour() -> None:
    assert {f"status-{name}": color for name, color in DEFAULT_COLORS.items()} == FALLBACK_STATUS
    assert set(STATUSES) == set(vocab.CELL_STATUSES) | {"marked"}
    assert set(GLYPHS) == set(vocab.CELL_STATUSES)
    assert set(DEFAULT_COLORS) == set(STATUSES)
