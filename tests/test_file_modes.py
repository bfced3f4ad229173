"""Every file holding engine content or spend is mode 0600, whatever the umask and whoever made its folder.

(The journal and its -wal/-shm: tests/core/test_journal.py; `gentui export --output`:
tests/commands/test_export_status_serve.py.)
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gentui.core.engine_cache import EngineCache
from gentui.core.export import write_export, write_private
from gentui.settings import AppState, default_paths, save_state, set_config_key


def mode(path: Path) -> str:
    return oct(stat.S_IMODE(path.stat().st_mode))


@pytest.fixture
def open_umask() -> Iterator[None]:
    """umask 0: any file not given its mode explicitly would come out 0666."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


@pytest.fixture
def shared(tmp_path: Path) -> Path:
    """A folder gentui did not make, readable by everyone."""
    folder = tmp_path / "shared"
    folder.mkdir()
    folder.chmod(0o755)
    return folder


def test_export_files_are_0600(shared: Path, open_umask: None) -> None:
    assert mode(write_export(shared, "a.csv", "row,x\n")) == "0o600"
    assert mode(write_export(shared / "made" / "here", "a.json", "[]\n")) == "0o600"


def test_an_existing_0644_export_is_made_0600_when_rewritten(shared: Path, open_umask: None) -> None:
    old = shared / "a.csv"
    old.write_text("older")
    old.chmod(0o644)
    write_export(shared, "a.csv", "row,x\n")
    assert mode(old) == "0o600" and old.read_text() == "row,x\n"


def test_writing_to_a_fifo_or_device_leaves_it_alone(tmp_path: Path) -> None:
    write_private(Path(os.devnull), "discarded")  # `--output /dev/null` works and /dev/null keeps its mode
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode) and mode(Path(os.devnull)) == "0o666"


def test_the_engine_cache_is_0600(shared: Path, open_umask: None) -> None:
    cache = EngineCache(shared)
    (shared / "engines").mkdir(mode=0o777)
    assert cache.save("https://api.gen.pro/v1", "1", "2", '{"id": 2}')
    assert mode(cache.path("https://api.gen.pro/v1", "1", "2")) == "0o600"


def test_state_and_config_files_are_0600(tmp_path: Path, open_umask: None) -> None:
    env = {"HOME": str(tmp_path), "XDG_CONFIG_HOME": str(tmp_path / "config"),
           "XDG_STATE_HOME": str(tmp_path / "state"), "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CACHE_HOME": str(tmp_path / "cache")}
    paths = default_paths(env)
    for folder in (paths.config.parent, paths.state.parent):
        folder.mkdir(parents=True, mode=0o777)
    save_state(AppState(last_engine_id="2"), paths)
    set_config_key("theme", "gentui-light", paths)
    assert mode(paths.state) == "0o600" and mode(paths.config) == "0o600"
