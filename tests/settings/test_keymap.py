"""[keymap] is checked at load with the defaults: an unknown binding id or key name, or two bindings on one key
(in one scope, or one of them global), is a one-line config error naming both bindings; a swap is fine."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from gentui.action_table import KeymapError, effective_keys
from gentui.cli import main
from gentui.settings import ConfigError, Paths, default_paths, load_settings, read_config_dict, set_keymap

QUIT_CLASH = "keymap: 'q' for regenerate clashes with quit (global); choose another key, or remap quit too"


@pytest.fixture
def paths(tmp_path: Path) -> Paths:
    return default_paths({"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
                          "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
                          "XDG_CACHE_HOME": str(tmp_path / "cache")})


def write_keymap(paths: Paths, body: str) -> None:
    paths.config.parent.mkdir(parents=True, exist_ok=True)
    paths.config.write_text(f"[keymap]\n{body}\n", encoding="utf-8")
    paths.config.chmod(0o600)


def load_error(paths: Paths, env: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(env=env or {}, paths=paths)
    return str(info.value)


@pytest.mark.parametrize(("body", "expected"), [
    # a screen action on a global key: `q` would regenerate (charged) and Quit would be gone
    ('regenerate = "q"', QUIT_CLASH),
    # two screen actions: stop would shadow regenerate
    ('stop = "r"', "keymap: 'r' for stop clashes with regenerate; choose another key, or remap regenerate too"),
    # a global action on a screen action's key: the screen's binding would hide it
    ('quit = "r"', "keymap: 'r' for quit clashes with regenerate; choose another key, or remap regenerate too"),
    # two global actions
    ('help = "g"', "keymap: 'g' for help clashes with switch_engine (global); choose another key, "
                   "or remap switch_engine too"),
    # two remaps onto one key: no "remap it too" then
    ('stop = "z"\nregenerate = "x,z"', "keymap: 'z' for regenerate clashes with stop; choose another key"),
    # one key, two spellings (`?` is Textual's question_mark)
    ('stop = "?"', "keymap: '?' for stop clashes with help (global); choose another key, or remap help too"),
    ('filter = "ctrl+R"', "keymap: 'ctrl+R' for filter is not a key a terminal sends; write 'ctrl+shift+r'"),
    # the keys that are not rows of the table: navigation and Textual's own
    ('regenerate = "j"', "keymap: 'j' for regenerate clashes with navigation (down); choose another key"),
    ('mark = "enter"', "keymap: 'enter' for mark clashes with navigation (into the detail); choose another key"),
    ('stop = "ctrl+p"', "keymap: 'ctrl+p' for stop clashes with the command palette; choose another key"),
    ('stop = "ctrl+q"', "keymap: 'ctrl+q' for stop clashes with quit (Textual); choose another key"),
    # key names a terminal cannot send
    ('stop = "ctrl+shift+weird"', "keymap: 'ctrl+shift+weird' for stop is not a key name: unknown key 'weird'"),
    ('stop = "hyper+a"', "keymap: 'hyper+a' for stop is not a key name: unknown modifier 'hyper'"),
    ('help = "f25"', "keymap: 'f25' for help is not a key name: unknown key 'f25'"),
    ('stop = "entr"', "keymap: 'entr' for stop is not a key name: unknown key 'entr' (did you mean 'enter'?"),
    ('stop = "ctrl+ctrl+x"', "keymap: 'ctrl+ctrl+x' for stop is not a key name: a modifier is repeated"),
    ('stop = "shift+z"', "keymap: 'shift+z' for stop is not a key a terminal sends; write 'Z'"),
    ('stop = "z,ctrl+"', "keymap: 'ctrl+' for stop is not a key name: unknown key"),
    ('stpo = "z"', "unknown binding id 'stpo' in [keymap] (did you mean 'stop'?)"),
])
def test_a_bad_keymap_is_refused_in_one_line_naming_the_file_and_both_bindings(paths: Paths, body: str,
                                                                               expected: str) -> None:
    write_keymap(paths, body)
    message = load_error(paths)
    assert "\n" not in message
    assert message.startswith(f"{paths.config}: {expected}")


@pytest.mark.parametrize("body", [
    'regenerate = "s"\nstop = "r"',  # a swap
    'quit = "ctrl+q,q"',  # Textual's own ctrl+q quits too
    'regenerate = "q"\nquit = "ctrl+q"',  # q freed first
    'stop = "ctrl+shift+up,alt+shift+s,f24,-"',  # (`=` is compare's since 0.2)
    'filter = "ctrl+f,/"\nhelp = "f2"\nmark = " space "',
    'refresh = "ctrl+r,ctrl+r"',  # the same key twice for one binding is one key
])
def test_a_keymap_without_clashes_is_accepted(paths: Paths, body: str) -> None:
    write_keymap(paths, body)
    assert load_settings(env={}, paths=paths).settings.keymap


def test_a_swap_gives_each_binding_the_others_key() -> None:
    keys = effective_keys({"regenerate": "s", "stop": "r"})
    assert (keys["regenerate"], keys["stop"]) == ("s", "r")
    spelled = effective_keys({"stop": "-,Shift+Ctrl+Up"})
    assert spelled["stop"] == "minus,ctrl+shift+up"  # Textual's spelling, modifiers in its order


def test_a_keymap_given_to_the_app_directly_is_checked_too() -> None:
    with pytest.raises(KeymapError, match="'q' for regenerate clashes with quit"):
        effective_keys({"regenerate": "q"})
    with pytest.raises(KeymapError, match="unknown binding id 'nope'"):
        effective_keys({"nope": "z"})


def test_the_environment_keymap_is_checked(paths: Paths) -> None:
    message = load_error(paths, env={"GENTUI_KEYMAP": '{regenerate = "q"}'})
    assert message == f"GENTUI_KEYMAP: {QUIT_CLASH}"


def test_config_set_refuses_a_clash_and_judges_a_remap_with_the_others(paths: Paths) -> None:
    write_keymap(paths, 'stop = "z"')
    with pytest.raises(ConfigError, match="'q' for regenerate clashes with quit"):
        set_keymap("regenerate", "q", paths)
    assert read_config_dict(paths)["keymap"] == {"stop": "z"}
    set_keymap("regenerate", "s", paths)  # stop is on z already: s is free
    assert read_config_dict(paths)["keymap"] == {"stop": "z", "regenerate": "s"}
    with pytest.raises(ConfigError, match="'s' for stop clashes with regenerate; choose another key$"):
        set_keymap("stop", "s", paths)


def _clean_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GENTUI_", "GEN_API_", "XDG_"))}
    env.update(HOME=str(tmp_path / "home"), XDG_CONFIG_HOME=str(tmp_path / "config"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_CACHE_HOME=str(tmp_path / "cache"))
    return env


def test_config_show_and_keys_exit_2_with_the_line(paths: Paths, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    for var in [v for v in os.environ if v.startswith(("GENTUI_", "GEN_API_", "XDG_"))]:
        monkeypatch.delenv(var)
    for var, value in _clean_env(tmp_path).items():
        monkeypatch.setenv(var, value)
    write_keymap(paths, 'regenerate = "q"')
    for command in (["config", "show"], ["keys"]):
        assert main(command) == 2
        captured = capsys.readouterr()
        assert (captured.out, captured.err) == ("", f"gentui: {paths.config}: {QUIT_CLASH}\n")


def test_the_demo_cockpit_exits_2_at_start_on_a_clash(paths: Paths, tmp_path: Path) -> None:
    write_keymap(paths, 'regenerate = "q"')
    done = subprocess.run([sys.executable, "-m", "gentui", "--demo"], env=_clean_env(tmp_path), capture_output=True,
                          text=True, stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [f"gentui: {paths.config}: {QUIT_CLASH}"]
