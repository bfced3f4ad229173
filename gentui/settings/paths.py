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
    """The XDG locations, read from `env` (default: the process environment)."""
    env = os.environ if env is None else env
    config_dir = _base(env, "XDG_CONFIG_HOME", (".config",)) / APP
    state_dir = _base(env, "XDG_STATE_HOME", (".local", "state")) / APP
    data_dir = _base(env, "XDG_DATA_HOME", (".local", "share")) / APP
    cache_dir = _base(env, "XDG_CACHE_HOME", (".cache",)) / APP
    return Paths(
        config=config_dir / "config.toml",
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
