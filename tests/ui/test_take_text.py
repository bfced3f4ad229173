"""The take panel's words: outputs as OSC 8 hyperlinks, durations, captions as word timings, text in full,
and where the card comes from."""

from __future__ import annotations

from decimal import Decimal

from gentui.api import vocab
from gentui.core.card import Card
from gentui.core.takes import SENT, UNKNOWN, Output, TakeCard, TakeOutputs, Word
from gentui.core.views import JobView
from gentui.ui.look import palette
from gentui.ui.widgets.take_detail import Take, take_text

JOB = JobView("42", vocab.COMPLETED, "kling_video_generation", 1_795_000_000.0, 1_795_000_060.0, Decimal("12.5"))


def links(text) -> list[str]:
    return [span.style.link for span in text.spans if not isinstance(span.style, str) and span.style.link]


def test_outputs_are_hyperlinks_with_their_durations_and_the_cards_source() -> None:
    outputs = TakeOutputs((Output("https://cdn.test/v.mp4", "video", "https://cdn.test/v.png"),
                           Output("https://cdn.test/a.mp3", "audio", None, "9", Decimal("3.5"))))
    card = Card("video_from_text", {"model": "sora_2", "prompt": "a [b]lighthouse[/b]", "duration": 8})
    text = take_text(Take(JOB, TakeCard(card, SENT), outputs, displayed=True, position=(2, 3)), 1_795_000_100.0,
                     palette({}))
    plain = text.plain
    assert links(text) == ["https://cdn.test/v.mp4", "https://cdn.test/v.png", "https://cdn.test/a.mp3"]
    assert "video 8 s (card) https://cdn.test/v.mp4" in plain and "audio 3.5 s https://cdn.test/a.mp3" in plain
    assert "take 2 of 3  42  ◆ displayed" in plain and "cost 12.5" in plain
    assert f"({SENT})" in plain and "prompt: a [b]lighthouse[/b]" in plain  # server text is literal, never markup


def test_captions_are_word_timings_and_text_is_shown_in_full() -> None:
    long = "word " * 5000
    outputs = TakeOutputs((), long, (Word("Welcome", 0.0, 0.45), Word("back", 0.45, None)))
    plain = take_text(Take(JOB, TakeCard(None, UNKNOWN), outputs), 0.0, palette({})).plain
    assert "0.00–0.45  Welcome" in plain and "0.45–?  back" in plain
    assert long in plain
    assert f"not known ({UNKNOWN})" in plain
