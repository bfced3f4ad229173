"""`gentui --help`, every option's help, shell completion, `--config PATH`, `--debug` and `gentui logout`
(issue 15 items 18 and 20)."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from gentui.cli import SUBCOMMANDS, build_parser, main, split_global_options
from gentui.settings.paths import config_file_override, default_paths


def walk(parser: argparse.ArgumentParser, where: str = "gentui"):
    """(where, action) for every action of `parser` and of its sub-parsers, however deep."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from walk(sub, f"{where} {name}")
        else:
            yield where, action


def test_every_option_and_argument_has_help_text() -> None:
    missing = [f"{where} {'/'.join(action.option_strings) or action.dest}"
               for where, action in walk(build_parser(configure_subcommands=True))
               if not action.help or action.help == argparse.SUPPRESS]
    assert missing == []


def test_the_help_walk_can_fail() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bare")
    assert [a.dest for _, a in walk(parser) if not a.help] == ["bare"]


def test_help_lists_every_subcommand_on_one_line_and_the_exit_codes(capsys) -> None:
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    for name, (_, help_text) in SUBCOMMANDS.items():
        line = next((line for line in lines if line.split()[:1] == [name]), None)
        assert line is not None, f"{name} not listed"
        assert help_text.split()[0] in line  # its help starts on the same line
    assert "exit codes:" in out
    for code, words in (("0", "ok"), ("2", "usage"), ("3", "authentication"), ("4", "not found"),
                        ("5", "unreachable")):
        assert any(line.split()[:1] == [code] and words in line for line in lines), code
    assert "--config PATH" in out and "--debug" in out


@pytest.mark.parametrize("name", sorted(SUBCOMMANDS))
def test_each_subcommand_has_help_with_the_exit_codes(name: str, capsys) -> None:
    assert main([name, "--help"]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"usage: gentui {name}") and "exit codes:" in out and "--config PATH" in out


def test_a_subcommand_after_cockpit_options_is_a_clear_usage_error(capsys) -> None:
    assert main(["--readonly", "status"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "gentui status [options]" in err


@pytest.mark.parametrize("shell, marker", [("bash", "complete "), ("zsh", "compdef"), ("fish", "complete ")])
def test_completion_prints_a_script_for_each_shell(shell: str, marker: str, capsys) -> None:
    assert main(["completion", shell]) == 0
    out = capsys.readouterr().out
    assert "gentui" in out and marker in out and "_ARGCOMPLETE" in out


def test_completion_refuses_another_shell(capsys) -> None:
    assert main(["completion", "powershell"]) == 2
    assert "invalid choice" in capsys.readouterr().err


def complete(line: str, tmp_path: Path) -> list[str]:
    """What the shell would offer after `line`: gentui run as the completion script runs it."""
    out = tmp_path / "completions.txt"
    env = {**os.environ, "_ARGCOMPLETE": "1", "COMP_LINE": line, "COMP_POINT": str(len(line)),
           "_ARGCOMPLETE_IFS": "\n", "_ARGCOMPLETE_STDOUT_FILENAME": str(out), "HOME": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "gentui"], env=env, timeout=60, check=True, capture_output=True,
                   stdin=subprocess.DEVNULL)
    return [word.strip() for word in out.read_text().split("\n") if word.strip()]


def test_completion_answers_subcommands_options_and_choices(tmp_path: Path) -> None:
    assert complete("gentui comp", tmp_path) == ["completion"]
    assert set(complete("gentui ", tmp_path)) >= set(SUBCOMMANDS)
    assert complete("gentui export --for", tmp_path) == ["--format"]
    assert complete("gentui export --format ", tmp_path) == ["csv", "json"]
    assert set(complete("gentui --de", tmp_path)) == {"--demo", "--debug"}
    assert complete("gentui completion f", tmp_path) == ["fish"]


# --- --config and --debug ----------------------------------------------------------------------------
def test_global_options_are_taken_from_anywhere_and_only_when_spelt_out() -> None:
    common, rest = split_global_options(["status", "--config", "x.toml", "--json", "--debug"])
    assert (common.config, common.debug, rest) == ("x.toml", True, ["status", "--json"])
    common, rest = split_global_options(["--de"])  # an abbreviation of --demo, not of --debug
    assert (common.debug, rest) == (False, ["--de"])
    common, rest = split_global_options(["--config=a.toml", "--", "--debug"])
    assert (common.config, common.debug, rest) == ("a.toml", False, ["--", "--debug"])


def test_config_path_reads_and_writes_that_file_and_not_the_xdg_one(home, tmp_path: Path, capsys) -> None:
    other = tmp_path / "elsewhere" / "work.toml"
    assert main(["--config", str(other), "config", "set", "theme", "nord"]) == 0
    assert tomllib.loads(other.read_text()) == {"theme": "nord"}
    assert stat.S_IMODE(other.stat().st_mode) == 0o600
    assert not home.config.exists()
    capsys.readouterr()
    assert main(["config", "show", "--config", str(other)]) == 0  # after the command's name too
    assert 'theme = "nord"  # config' in capsys.readouterr().out
    assert main(["config", "path", "--config", str(other)]) == 0
    assert f"config\t{other}" in capsys.readouterr().out.splitlines()
    assert config_file_override() is None and default_paths().config == home.config  # nothing left behind
    assert main(["config", "show"]) == 0
    assert 'theme = "gentui-dark"  # default' in capsys.readouterr().out


def test_a_config_path_that_is_a_directory_is_a_one_line_error(home, tmp_path: Path, capsys) -> None:
    assert main(["--config", str(tmp_path), "config", "show"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "cannot read" in err


def test_config_without_its_path_is_a_usage_error(home, capsys) -> None:
    assert main(["keys", "--config"]) == 2
    assert "--config" in capsys.readouterr().err


def test_serve_passes_config_and_debug_to_the_served_app(tmp_path: Path) -> None:
    from gentui.commands.serve import app_command

    args = argparse.Namespace(demo=True, readonly=False, config=str(tmp_path / "c.toml"), debug=True)
    assert app_command(args).endswith(f"--demo --config {tmp_path / 'c.toml'} --debug")


# --- logout ------------------------------------------------------------------------------------------
def test_logout_removes_the_key_keeps_the_rest_and_the_mode(home, capsys) -> None:
    home.config.parent.mkdir(parents=True)
    home.config.write_text('api_key = "sk-secret-1234"\ntheme = "nord"\n[keymap]\nquit = "ctrl+q"\n')
    home.config.chmod(0o600)
    assert main(["logout"]) == 0
    data = tomllib.loads(home.config.read_text())
    assert data == {"theme": "nord", "keymap": {"quit": "ctrl+q"}}
    assert stat.S_IMODE(home.config.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert "removed" in out and "sk-secret" not in out
    assert main(["logout"]) == 0  # again: nothing to remove, nothing rewritten
    assert "No API key stored" in capsys.readouterr().out


def test_logout_notes_a_key_still_in_the_environment(home, monkeypatch, capsys) -> None:
    monkeypatch.setenv("GEN_API_KEY", "sk-env")
    assert main(["logout"]) == 0
    err = capsys.readouterr().err
    assert "GEN_API_KEY is still set" in err and "sk-env" not in err


def test_logout_with_a_broken_config_is_a_one_line_error_and_writes_nothing(home, capsys) -> None:
    home.config.parent.mkdir(parents=True)
    home.config.write_text('api_key = "sk-1234"\ntheme = \n')
    assert main(["logout"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
    assert home.config.read_text() == 'api_key = "sk-1234"\ntheme = \n'


def test_logout_of_the_config_file_given(home, tmp_path: Path) -> None:
    other = tmp_path / "other.toml"
    other.write_text('api_key = "sk-other-9999"\nmouse = false\n')
    assert main(["logout", "--config", str(other)]) == 0
    assert tomllib.loads(other.read_text()) == {"mouse": False}


def test_the_cockpit_gets_debug_and_runs_under_the_config_given(home, tmp_path: Path, monkeypatch) -> None:
    from gentui.commands import cockpit

    seen: list[tuple[argparse.Namespace, Path]] = []
    monkeypatch.setattr(cockpit, "run", lambda args: seen.append((args, default_paths().config)) or 0)
    other = tmp_path / "mine.toml"
    assert main(["--demo", "--debug", "--config", str(other)]) == 0
    args, config = seen[0]
    assert args.demo and args.debug and args.config == str(other) and config == other
    assert default_paths().config == home.config  # and back to the XDG file afterwards
    assert main(["--demo"]) == 0
    assert seen[1][0].debug is False and seen[1][1] == home.config
