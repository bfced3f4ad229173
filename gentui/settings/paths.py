"""Where gentui keeps its files: XDG base directories, or a throwaway tree for `--demo`."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

APP = "gentui"

#: `gentui --config PATH`: the config file to read and write instead of the XDG one (None: the XDG one).
#: It applies to the paths of the process environment only, never to an explicit `env` (the demo's
#: throwaway tree, the tests' homes).
_config_override: Path | None = None


def set_config_file(path: str | os.PathLike[str] | None) -> Path | None:
    """Use `path` as config.toml from now on (None: back to the XDG file); returns the previous override.

    A relative path is taken from the current directory, `~` is expanded.
    """
    global _config_override
    previous = _config_override
    _config_override = Path(os.path.abspath(os.path.expanduser(os.fspath(path)))) if path is not None else None
    return previous


def config_file_override() -> Path | None:
    return _config_override


@dataclass(frozen=True)
class Paths:
    """Every file gentui reads or writes."""

    config: Path  # $XDG_CONFIG_HOME/gentui/config.toml: the user's settings
    state: Path  # $XDG_STATE_HOME/gentui/state.toml: the app's own memory
    data_dir: Path  # $XDG_DATA_HOME/gentui
    journal: Path  # data_dir/journal.sqlite3
    themes: Path  # $XDG_CONFIG_HOME/gentui/themes: the user's themes
    log: Path  # $XDG_STATE_HOME/gentui/gentui.log
    cache_dir: Path  # $XDG_CACHE_HOME/gentui

    @property
    def config_dir(self) -> Path:
        return self.config.parent

    @classmethod
    def temporary(cls) -> Paths:
        """All files under a fresh temporary directory (the demo's throwaway state and journal)."""
        root = Path(tempfile.mkdtemp(prefix="gentui-demo-"))
        atexit.register(shutil.rmtree, root, True)  # thrown away when the process ends
        return default_paths({
            "HOME": str(root),
            "XDG_CONFIG_HOME": str(root / "config"),
            "XDG_STATE_HOME": str(root / "state"),
            "XDG_DATA_HOME": str(root / "data"),
            "XDG_CACHE_HOME": str(root / "cache"),
        })


def _base(env: Mapping[str, str], var: str, fallback: tuple[str, ...]) -> Path:
    value = env.get(var, "")
    if value and os.path.isabs(value):  # the XDG spec: relative paths are invalid and ignored
        return Path(value)
    home = env.get("HOME") or str(Path.home())
    return Path(home, *fallback)


def default_paths(env: Mapping[str, str] | None = None) -> Paths:
    """The XDG locations, read from `env` (default: the process environment, where `--config` applies)."""
    own = env is None or env is os.environ
    env = os.environ if env is None else env
    config_dir = _base(env, "XDG_CONFIG_HOME", (".config",)) / APP
    state_dir = _base(env, "XDG_STATE_HOME", (".local", "state")) / APP
    data_dir = _base(env, "XDG_DATA_HOME", (".local", "share")) / APP
    cache_dir = _base(env, "XDG_CACHE_HOME", (".cache",)) / APP
    return Paths(
        config=_config_override if own and _config_override is not None else config_dir / "config.toml",
        state=state_dir / "state.toml",
        data_dir=data_dir,
        journal=data_dir / "journal.sqlite3",
        themes=config_dir / "themes",
        log=state_dir / "gentui.log",
        cache_dir=cache_dir,
    )


def display_path(path: Path) -> str:
    """The path as a person would type it: the home directory spelled `~`."""
    home = os.path.expanduser("~")
    text = str(path)
    if home not in ("", "/") and (text == home or text.startswith(home.rstrip("/") + "/")):
        return "~" + text[len(home.rstrip("/")):]
    return text
