"""How numbers, durations and errors read on screen and in the CLI: credits, "3m05s", an error with its hint."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from gentui.api import errors
from gentui.core.text import one_line, safe_text

MESSAGE_LIMIT = 500  # characters of a server's error message shown

def describe_error(exc: BaseException) -> str:
    """An error in words, with what to do next (never the key)."""
    if isinstance(exc, errors.GenApiError):
        hint = getattr(exc, "hint", "") or ""
        text = safe_text(exc.message, MESSAGE_LIMIT) or type(exc).__name__  # the server's words: made safe
        if exc.status:
            code = one_line(exc.error_code, 60)
            text = f"{text} (HTTP {exc.status}{', ' + code if code else ''})"
        return f"{text}. {hint}".strip().rstrip(".") + ("." if hint else "")
    return safe_text(f"{type(exc).__name__}: {exc}", MESSAGE_LIMIT)


def plural(n: int, word: str, many: str | None = None) -> str:
    """`1 cell`, `2 cells`, `0 cells` (`many` for an irregular plural: `plural(n, "entry", "entries")`)."""
    return f"{n} {word if n == 1 else many or word + 's'}"


def format_duration(seconds: float) -> str:
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, secs = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


DISPLAY_LIMIT = Decimal(10) ** 15  # credits shown in full below this; beyond, clamped ("≥1e15", "≤-1e15")
_CENT = Decimal("0.01")


def fmt_credits(value: Decimal | float | None, *, signed: bool = False) -> str:
    """Credits as people read them ("1,234.5"): "—" when there is no figure, "?" for one that is
    not a number, clamped beyond `DISPLAY_LIMIT`. Never raises, whatever the value."""
    if value is None:
        return "—"
    try:
        d = value if isinstance(value, Decimal) else Decimal(str(value))
        if not d.is_finite():
            return "?"
        if abs(d) >= DISPLAY_LIMIT:
            return "≤-1e15" if d < 0 else ("+" if signed else "") + "≥1e15"
        d = d.quantize(_CENT)
        text = f"{d:,.2f}".rstrip("0").rstrip(".") if d != d.to_integral() else f"{d:,.0f}"
    except (InvalidOperation, ValueError, TypeError, ArithmeticError):
        return "?"
    if signed and d > 0:
        text = "+" + text
    return text
