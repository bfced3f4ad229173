"""`gentui sim`: export lines, `--env-file` (0600), `--no-compress`, and the one-line missing-extra error."""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from gentui.commands import sim as serve


def _parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    serve.configure(parser)
    return parser.parse_args(list(argv))


class _NoServe:
    def __init__(self, app: Any) -> None:
        self.app = app

    def run(self, sockets: Any) -> None:
        for sock in sockets:
            sock.close()


def test_no_compress_reaches_the_options() -> None:
    assert serve.options_from(_parse("--no-compress")).compress is False
    assert serve.options_from(_parse()).compress is True


def test_start_lines_are_exports_and_the_env_file_is_0600(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    import gentui.sim.server as server

    monkeypatch.setattr(server, "uvicorn_server", _NoServe)
    env = tmp_path / "sim.env"
    env.write_text("old")
    env.chmod(0o644)
    assert serve.run(_parse("--port", "0", "--env-file", str(env), "--quiet")) == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split("=")[0] for line in out] == ["export GEN_API_BASE_URL", "export GEN_API_KEY",
                                                    "export GENTUI_AGENT_ID", "export GENTUI_ENGINE_ID"]
    assert out[1] == "export GEN_API_KEY=sim-key"
    assert env.read_text().splitlines() == out
    assert stat.S_IMODE(env.stat().st_mode) == 0o600
    # the lines are shell: sourcing them sets the variables
    shell = subprocess.run(["sh", "-c", f". {env}; echo $GEN_API_KEY $GENTUI_ENGINE_ID"], capture_output=True,
                           text=True, check=True, env={"PATH": os.environ.get("PATH", "")})
    assert shell.stdout.split()[0] == "sim-key"


def test_an_unwritable_env_file_is_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert serve.run(_parse("--port", "0", "--env-file", str(tmp_path / "no" / "such" / "dir"))) == 2
    err = capsys.readouterr().err
    assert err.startswith("gentui sim: cannot write") and err.count("\n") == 1


def test_without_uvicorn_it_says_which_extra_in_one_line(monkeypatch: pytest.MonkeyPatch,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "uvicorn", None)  # `import uvicorn` now raises ImportError
    monkeypatch.delitem(sys.modules, "gentui.sim.server", raising=False)
    assert serve.run(_parse("--port", "0")) == 2
    captured = capsys.readouterr()
    assert captured.err == "gentui sim needs the sim extra: pip install 'gentui[sim]'\n"
    assert "Traceback" not in captured.err and captured.out == ""
