"""How states look: status glyphs, colours and the rich `Text` of grid cells and history rows.

Every server string enters a `Text` as plain text (never parsed as markup), after
`gentui.core.text` has made its control characters visible.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from rich.text import Text

from gentui.api import vocab
from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.text import one_line
from gentui.core.views import CellView, JobView
from gentui.ui.themes import FALLBACK_STATUS

GLYPHS: dict[str, str] = {
    vocab.IDLE: "·",
    vocab.PENDING: "○",
    vocab.PROCESSING: "◐",
    vocab.COMPLETED: "●",
    vocab.FAILED: "×",
    vocab.STOPPED: "■",
    vocab.UNKNOWN: "?",
}
SPINNER = "◐◓◑◒"
RESEND_MARK = "↻"  # a charged POST of this cell lost its answer: it is sent again (ctrl+p lists them, with cancel)

#: the colours used when a theme does not give one: gentui-dark's, the one fallback palette
DEFAULT_COLORS: dict[str, str] = {name.removeprefix("status-"): color for name, color in FALLBACK_STATUS.items()}


def rich_color(color: str) -> str:
    """A theme colour as a Rich style: Textual's `ansi_bright_green` is Rich's `bright_green`."""
    return color.removeprefix("ansi_")


def palette(variables: Mapping[str, str]) -> dict[str, str]:
    """Status -> colour (as a Rich style), from the theme's `status-*` variables (defaults where a theme
    lacks one). ANSI themes name the terminal's own colours, which Rich spells without `ansi_`."""
    return {name: rich_color(variables.get(f"status-{name}", color)) for name, color in DEFAULT_COLORS.items()}


def glyph(status: str, tick: int = 0) -> str:
    if status == vocab.PROCESSING:
        return SPINNER[tick % len(SPINNER)]
    return GLYPHS.get(status, GLYPHS["unknown"])


def status_text(status: str, colors: Mapping[str, str], *, label: bool = True) -> Text:
    color = colors.get(status, colors.get("unknown", ""))
    return Text(f"{glyph(status)} {status}" if label else glyph(status), style=color)


def elapsed(job: JobView | None, now: float) -> str:
    if job is None or job.started_at is None:
        return ""
    end = job.finished_at if (job.finished_at and not job.in_flight) else now
    return format_duration(max(0.0, end - job.started_at))


def cell_text(cell: CellView, colors: Mapping[str, str], now: float, *, marked: bool = False, tick: int = 0,
              resend: bool = False, stale: bool = False) -> Text:
    """The grid cell: glyph, then elapsed+model while in flight, else the value or output kind.

    `stale`: what is shown may no longer be true (offline, a late poll): an in-flight cell is dimmed,
    its glyph stands still and its time is the one given (the screen gives the time it went stale).

    `resend`: a charged POST of this cell is waiting to be sent again (its answer was lost): `RESEND_MARK`."""
    status = cell.status
    color = colors.get(status, colors["unknown"])
    text = Text(no_wrap=True, overflow="ellipsis")
    if marked:
        text.append("▌", style=f"bold {colors['marked']}")
    text.append(GLYPHS.get(status, GLYPHS["unknown"]) if stale else glyph(status, tick), style=f"bold {color}")
    if resend:
        text.append(RESEND_MARK, style=f"bold {colors[vocab.PENDING]}")
    text.append(" ")
    latest = cell.latest
    if latest is not None and latest.in_flight:
        text.append(elapsed(latest, now), style=color)
        if cell.model:
            text.append(f" {cell.model}", style="dim")
        if stale:
            text.stylize("dim")
        return text
    if status == vocab.FAILED and latest is not None:
        text.append(vocab.FAILED, style=color)
        if latest.failed_reason:
            text.append(f" {one_line(latest.failed_reason, 40)}", style="dim")
        return text
    shown = cell.displayed
    if cell.value and not (shown is not None and shown.output_kind not in ("", "text") and _is_url(cell.value)):
        text.append(cell.value)
    elif shown is not None and shown.output_kind:
        text.append(shown.output_kind, style="italic")
        if cell.model:
            text.append(f" {cell.model}", style="dim")
    elif status == vocab.STOPPED:
        text.append(vocab.STOPPED, style=color)
    else:
        text.append("—", style="dim")
    return text


def _is_url(value: str) -> bool:
    return value[:8].lower().startswith(("http://", "https://"))


def history_row(
    job: JobView,
    colors: Mapping[str, str],
    now: float,
    *,
    displayed: bool,
    model: str | None,
    format_time: Callable[[float | None], str],
    estimate: Decimal | None = None,
) -> tuple[Text, ...]:
    marker = Text("◆" if displayed else " ", style="bold " + colors[vocab.COMPLETED] if displayed else "")
    cost: Text
    if job.execution_cost is not None and not job.in_flight:
        cost = Text(fmt_credits(job.execution_cost))
    elif estimate is not None and job.in_flight:
        cost = Text(f"~{fmt_credits(estimate)}", style="dim")
    else:
        cost = Text("—", style="dim")
    return (
        marker,
        Text(format_time(job.started_at)),
        status_text(job.status, colors),
        Text(one_line(model, 30) if model else "—", no_wrap=True),
        cost,
        Text(elapsed(job, now)),
        Text(job.id, style="dim"),
    )


def money(value: Decimal | None) -> str:
    return fmt_credits(value)
