"""Two takes' cards compared (gentui.core.take_diff): every field, the prompt word by word."""

from __future__ import annotations

from gentui.core.card import Card
from gentui.core.take_diff import Segment, card_diff, word_diff


def test_the_prompt_is_diffed_word_by_word() -> None:
    assert word_diff("a red fox at dusk", "a grey fox at dawn") == (
        Segment("same", "a "), Segment("removed", "red"), Segment("added", "grey"), Segment("same", " fox at "),
        Segment("removed", "dusk"), Segment("added", "dawn"))
    assert word_diff("same words", "same words") == (Segment("same", "same words"),)
    assert word_diff("", "new") == (Segment("added", "new"),)


def test_every_field_of_either_card_is_compared() -> None:
    left = Card("video_from_text", {"model": "sora_2", "prompt": "a lighthouse", "duration": 8})
    right = Card("video_from_text", {"model": "veo_3_1_fast", "prompt": "a lighthouse at night", "duration": 8,
                                     "aspect_ratio": "9:16"})
    diffs = {d.name: d for d in card_diff(left, right)}
    assert diffs["generation_type"].same and diffs["duration"].same
    assert not diffs["model"].same and (diffs["model"].left, diffs["model"].right) == ("sora_2", "veo_3_1_fast")
    assert not diffs["aspect_ratio"].same and diffs["aspect_ratio"].left is None
    assert diffs["prompt"].words == (Segment("same", "a lighthouse"), Segment("added", " at night"))
    unknown = {d.name: d for d in card_diff(None, right)}
    assert not unknown["model"].same and unknown["model"].left is None
