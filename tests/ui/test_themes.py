"""Themes: the built-ins load with every status colour, broken user themes are skipped, the wheel ships them."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from textual.app import App, ComposeResult
from textual.color import Color
from textual.widgets import DataTable, Footer, Input

from gentui.ui.themes import (
    FALLBACK_STATUS,
    STATUS_VARIABLES,
    ThemeError,
    builtin_themes_dir,
    check_in_a_stylesheet,
    load_theme_file,
    load_themes,
    status_color,
)

REPO = Path(__file__).resolve().parents[2]
REQUIRED = ("gentui-dark", "gentui-light", "gentui-high-contrast", "gentui-ansi")
STATUSES = ("idle", "pending", "processing", "completed", "failed", "stopped", "unknown")
ANSI_NAMES = {"ansi_default", *(f"ansi_{b}{c}" for b in ("", "bright_")
                                for c in ("black", "red", "green", "yellow", "blue", "magenta", "cyan", "white"))}

GOOD_USER_THEME = '''
name = "mine"
primary = "#336699"
background = "#101010"
[variables]
status-failed = "#ff0000"
'''


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two colours."""

    def luminance(color: Color) -> float:
        def channel(c: int) -> float:
            c = c / 255
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        return 0.2126 * channel(color.r) + 0.7152 * channel(color.g) + 0.0722 * channel(color.b)

    la, lb = sorted((luminance(Color.parse(a)), luminance(Color.parse(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def builtins() -> dict:
    themes, errors = load_themes(None)
    assert errors == []
    return {t.name: t for t in themes}


# --- built-ins ----------------------------------------------------------------------------------------------
def test_builtin_dir_is_the_repository_themes_in_an_editable_install() -> None:
    assert builtin_themes_dir() == REPO / "themes"


@pytest.mark.parametrize("name", REQUIRED)
def test_each_builtin_theme_loads_with_every_status_colour(name: str) -> None:
    theme = load_theme_file(builtin_themes_dir() / f"{name}.toml")
    assert theme.name == name
    for variable in STATUS_VARIABLES:
        Color.parse(theme.variables[variable])  # present and a colour Textual understands


def test_every_builtin_file_loads() -> None:
    themes = builtins()
    for path in builtin_themes_dir().glob("*.toml"):  # start-up skips this parse for the built-ins
        check_in_a_stylesheet(path, load_theme_file(path))
    assert set(REQUIRED) <= set(themes)
    assert all(set(STATUS_VARIABLES) <= set(t.variables) for t in themes.values())
    assert themes["gentui-dark"].dark and not themes["gentui-light"].dark


@pytest.mark.parametrize("name", REQUIRED)
def test_statuses_have_distinct_colours(name: str) -> None:
    variables = builtins()[name].variables
    colours = [variables[f"status-{s}"] for s in STATUSES]
    assert len(set(colours)) == len(colours)


@pytest.mark.parametrize(("name", "minimum"), [("gentui-dark", 4.5), ("gentui-light", 4.5),
                                               ("gentui-high-contrast", 7.0)])
def test_status_colours_read_clearly_on_the_background(name: str, minimum: float) -> None:
    theme = builtins()[name]
    for status in (*STATUSES, "marked"):
        ratio = contrast(theme.variables[f"status-{status}"], theme.background)
        assert ratio >= minimum, f"{name}: status-{status} has contrast {ratio:.2f}"


def test_the_ansi_theme_uses_only_the_16_ansi_colours() -> None:
    theme = builtins()["gentui-ansi"]
    assert theme.ansi
    colours = [getattr(theme, f) for f in ("primary", "secondary", "accent", "foreground", "background",
                                           "surface", "panel", "boost", "warning", "error", "success")]
    colours += [v for k, v in theme.variables.items() if not k.endswith("text-style")]
    assert set(colours) <= ANSI_NAMES


async def test_every_builtin_theme_applies_in_a_textual_app() -> None:
    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()
            yield DataTable()
            yield Footer()

    app = Probe()
    async with app.run_test() as pilot:
        for theme in builtins().values():
            app.register_theme(theme)
            app.theme = theme.name
            await pilot.pause()
            assert app.current_theme.name == theme.name
            app.export_screenshot()


# --- user themes ------------------------------------------------------------------------------------------
def test_broken_user_themes_are_reported_and_skipped(tmp_path: Path) -> None:
    (tmp_path / "a-bad-toml.toml").write_text('name = "x"\nprimary = \n')
    (tmp_path / "b-bad-colour.toml").write_text('name = "y"\nprimary = "blurple"\n')
    (tmp_path / "c-no-name.toml").write_text('primary = "#123456"\n')
    (tmp_path / "d-bad-status.toml").write_text('name = "z"\nprimary = "#123456"\n[variables]\nstatus-failed = "redd"\n')
    (tmp_path / "e-unknown-key.toml").write_text('name = "w"\nprimary = "#123456"\nprimray = "#000"\n')
    (tmp_path / "mine.toml").write_text(GOOD_USER_THEME)
    (tmp_path / "notes.txt").write_text("not a theme")
    themes, errors = load_themes(tmp_path)
    names = [t.name for t in themes]
    assert names[-1] == "mine" and set(REQUIRED) <= set(names)
    assert not {"x", "y", "z", "w"} & set(names)
    assert len(errors) == 5
    assert errors[0].startswith(f"{tmp_path / 'a-bad-toml.toml'}: invalid TOML") and "line 2" in errors[0]
    assert errors[1] == f"{tmp_path / 'b-bad-colour.toml'}: 'primary' is not a colour: 'blurple'"
    assert errors[2] == f"{tmp_path / 'c-no-name.toml'}: missing 'name' (a non-empty string)"
    assert errors[3] == f"{tmp_path / 'd-bad-status.toml'}: 'status-failed' is not a colour: 'redd'"
    assert errors[4] == f"{tmp_path / 'e-unknown-key.toml'}: unknown key 'primray' (did you mean 'primary'?)"


HOSTILE_VARIABLES = [
    ("footer-key-foreground", "bold"),  # a text style where Textual wants a colour
    ("block-cursor-text-style", "#ff0000"),  # a colour where Textual wants a text style
    ("footer-key-foreground", ""),
    ("footer-key-foreground", "$nope"),
    ("footer-key-foreground", "red 50% 50%"),
    ("footer-key-foreground", "red 500%"),
    ("my-colour", "{"),
    ("my-colour", "red; } Screen { color: red"),
    ("my-colour", "$my-colour"),
    ("link-style", "bold blink2"),
    ("a b", "red"),
    ("", "red"),
    ("x" * 100, "red"),
    ("status-failed", "ansi_default 50% ;"),
]


@pytest.mark.parametrize(("name", "value"), HOSTILE_VARIABLES)
def test_a_variable_that_would_break_the_stylesheet_skips_the_file(tmp_path: Path, name: str, value: str) -> None:
    import json

    (tmp_path / "evil.toml").write_text(f'name = "evil"\nprimary = "#336699"\n[variables]\n'
                                        f'{json.dumps(name)} = {json.dumps(value)}\n')
    (tmp_path / "mine.toml").write_text(GOOD_USER_THEME)
    themes, errors = load_themes(tmp_path)
    assert "evil" not in {t.name for t in themes} and "mine" in {t.name for t in themes}
    assert len(errors) == 1 and errors[0].startswith(f"{tmp_path / 'evil.toml'}: ") and "\n" not in errors[0]


async def test_every_theme_that_loads_applies_in_a_textual_app(tmp_path: Path) -> None:
    """The other side of the check: what passes it (odd but valid values) never breaks Textual's stylesheet."""
    odd = {"footer-key-foreground": "ansi_default 50%", "text": "auto 87%", "link-background": "initial",
           "block-cursor-text-style": "not underline", "link-style-hover": "b reverse", "my-own": "bold",
           "my-other": "transparent", "status-failed": "hsl(0, 100%, 50%)", "input-selection-background": "red 0.5%"}
    body = "\n".join(f'{k} = "{v}"' for k, v in odd.items())
    (tmp_path / "odd.toml").write_text(f'name = "odd"\nprimary = "#336699"\n[variables]\n{body}\n')
    themes, errors = load_themes(tmp_path)
    assert errors == []

    class Probe(App[None]):
        def compose(self) -> ComposeResult:
            yield Input()
            yield DataTable()
            yield Footer()

    app = Probe()
    async with app.run_test() as pilot:
        app.register_theme(next(t for t in themes if t.name == "odd"))
        app.theme = "odd"
        await pilot.pause()
        assert app.current_theme.name == "odd"
        app.export_screenshot()


def test_a_deep_or_endless_theme_file_is_skipped(tmp_path: Path) -> None:
    (tmp_path / "deep.toml").write_text('name = "deep"\nprimary = "#336699"\nx = ' + "[" * 5000 + "]" * 5000 + "\n")
    (tmp_path / "zero.toml").symlink_to("/dev/zero")
    os.mkfifo(tmp_path / "fifo.toml")
    (tmp_path / "mine.toml").write_text(GOOD_USER_THEME)
    themes, errors = load_themes(tmp_path)
    assert "mine" in {t.name for t in themes}
    assert [e.split(":")[0] for e in errors] == [str(tmp_path / n) for n in ("deep.toml", "fifo.toml", "zero.toml")]
    assert "nested too deeply" in errors[0] and "not a regular file" in errors[1] and "not a regular file" in errors[2]


def test_user_themes_borrow_missing_status_colours(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(GOOD_USER_THEME)
    (tmp_path / "pale.toml").write_text('name = "pale"\nprimary = "#336699"\ndark = false\n')
    themes = {t.name: t for t in load_themes(tmp_path)[0]}
    dark, light = builtins()["gentui-dark"].variables, builtins()["gentui-light"].variables
    mine = themes["mine"].variables
    assert mine["status-failed"] == "#ff0000"  # its own wins
    assert all(mine[v] == dark[v] for v in STATUS_VARIABLES if v != "status-failed")
    assert all(themes["pale"].variables[v] == light[v] for v in STATUS_VARIABLES)


def test_a_user_theme_may_replace_a_builtin(tmp_path: Path) -> None:
    (tmp_path / "dark.toml").write_text('name = "gentui-dark"\nprimary = "#00ff00"\n')
    themes, errors = load_themes(tmp_path)
    assert errors == []
    assert [t.primary for t in themes if t.name == "gentui-dark"] == ["#00ff00"]


def test_a_missing_user_directory_is_fine(tmp_path: Path) -> None:
    themes, errors = load_themes(tmp_path / "nope")
    assert errors == [] and {t.name for t in themes} >= set(REQUIRED)


def test_load_theme_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(ThemeError, match=r"missing\.toml: cannot read"):
        load_theme_file(tmp_path / "missing.toml")
    (tmp_path / "t.toml").write_text('name = "t"\nprimary = "#123456"\ndark = "yes"\n')
    with pytest.raises(ThemeError, match=r"t\.toml: 'dark' must be true or false"):
        load_theme_file(tmp_path / "t.toml")


def test_status_color_falls_back_sensibly() -> None:
    variables = {"status-failed": "#ff0000", "status-unknown": "#abcdef"}
    assert status_color(variables, "failed") == "#ff0000"
    assert status_color(variables, "status-failed") == "#ff0000"
    assert status_color(variables, "completed") == FALLBACK_STATUS["status-completed"]
    assert status_color(variables, "exploded") == "#abcdef"
    assert status_color({}, "exploded") == FALLBACK_STATUS["status-unknown"]


# --- the wheel ----------------------------------------------------------------------------------------------
@pytest.mark.skipif(importlib.util.find_spec("hatchling") is None,
                    reason="hatchling (the build backend) is not installed")
def test_the_wheel_ships_the_themes_and_an_installed_gentui_loads_them(tmp_path: Path) -> None:
    source = tmp_path / "src"  # a copy, so building never writes into the working tree
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "__pycache__", ".pytest_cache", ".ruff_cache", "*.egg-info", "dist", "build", "screenshots"))
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(dist), str(source)], check=True, timeout=300)
    [wheel] = dist.glob("gentui-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        shipped = {n for n in archive.namelist() if n.startswith("gentui/_themes/")}
        assert {f"gentui/_themes/{name}.toml" for name in REQUIRED} <= shipped
    target = tmp_path / "site"  # a real (non-editable) install of the wheel, outside the venv
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q", "--target",
                    str(target), str(wheel)], check=True, timeout=300)
    assert load_theme_file(target / "gentui" / "_themes" / "gentui-dark.toml").name == "gentui-dark"

    probe = ("import gentui, gentui.ui.themes as t; "
             "themes, errors = t.load_themes(None); "
             "print(gentui.__file__); print(t.builtin_themes_dir()); print(sorted(x.name for x in themes)); "
             "print(errors)")
    env = {**os.environ, "PYTHONPATH": str(target)}
    result = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True,
                            check=True, timeout=120)
    module, themes_dir, names, errors = result.stdout.splitlines()
    assert Path(module).is_relative_to(target)  # the installed copy, not the editable checkout
    assert Path(themes_dir) == target / "gentui" / "_themes"
    assert all(name in names for name in REQUIRED)
    assert errors == "[]"
