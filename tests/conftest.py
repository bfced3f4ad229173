"""Fixtures every part of the suite uses."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gentui.settings import Paths, default_paths


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Paths:
    """The process environment pointed at tmp_path: the user's real files and variables are out of reach."""
    for var in list(os.environ):
        if var.startswith(("GENTUI_", "GEN_API_", "XDG_")) or var == "NO_COLOR":
            monkeypatch.delenv(var)
    env = {"HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for var, value in env.items():
        monkeypatch.setenv(var, value)
    return default_paths(env)
