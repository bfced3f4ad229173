"""One take (a generation of a cell), in full: status, times, cost, failure, outputs, preview, and its card."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import Static

from gentui.api import vocab
from gentui.core.card import Card
from gentui.core.formatting import fmt_credits
from gentui.core.takes import TakeCard, TakeOutputs
from gentui.core.text import safe_text
from gentui.core.views import JobView
from gentui.ui.look import elapsed, status_text
from gentui.ui.widgets.preview import PreviewBox

if TYPE_CHECKING:
    from gentui.core.media import MediaFetcher

TEXT_SHOWN = 200_000  # characters of a text result shown (the panel scrolls)


def clock(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts)) if ts is not None else "—"


@dataclass(frozen=True)
class Take:
    """What the detail shows of one take: the job, the card it was made with, its outputs."""

    job: JobView
    card: TakeCard
    outputs: TakeOutputs
    displayed: bool = False
    position: tuple[int, int] = (1, 1)  # (n, of): take n of the cell's takes, newest first
    estimate: Decimal | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)


def link(text: Text, url: str, label: str | None = None) -> None:
    """An OSC 8 hyperlink (terminals that know them open it on click), shown underlined."""
    text.append(label or url, style=Style(link=url, underline=True))


def card_lines(card: Card | None, source: str, text: Text, marks: Mapping[str, bool] | None = None) -> None:
    if card is None:
        text.append("card  ", style="dim")
        text.append(f"not known ({source})\n", style="italic")
        return
    text.append("card  ", style="dim")
    text.append(card.generation_type, style="bold")
    text.append(f"  ({source})\n", style="dim")
    names = [f.name for f in vocab.CARD_FIELDS.get(card.generation_type, ())]
    for name in [*names, *(k for k in card.data if k not in names)]:
        value = card.data.get(name)
        if value in (None, "", []):
            continue
        text.append(f"  {name.replace('_', ' ')}: ", style="dim")
        text.append(safe_text(", ".join(map(str, value)) if isinstance(value, list) else value, 2000))
        text.append("\n")


def take_text(take: Take, now: float, colors: Mapping[str, str]) -> Text:
    job, text = take.job, Text()
    n, of = take.position
    text.append(f"take {n} of {of}", style="bold")
    text.append(f"  {job.id}", style="dim")
    if take.displayed:
        text.append("  ◆ displayed", style="bold")
    text.append("\n")
    text.append_text(status_text(job.status, colors))
    took = elapsed(job, now)
    if took:
        text.append(f"  took {took}")
    if job.execution_cost is not None and not job.in_flight:
        text.append(f"  cost {fmt_credits(job.execution_cost)}")
    elif take.estimate is not None and job.in_flight:
        text.append(f"  ~{fmt_credits(take.estimate)} est.", style="dim")
    text.append("\n")
    text.append("created ", style="dim")
    text.append(clock(job.started_at))
    if job.finished_at is not None:
        text.append("  ended ", style="dim")
        text.append(clock(job.finished_at))
    text.append("\n")
    if job.failed_reason:
        text.append("failed: ", style=f"bold {colors.get(vocab.FAILED, 'red')}")
        text.append(job.failed_reason)
        text.append("\n")
    card = take.card.card
    outputs_text(take.outputs, text, card.duration if card is not None else None)
    card_lines(take.card.card, take.card.source, text)
    return text


def outputs_text(outputs: TakeOutputs, text: Text, card_duration: Any = None) -> None:
    """Each output (kind, duration, link, thumbnail link), then captions as word timings, then text in full.
    A duration is the output's own field; else, for video and audio, the card's (said so)."""
    for out in outputs.outputs:
        text.append("↳ ", style="dim")
        if out.kind:
            text.append(f"{out.kind} ", style="bold")
        if out.duration is not None:
            text.append(f"{out.duration:g} s ", style="bold")
        elif out.kind in ("video", "audio") and card_duration not in (None, ""):
            text.append(f"{safe_text(card_duration, 10)} s (card) ", style="dim")
        link(text, out.url)
        text.append("\n")
        if out.thumbnail_url and out.thumbnail_url != out.url:
            text.append("  thumbnail ", style="dim")
            link(text, out.thumbnail_url)
            text.append("\n")
    if outputs.captions:
        text.append("captions (word, start–end s):\n", style="dim")
        for word in outputs.captions:
            start = f"{word.start:.2f}" if word.start is not None else "?"
            end = f"{word.end:.2f}" if word.end is not None else "?"
            text.append(f"  {start}–{end}  ", style="dim")
            text.append(word.word)
            text.append("\n")
    if outputs.text:
        text.append("result:\n", style="dim")
        text.append(outputs.text[:TEXT_SHOWN])
        text.append("\n")


class TakePanel(Vertical):
    """The selected take of the history table, with its preview."""

    DEFAULT_CSS = """
    TakePanel { height: auto; border-top: solid $panel-lighten-2; }
    """

    class Changed(Message):
        """More is known of a take (its full generation arrived): show it again if it is still selected."""

        def __init__(self, job_id: str) -> None:
            super().__init__()
            self.job_id = job_id

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.take: Take | None = None

    def compose(self) -> ComposeResult:
        yield Static("", id="take-text")
        yield PreviewBox(id="take-preview")

    def show(self, take: Take | None, now: float, colors: Mapping[str, str], fetcher: MediaFetcher | None,
             graphics: str) -> None:
        self.take = take
        self.display = take is not None
        if take is None:
            self.query_one(PreviewBox).show(None, None, graphics)
            return
        self.query_one("#take-text", Static).update(take_text(take, now, colors))
        self.query_one(PreviewBox).show(take.outputs.preview_url, fetcher, graphics)
