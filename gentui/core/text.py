"""Server strings made safe to show: control and escape characters made visible, length capped.

Every string that came from the server passes through here before any widget sees it. Markup is
handled by the UI (it wraps strings in `rich.text.Text`); this module makes sure that no escape
sequence can reach the terminal and that a 1 MB prompt costs nothing to draw.
"""

from __future__ import annotations

import re
from typing import Any

#: C0 controls (but tab and newline), DEL and C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_BIDI = re.compile(r"[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_VISIBLE = {"\x1b": "␛", "\x00": "␀", "\x07": "␇", "\x08": "␈", "\r": "␍", "\x7f": "␡"}

DEFAULT_LIMIT = 4000
SHORT_LIMIT = 200


def _visible(match: re.Match[str]) -> str:
    char = match.group(0)
    return _VISIBLE.get(char, f"\\x{ord(char):02x}")


def safe_text(value: Any, limit: int = DEFAULT_LIMIT) -> str:
    """A server value as displayable text: `None` -> "", controls made visible, capped at `limit`."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    text = _BIDI.sub("", _CONTROL.sub(_visible, text))
    if len(text) > limit:  # made-visible controls take up to 4 characters each
        text, cut = text[:limit], True
    if cut:
        text += f"… [+{max(0, len(value) - limit) if isinstance(value, str) else 0} chars]"
    return text


def one_line(value: Any, limit: int = SHORT_LIMIT) -> str:
    """Like `safe_text`, on one line (newlines and tabs become spaces)."""
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    text = text[: limit * 2]
    text = " ".join(text.replace("\t", " ").split("\n")).strip()
    out = safe_text(text, limit)
    return out if len(text) <= limit else out.split("… [+")[0].rstrip() + "…"


# --- text for the CLI: a terminal or a JSON reader downstream ------------------------------------

#: what a terminal could act on: C0 controls but tab and newline (ESC opens CSI, OSC, DCS; BEL ends
#: OSC), DEL, C1 controls (U+0080-U+009F: CSI, OSC, DCS in one character) and bidi overrides.
_TERMINAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: what `json.dumps(..., ensure_ascii=False)` leaves raw although a terminal may act on it.
_JSON_RAW = re.compile(r"[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def terminal_safe(value: Any) -> str:
    """Server text for the CLI to print: every control a terminal could act on becomes a visible
    escape (``\\x1b``, ``\\x9b``, ``\\u202e``); tabs and newlines stay. The one helper every CLI
    output that carries server text goes through (`gentui export`, `login`, `status`)."""
    text = value if isinstance(value, str) else str(value)
    return _TERMINAL.sub(_escape, text)


def json_safe(text: str) -> str:
    """JSON text from `json.dumps(..., ensure_ascii=False)` with DEL, C1 controls, line separators
    and bidi overrides written as ``\\u00XX`` escapes: still the same JSON value, nothing raw for a
    terminal (C0 controls are already escaped by `json.dumps`). Only for JSON, where such
    characters can only stand inside strings."""
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)
