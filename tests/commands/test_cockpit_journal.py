"""`gentui` with a journal it cannot use: one line naming the file and what to do; `--readonly` runs without it."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

import pytest

from gentui.commands.cockpit import build_launch
from gentui.settings import ConfigError, Paths

from ..ui.pilot import wait_for

KEY = "gen-live-0123456789abcdefWXYZ"
CLOSED = "http://127.0.0.1:9/v1"  # the discard port: nothing listens, a connection is refused at once


def garble(paths: Paths) -> None:
    paths.journal.parent.mkdir(parents=True, exist_ok=True)
    paths.journal.write_bytes(b"this is not SQLite\n" * 500)


def args(**extra: object) -> argparse.Namespace:
    given: dict[str, object] = {"base_url": CLOSED, "agent_id": "1", "engine_id": "100", "readonly": None,
                                "theme": None, "allow_insecure_http": None, "demo": False}
    return argparse.Namespace(**{**given, **extra})


def test_a_garbled_journal_stops_gentui_with_one_line_and_no_traceback(home: Paths) -> None:
    garble(home)
    env = {**os.environ, "GEN_API_KEY": KEY}
    done = subprocess.run([sys.executable, "-m", "gentui", "--base-url", CLOSED, "--agent", "1", "--engine", "100"],
                          env=env, capture_output=True, text=True, timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "journal" in done.stderr and "journal.sqlite3" in done.stderr and "damaged" in done.stderr
    assert "mv " in done.stderr and "--readonly" in done.stderr


def test_an_unwritable_data_directory_is_one_config_error(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_API_KEY", KEY)
    home.data_dir.parent.mkdir(parents=True)
    home.data_dir.write_text("a file where gentui's data folder should be")
    with pytest.raises(ConfigError, match=r"^journal .*journal\.sqlite3: cannot be written .*--readonly$"):
        build_launch(args())


def test_readonly_runs_without_the_journal_and_says_so(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_API_KEY", KEY)
    garble(home)
    launch = build_launch(args(readonly=True))
    assert launch.journal is None and launch.guards.readonly
    [warning] = [w for w in launch.warnings if "journal" in w]
    assert "journal.sqlite3: damaged" in warning and "running read-only without it" in warning


def test_readonly_with_a_good_journal_still_uses_it(home: Paths, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GEN_API_KEY", KEY)
    launch = build_launch(args(readonly=True))
    assert launch.journal is not None
    launch.journal.close()


async def test_the_readonly_app_starts_and_shows_the_journal_warning(home: Paths,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from gentui.ui.app import GentuiApp

    monkeypatch.setenv("GEN_API_KEY", KEY)
    garble(home)
    app = GentuiApp(build_launch(args(readonly=True)))
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: any("journal" in n.message for n in app._notifications), what="the journal line")
        assert any("running read-only without it" in n.message for n in app._notifications)
        assert app.is_running
