"""Without a terminal the cockpit says so and exits 2 at once, instead of spinning on a closed input (issue 15.19)."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from gentui.settings import Paths


def _run(argv: list[str], **streams: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "gentui", *argv], text=True, timeout=60,
                          env={k: v for k, v in os.environ.items() if k != "TEXTUAL_DRIVER"}, **streams)  # type: ignore[call-overload]


@pytest.mark.parametrize("argv", [["--demo"], ["--base-url", "http://127.0.0.1:9/v1", "--allow-insecure-http"]])
def test_no_terminal_at_all_is_one_line_and_exit_2(home: Paths, argv: list[str]) -> None:
    done = _run(argv, stdin=subprocess.DEVNULL, capture_output=True)
    assert done.returncode == 2, done.stderr
    assert "gentui needs a terminal" in done.stderr and done.stderr.count("\n") == 1
    assert "Traceback" not in done.stderr and done.stdout == ""


@pytest.mark.skipif(sys.platform != "linux", reason="pty semantics of Linux")
def test_a_terminal_for_keys_but_a_pipe_for_the_screen_is_refused_too(home: Paths) -> None:
    master, slave = pty.openpty()
    try:
        done = _run(["--demo"], stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2, done.stderr
    assert "gentui needs a terminal" in done.stderr and done.stdout == ""


@pytest.mark.skipif(sys.platform != "linux", reason="pty semantics of Linux")
def test_a_screen_sent_to_a_file_is_refused(home: Paths, tmp_path) -> None:
    master, slave = pty.openpty()
    try:
        with (tmp_path / "err").open("w") as err:
            done = _run(["--demo"], stdin=slave, stdout=slave, stderr=err)
    finally:
        os.close(slave)
        os.close(master)
    assert done.returncode == 2
    assert "gentui needs a terminal" in (tmp_path / "err").read_text()


def test_a_browser_session_of_gentui_serve_is_not_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    from gentui.commands.cockpit import no_terminal

    monkeypatch.delenv("TEXTUAL_DRIVER", raising=False)
    monkeypatch.setattr(sys, "__stdout__", io.StringIO())  # a pipe, whatever runs the tests
    assert no_terminal()
    monkeypatch.setenv("TEXTUAL_DRIVER", "textual.drivers.web_driver:WebDriver")  # what textual-serve sets
    assert not no_terminal()
