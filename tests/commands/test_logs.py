"""The log file `gentui config path` names (issue 15 item 16): written, rotating, 0600, the key never in it,
its level from `log_level` or `--debug`."""

from __future__ import annotations

import argparse
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from gentui.logs import BACKUPS, RedactSecrets, redact, start_logging, stop_logging

KEY = "sk-live-Zq81-very-secret-key"


@pytest.fixture(autouse=True)
def clean_logging() -> Iterator[None]:
    yield
    stop_logging()


def test_the_key_itself_is_never_written_however_it_is_logged(tmp_path: Path) -> None:
    log_file = tmp_path / "state" / "gentui.log"
    start_logging(log_file, "debug", [KEY])
    log = logging.getLogger("gentui.test")
    log.debug("plain %s", KEY)
    log.info("headers %s", {"X-API-Key": KEY, "Accept": "application/json"})
    log.warning(f"in the message itself {KEY}")
    try:
        raise ValueError(f"bad key {KEY}")
    except ValueError:
        log.exception("failed with %r", KEY)
    text = log_file.read_text()
    assert KEY not in text and KEY[:12] not in text
    assert text.count("***") >= 5 and "ValueError: bad key ***" in text and "Accept" in text


@pytest.mark.parametrize("line, shown", [
    ("X-API-Key: abc123def", "X-API-Key: ***"),
    ("'x-api-key': 'abc123def'", "'x-api-key': '***'"),
    ('{"X-Api-Key":"abc123def"}', '{"X-Api-Key":"***"}'),
    ("(b'x-api-key', b'abc123def')", "(b'x-api-key', b'***')"),
    ("Authorization: Bearer abc123def", "Authorization: Bearer ***"),
    ("authorization=Basic dXNlcjpwdw==", "authorization=Basic ***"),
    ("GET /?token=abc123def&fontsize=16", "GET /?token=***&fontsize=16"),
    ("GET /v1/vidsheet/101?agent_id=42", "GET /v1/vidsheet/101?agent_id=42"),  # ids stay readable
])
def test_any_key_bearing_header_value_is_redacted_even_an_unknown_key(line: str, shown: str) -> None:
    assert redact(line) == shown


def test_the_filter_leaves_nothing_of_the_key_in_the_record(tmp_path: Path) -> None:
    record = logging.LogRecord("gentui", logging.INFO, __file__, 1, "key %s", (KEY,), None)
    assert RedactSecrets([KEY]).filter(record)
    assert record.getMessage() == "key ***" and KEY not in repr(record.__dict__)


def test_server_text_cannot_forge_lines_or_drive_the_terminal_of_who_reads_the_log(tmp_path: Path) -> None:
    log_file = tmp_path / "gentui.log"
    start_logging(log_file, "info")
    logging.getLogger("gentui.core.session").info("connection stale: %s", "bad\n2026-01-01 INFO forged\x1b]52;c;eA==\x07")
    lines = log_file.read_text().splitlines()
    assert len(lines) == 1 and "\x1b" not in lines[0] and "\x07" not in lines[0]
    assert "bad\\n2026-01-01 INFO forged\\x1b]52" in lines[0]


def test_the_file_is_private_and_rotates(tmp_path: Path) -> None:
    log_file = tmp_path / "gentui.log"
    old_umask = os.umask(0)  # a file not given its mode would come out 0666
    try:
        handler = start_logging(log_file, "info")
        assert isinstance(handler, logging.handlers.RotatingFileHandler)
        handler.maxBytes = 2000  # small, to see it rotate
        log = logging.getLogger("gentui")
        for n in range(400):
            log.info("line %d %s", n, "x" * 40)
    finally:
        os.umask(old_umask)
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["gentui.log", *(f"gentui.log.{i}" for i in range(1, BACKUPS + 1))]
    for path in tmp_path.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    assert "line 399" in log_file.read_text()


@pytest.mark.parametrize("level, written", [("warning", ["W"]), ("info", ["I", "W"]), ("debug", ["D", "I", "W"])])
def test_the_level_decides_what_is_written(tmp_path: Path, level: str, written: list[str]) -> None:
    log_file = tmp_path / "gentui.log"
    start_logging(log_file, level)
    log = logging.getLogger("gentui.api")
    log.debug("D"), log.info("I"), log.warning("W")
    assert [line.rsplit(" ", 1)[-1] for line in log_file.read_text().splitlines()] == written


def test_a_log_file_that_cannot_be_opened_is_one_warning_not_a_failure(tmp_path: Path, capsys) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert start_logging(blocker / "gentui.log", "info") is None
    assert capsys.readouterr().err.startswith("gentui: warning: no log file")


def write_config(home, text: str) -> None:
    home.config.parent.mkdir(parents=True, exist_ok=True)
    home.config.write_text(text)
    home.config.chmod(0o600)


def test_the_cockpit_writes_its_start_to_the_log_at_the_configured_level(home) -> None:
    from gentui.commands.cockpit import build_launch

    write_config(home, f'api_key = "{KEY}"\nlog_level = "info"\nbase_url = "http://127.0.0.1:9/v1"\n')
    build_launch(argparse.Namespace())
    text = home.log.read_text()
    assert "gentui 0" in text and "starting" in text and "base_url http://127.0.0.1:9/v1" in text
    assert KEY not in text
    assert stat.S_IMODE(home.log.stat().st_mode) == 0o600


def test_debug_on_the_command_line_wins_over_the_setting(home) -> None:
    from gentui.commands.cockpit import build_launch

    write_config(home, f'api_key = "{KEY}"\nbase_url = "http://127.0.0.1:9/v1"\n')  # log_level: warning
    build_launch(argparse.Namespace())
    assert "starting" not in home.log.read_text()
    build_launch(argparse.Namespace(debug=True))
    assert "log level debug" in home.log.read_text()
    assert logging.getLogger("gentui").getEffectiveLevel() == logging.DEBUG


def test_a_failing_command_logs_its_requests_and_error_without_the_key(home, capsys) -> None:
    from gentui.cli import main

    write_config(home, f'api_key = "{KEY}"\nbase_url = "http://127.0.0.1:9/v1"\nagent_id = "1"\n')
    assert main(["status", "--json", "--debug"]) == 5  # nothing listens on port 9
    text = home.log.read_text()
    assert "gentui status" in text and "GET " in text and "no answer" in text
    assert KEY not in text


def test_log_level_is_a_checked_setting(home, capsys) -> None:
    from gentui.cli import main

    assert main(["config", "set", "log_level", "debug"]) == 0
    assert main(["config", "set", "log_level", "loud"]) == 2
    assert "log_level" in capsys.readouterr().err
