"""What happens to a generation: its seeded fate (durations, failure, cost factor) and its output.

Everything here is a pure function of (seed, generation id, kind), so the same seed gives the
same world whatever order requests arrive in.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gentui.api import vocab
from gentui.sim import media

#: total simulated seconds (pending + processing) per kind, at speed 1
DURATIONS: dict[str, tuple[float, float]] = {
    vocab.TEXT: (2.0, 6.0),
    vocab.IMAGE_FROM_TEXT: (5.0, 15.0),
    vocab.SPEECH_FROM_TEXT: (5.0, 20.0),
    vocab.CAPTIONS: (5.0, 20.0),
    vocab.VIDEO_FROM_TEXT: (30.0, 120.0),
    vocab.VIDEO_FROM_IMAGE: (30.0, 120.0),
    vocab.VIDEO_FROM_INGREDIENTS: (30.0, 120.0),
    vocab.LIPSYNC: (30.0, 90.0),
    vocab.RENDER: (20.0, 40.0),
    vocab.MEDIA: (1.0, 3.0),
}

FAILED_REASONS = (
    "Model timed out after 120 s",
    "Content policy: the prompt was flagged",
    "Upstream provider returned 503; credits refunded",
    "Source resource is no longer available",
    "Upstream rejected: [bold]markup[/bold] is not allowed in captions",
)

CENT = Decimal("0.01")

_EXTENSIONS = {
    vocab.IMAGE_FROM_TEXT: ("png", "image"),
    vocab.SPEECH_FROM_TEXT: ("mp3", "audio"),
    vocab.MEDIA: ("png", "image"),
}


@dataclass(frozen=True, slots=True)
class Fate:
    """How one generation will go: decided once, from the seed and its id."""

    fails: bool
    factor: Decimal
    pending_for: float
    processing_for: float
    failed_reason: str | None


def fate(seed: int, generation_id: int, kind: str, failure_rate: float) -> Fate:
    rng = random.Random(f"{seed}:generation:{generation_id}")
    low, high = DURATIONS.get(kind, (5.0, 15.0))
    total = rng.uniform(low, high)
    pending = total * rng.uniform(0.1, 0.25)
    fails = rng.random() < failure_rate
    factor = Decimal(rng.randint(80, 120)) / 100
    reason = rng.choice(FAILED_REASONS) if fails else None
    return Fate(fails, factor, round(pending, 3), round(total - pending, 3), reason)


def final_cost(precharge: Decimal, factor: Decimal) -> Decimal:
    """The reconciled cost: the estimate times the seeded factor, to the cent."""
    return (precharge * factor).quantize(CENT)


def output_count(kind: str, data: dict[str, Any]) -> int:
    if kind in (vocab.TEXT, vocab.CAPTIONS):
        return 0
    if kind == vocab.IMAGE_FROM_TEXT:
        try:
            return max(1, min(4, int(str(data.get("number_of_images", 1)))))
        except ValueError:
            return 1
    return 1


def output_kind(kind: str) -> str:
    """The media kind (image, audio, video) of a generation type's output files."""
    return _EXTENSIONS.get(kind, ("mp4", "video"))[1]


def output_seconds(kind: str, data: dict[str, Any]) -> int | None:
    """The duration written into a video output's placeholder file (the card's, when it has one)."""
    if output_kind(kind) != "video":
        return None
    try:
        return max(1, min(60, int(str(data.get("duration"))))) if data.get("duration") is not None else None
    except ValueError:
        return None


def output_resources(generation_id: int, kind: str, count: int, row: int = 0,
                     seconds: int | None = None) -> list[dict[str, Any]]:
    """`[{id, url, thumbnail_url, object_type, type: "output"}]` for a completed media generation.

    `url` and `thumbnail_url` are paths on the simulator's own origin (`/_sim/media/...`); the
    serializer adds the origin of the request it answers. The id is a content resource id.
    """
    object_type = output_kind(kind)
    out = []
    for i in range(count):
        rid = generation_id * 10 + i
        thumb = media.thumbnail_name(object_type, row, rid)
        out.append(
            {
                "id": rid,
                "url": media.path(media.media_name(object_type, row, rid, seconds)),
                "thumbnail_url": media.path(thumb) if thumb else None,
                "object_type": object_type,
                "type": "output",
            }
        )
    return out


_CLOSINGS = (
    "Cut to product shot. Smile, sip, done.",
    "End card: logo, then the call to action.",
    "Hold on the pour for two beats.",
    "Close on the hands, not the face.",
)


def text_result(generation_id: int, data: dict[str, Any]) -> str:
    """A script-like text that quotes the (expanded) prompt it was made from."""
    prompt = str(data.get("prompt") or "").strip().replace("\n", " ")
    if len(prompt) > 160:
        prompt = prompt[:157] + "..."
    closing = _CLOSINGS[generation_id % len(_CLOSINGS)]
    return f"HOOK: {prompt or 'a fresh take'}\nBODY: three quick beats, one idea each.\nCTA: {closing}"


def captions_result(generation_id: int, data: dict[str, Any]) -> dict[str, Any]:
    text = str(data.get("script") or data.get("prompt") or "Welcome back to another episode of the show")
    words = text.split()[:24] or ["Welcome"]
    start = 0.0
    captions = []
    for i, word in enumerate(words):
        length = 0.25 + ((generation_id + i) % 5) * 0.05
        captions.append({"word": word, "start": round(start, 2), "end": round(start + length, 2)})
        start += length + 0.05
    return {"captions": captions}


def complete_output(generation_id: int, kind: str, data: dict[str, Any]) -> tuple[Any, int]:
    """(result, number of output resources) of a generation that completes."""
    if kind == vocab.TEXT:
        return text_result(generation_id, data), 0
    if kind == vocab.CAPTIONS:
        return captions_result(generation_id, data), 0
    return None, output_count(kind, data)


def value_of(kind: str, result: Any, resources: list[dict[str, Any]]) -> Any:
    """What a cell shows as its `value` when this generation is displayed (None: leave it)."""
    if kind == vocab.TEXT and isinstance(result, str):
        return result
    if kind == vocab.CAPTIONS and isinstance(result, dict):
        return " ".join(c["word"] for c in result.get("captions", []))
    if resources:
        return MediaPath(resources[0]["url"])
    return None


class MediaPath(str):
    """A cell value that is the path of a simulator media file: written with the request's origin."""

    __slots__ = ()
