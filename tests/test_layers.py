"""The layers hold (STYLE.md): `ui` and `commands` above `core` above `api`; `sim` uses only `api.vocab`
and `api.costs` of gentui; nothing below `ui` imports Textual or Rich, not even lazily inside a function."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "gentui"

#: layer -> the gentui layers it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "api": set(),
    "core": {"api"},
    "sim": {"api.vocab", "api.costs"},
    "action_table": set(),
    "settings": {"action_table", "api.urls"},  # api.urls: stdlib only (schemes, userinfo, proxies)
}
BELOW_UI = tuple(ALLOWED)


def _modules(layer: str) -> list[Path]:
    path = PACKAGE / layer
    return sorted(path.rglob("*.py")) if path.is_dir() else [PACKAGE / f"{layer}.py"]


def _imports(path: Path) -> list[str]:
    """Every module name the file imports, at the top or inside a function."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append(node.module)
            found += [f"{node.module}.{alias.name}" for alias in node.names]
    return found


def _allowed(layer: str, name: str) -> bool:
    if not name.startswith("gentui.") and name != "gentui":
        return True
    target = name.removeprefix("gentui.")
    if target == "gentui" or target.split(".")[0] == layer or target == "__version__":
        return True
    return any(target == ok or target.startswith(ok + ".") for ok in ALLOWED[layer]) or \
        any(ok.startswith(target + ".") or ok == target for ok in ALLOWED[layer])


@pytest.mark.parametrize("layer", BELOW_UI)
def test_a_layer_imports_only_the_layers_under_it(layer: str) -> None:
    wrong = [f"{path.relative_to(PACKAGE)}: {name}" for path in _modules(layer) for name in _imports(path)
             if not _allowed(layer, name)]
    assert not wrong, wrong


@pytest.mark.parametrize("layer", BELOW_UI)
def test_no_layer_below_ui_names_textual_or_rich(layer: str) -> None:
    wrong = [f"{path.relative_to(PACKAGE)}: {name}" for path in _modules(layer) for name in _imports(path)
             if name.split(".")[0] in ("textual", "rich", "textual_serve")]
    assert not wrong, wrong


def test_the_checker_sees_a_wrong_import() -> None:
    """The rule above can fail: core reaching up into ui, or sim into the client's models, is caught."""
    assert not _allowed("core", "gentui.ui.app")
    assert not _allowed("sim", "gentui.api.models")
    assert _allowed("sim", "gentui.api.vocab") and _allowed("core", "gentui.api.errors")


@pytest.mark.parametrize("layer", BELOW_UI)
def test_importing_every_module_of_a_layer_loads_no_textual(layer: str) -> None:
    """Rich is checked on our own imports above: httpx's optional command line loads it when it is installed."""
    names = []
    for path in _modules(layer):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    code = (
        "import importlib, sys\n"
        f"for name in {names!r}:\n"
        "    importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'textual')\n"
        "assert not bad, bad[:5]\n"
    )
    result = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]


def test_the_main_screen_is_one_class_on_textuals_screen_without_mixins() -> None:
    from textual.screen import Screen

    from gentui.ui.screens.main import MainScreen

    assert MainScreen.__bases__ == (Screen,)
    ui = Path(__file__).resolve().parent.parent / "gentui" / "ui"
    long = {str(p.relative_to(ui)): n for p in ui.rglob("*.py") if (n := len(p.read_text().splitlines())) > 300}
    assert not long, f"UI modules over 300 lines (split them by what they own): {long}"


def test_no_import_cycle_among_gentuis_modules_at_module_level() -> None:
    """Imports at the top of a module form no cycle (a lazy import inside a function is how a cycle is broken)."""
    root = Path(__file__).resolve().parent.parent / "gentui"
    modules = {".".join(p.relative_to(root.parent).with_suffix("").parts).removesuffix(".__init__"): p
               for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        wanted: set[str] = set()
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("gentui"):
                wanted |= {f"{node.module}.{a.name}" if f"{node.module}.{a.name}" in modules else node.module
                           for a in node.names}
            elif isinstance(node, ast.Import):
                wanted |= {a.name for a in node.names if a.name.startswith("gentui")}
        graph[name] = {w for w in wanted if w in modules and w != name}
    done: set[str] = set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(name):], name]))
        if name in done:
            return
        for other in sorted(graph[name]):
            visit(other, [*path, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
