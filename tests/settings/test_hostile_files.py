"""config.toml and state.toml that are hostile: a FIFO, a link to /dev/zero, deep nesting, huge numbers.

Each gives one line naming the file (and the key), never a hang, a traceback or unbounded memory.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from gentui.settings import ConfigError, Paths, default_paths, load_settings, load_state


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
            "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
            "XDG_CACHE_HOME": str(tmp_path / "cache")}


@pytest.fixture
def paths(env: dict[str, str]) -> Paths:
    made = default_paths(env)
    made.config.parent.mkdir(parents=True)
    return made


def load_error(paths: Paths) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings({}, env={}, paths=paths)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(f"{paths.config}: ")
    return message


def _limit_memory() -> None:  # the old code read /dev/zero until MemoryError: keep that from taking the machine
    resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))


def config_show(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """`gentui config show` in a child with a deadline and a memory limit (a hang or a flood fails the test)."""
    child_env = {**{k: v for k, v in os.environ.items() if not k.startswith(("GENTUI_", "GEN_API_", "XDG_"))}, **env}
    return subprocess.run([sys.executable, "-m", "gentui", "config", "show"], env=child_env, capture_output=True,
                          text=True, timeout=30, preexec_fn=_limit_memory)


def test_a_fifo_as_config_toml_is_refused_at_once(paths: Paths, env: dict[str, str]) -> None:
    os.mkfifo(paths.config)  # nobody writes: a plain open() blocks for ever
    done = config_show(env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(paths.config) in done.stderr and "not a regular file" in done.stderr


def test_config_toml_linked_to_dev_zero_is_not_read_for_ever(paths: Paths, env: dict[str, str]) -> None:
    paths.config.symlink_to("/dev/zero")
    done = config_show(env)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert str(paths.config) in done.stderr


def test_a_config_toml_over_one_megabyte_is_refused(paths: Paths) -> None:
    paths.config.write_text("# " + "x" * (1 << 20) + "\n", encoding="utf-8")
    assert "larger than 1024 KB" in load_error(paths)


def test_five_thousand_deep_arrays_are_one_line_not_a_recursion_error(paths: Paths) -> None:
    paths.config.write_text("engines = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    assert "nested too deeply" in load_error(paths)


def test_a_deep_state_toml_gives_the_defaults(paths: Paths) -> None:
    paths.state.parent.mkdir(parents=True)
    paths.state.write_text("layout = " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    state = load_state(paths)
    assert state.layout == {} and "nested too deeply" in state.warnings[0]


@pytest.mark.parametrize(("line", "expected"), [
    ("poll_interval = 1e308", "'poll_interval' must be a number from 1 to 3600, got 1e+308"),
    ("poll_interval = inf", "'poll_interval' must be a number from 1 to 3600, got inf"),
    ("poll_interval = nan", "'poll_interval' must be a number from 1 to 3600, got nan"),
    ("poll_interval = 9223372036854775807", "'poll_interval' must be a number from 1 to 3600"),
    ("confirm_above = 1e300", "'confirm_above' must be a number of credits from 0 to 1000000000000"),
    ('spend_cap = "1e400"', "'spend_cap' must be a number of credits from 0 to 1000000000000"),
    ("low_balance_warning = 1e13", "'low_balance_warning' must be a number of credits from 0 to 1000000000000"),
    ("batch_concurrency = 9223372036854775807", "'batch_concurrency' must be an integer from 1 to 16"),
])
def test_every_number_is_bounded_and_the_error_names_key_and_range(paths: Paths, line: str, expected: str) -> None:
    paths.config.write_text(line + "\n", encoding="utf-8")
    assert expected in load_error(paths)


def test_the_environment_is_bounded_the_same_way(paths: Paths) -> None:
    with pytest.raises(ConfigError, match=r"^GENTUI_POLL_INTERVAL: must be a number from 1 to 3600, got 1e\+308$"):
        load_settings({}, env={"GENTUI_POLL_INTERVAL": "1e308"}, paths=paths)
    with pytest.raises(ConfigError, match="^GENTUI_ENGINES: "):
        load_settings({}, env={"GENTUI_ENGINES": "[" * 5000}, paths=paths)


def test_the_bounds_themselves_are_accepted(paths: Paths) -> None:
    paths.config.write_text("poll_interval = 3600\nconfirm_above = 1000000000000\nspend_cap = 0\n", encoding="utf-8")
    settings = load_settings({}, env={}, paths=paths).settings
    assert settings.poll_interval == 3600.0 and settings.spend_cap == 0
