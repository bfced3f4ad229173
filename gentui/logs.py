"""gentui's log file (the `log` line of `gentui config path`): rotating, mode 0600, the API key never in it.

`start_logging(log_file, level, secrets)` attaches one `RotatingFileHandler` to the `gentui` logger.
Every record goes through `RedactSecrets`, which replaces the API key itself and any
`X-API-Key` / `Authorization` / `token=` value with `***` in the message, its arguments and a traceback,
so a careless `log.debug("%s", headers)` cannot write the key; and it writes control characters from
server text as visible escapes (`\x1b`), one record on one line, so `tail -f` on the log is safe.

Levels (`log_level` in config.toml, `--debug` on the command line): `warning` (the default) logs
problems only; `info` adds the start, connection changes and API errors; `debug` adds one line per
request (method, path, status, time) and the retries.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
import re
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from gentui.core.text import terminal_safe

LEVELS = {"warning": logging.WARNING, "info": logging.INFO, "debug": logging.DEBUG}
MAX_BYTES = 1_000_000  # one file; three older ones are kept (gentui.log.1 .. .3)
BACKUPS = 3
FORMAT = "%(asctime)s %(levelname)-7s %(name)s: %(message)s"
#: the loggers that write to the file (gentui.api says one line per request; httpx's own would repeat it)
LOGGERS = ("gentui",)

_HEADER_VALUE = re.compile(
    r"(?i)((?:x-api-key|authorization|proxy-authorization)[\"']?\s*[:=,]\s*(?:b(?=[\"']))?[\"']?)"  # name, separator, quote
    r"((?:bearer|basic|token)\s+)?"  # a scheme word stays readable
    r"([^\s\"',;}\]]+)"
)
_QUERY_SECRET = re.compile(r"(?i)\b((?:token|api_key|apikey|key)=)[^&\s\"']+")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """`text` with each secret, and every API-key header or token value, replaced by `***`."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, "***")
    text = _HEADER_VALUE.sub(lambda m: f"{m.group(1)}{m.group(2) or ''}***", text)
    return _QUERY_SECRET.sub(r"\1***", text)


class RedactSecrets(logging.Filter):
    """Rewrites each record so that neither the key nor a key-bearing header value is in it."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string: keep what can be shown
            message = f"{record.msg!r} {record.args!r}"
        # one record, one line; server text in it cannot drive the terminal of whoever reads the log
        shown = terminal_safe(redact(message, self.secrets)).replace("\r", "\\r").replace("\n", "\\n")
        record.msg, record.args = shown, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = terminal_safe(redact(record.exc_text, self.secrets))
        record.exc_info = None  # the text above is what the file gets (the raw exception could show the key)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A RotatingFileHandler whose files are created with mode 0600 (the log names engines and spend)."""

    def _open(self) -> Any:
        fd = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0), 0o600)
        with contextlib.suppress(OSError):
            os.fchmod(fd, 0o600)  # an older file made under another umask
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: SIM115 - the handler owns it


_installed: list[tuple[logging.Logger, logging.Handler, int]] = []


def stop_logging() -> None:
    """Detach and close what `start_logging` attached (tests; a second start replaces the first)."""
    while _installed:
        logger, handler, level = _installed.pop()
        logger.removeHandler(handler)
        logger.setLevel(level)
        handler.close()


def start_logging(log_file: Path, level: str = "warning", secrets: Iterable[str | None] = ()) -> logging.Handler | None:
    """Write gentui's log to `log_file` at `level` (`warning`, `info` or `debug`), the `secrets` redacted.

    Returns the handler, or None when the file cannot be opened (a read-only home must not stop the
    app: one line on stderr says so).
    """
    from gentui.settings.files import make_private_dirs

    stop_logging()
    wanted = LEVELS.get(level, logging.WARNING)
    try:
        make_private_dirs(log_file.parent)
        handler: logging.Handler = PrivateRotatingFileHandler(log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                                              encoding="utf-8")
    except OSError as exc:
        print(f"gentui: warning: no log file ({log_file}: {exc.strerror or exc})", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RedactSecrets([s for s in secrets if s]))
    handler.setLevel(wanted)
    for name in LOGGERS:
        logger = logging.getLogger(name)
        _installed.append((logger, handler, logger.level))
        logger.addHandler(handler)
        if wanted < logger.getEffectiveLevel():  # never raised: at `warning` the logger is left as it was
            logger.setLevel(wanted)
    return handler


def start_from_settings(settings: object, log_file: Path, *, debug: bool = False, demo: bool = False,
                        what: str = "gentui", secrets: Iterable[str | None] = ()) -> None:
    """`start_logging` for a loaded `Settings`: its `log_level` (or debug), its key redacted; logs the start.

    The demo's files are thrown away when it ends, its log is not: `--demo --debug` writes the log file
    `gentui config path` names (the demo holds no key of the user's).
    """
    from gentui import __version__
    from gentui.settings.paths import default_paths

    level = "debug" if debug else str(getattr(settings, "log_level", "warning"))
    key_value = getattr(settings, "api_key_value", None)
    key = key_value() if callable(key_value) and not demo else None
    start_logging(default_paths().log if demo else log_file, level, [key, *secrets])
    log = logging.getLogger("gentui")
    log.info("%s %s starting%s (python %s, pid %d, log level %s)", what, __version__, " the demo" if demo else "",
             sys.version.split()[0], os.getpid(), level)
    if demo:
        return
    log.info("base_url %s, agent %s, engine %s", getattr(settings, "base_url", None),
             getattr(settings, "agent_id", None), getattr(settings, "engine_id", None))
