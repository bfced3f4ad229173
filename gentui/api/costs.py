"""Documented cost estimates (gen-api.md A8), in credits, per generation type, model and duration.

The simulator pre-charges exactly these; the client shows them labelled as estimates until a
generation's real `execution_cost` is known.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from gentui.api.vocab import (
    CAPTIONS,
    DEFAULT_DURATION,
    DEFAULT_MODEL,
    IMAGE_FROM_TEXT,
    LIPSYNC,
    MEDIA,
    RENDER,
    SPEECH_FROM_TEXT,
    TEXT,
    VIDEO_FROM_IMAGE,
    VIDEO_FROM_INGREDIENTS,
    VIDEO_FROM_TEXT,
    canonical_model,
)


@dataclass(frozen=True)
class Estimate:
    """A documented cost estimate in credits, with where it comes from."""

    credits: Decimal
    basis: str
    documented: bool = True
    notes: tuple[str, ...] = field(default=())


# Per-call text costs: A8 gives Flash 1-3 and 2.5 Pro 4-8 for 500 tokens; we take the middle.
_TEXT_COST = {
    "gemini_2_0_flash": Decimal(2),
    "gemini_2_5_pro": Decimal(6),
    "gpt_4o": Decimal(6),
    "gpt_4o_mini": Decimal(2),
    "o3_mini": Decimal(4),
    "o4_mini": Decimal(4),
    "claude_sonnet_4": Decimal(6),
}
_IMAGE_COST = {"gemini_image": Decimal(5), "gemini_pro_image": Decimal(5), "midjourney": Decimal(15), "grok": Decimal(5)}
# Video per second: Seedance Pro 5 s ~250 (50/s), Veo 3 10 s ~600 (60/s).
_VIDEO_PER_SECOND_SEEDANCE = Decimal(50)
_VIDEO_PER_SECOND = Decimal(60)
SPEECH_COST = Decimal(30)  # 1 minute of ElevenLabs
LIPSYNC_PER_SECOND = Decimal(20)  # 10 s ~200
CAPTIONS_COST = Decimal(10)
RENDER_COST = Decimal(50)  # 30 s vertical


def _int_or(value: object, default: int) -> int:
    try:
        n = int(str(value).strip())
    except (TypeError, ValueError):
        return default
    return n if n > 0 else default


def estimate(generation_type: str, model: str | None = None, duration: object = None, data: dict | None = None) -> Estimate:
    """The documented estimate for one generation (A8), in credits.

    The simulator pre-charges exactly this; the client shows it labelled as an estimate.
    """
    m = canonical_model(model) or DEFAULT_MODEL.get(generation_type) or ""
    data = data or {}
    if generation_type == TEXT:
        cost = _TEXT_COST.get(m, Decimal(2))
        return Estimate(cost, f"text {m or 'default'} ~500 tokens", m in ("gemini_2_0_flash", "gemini_2_5_pro"))
    if generation_type == IMAGE_FROM_TEXT:
        n = _int_or(data.get("number_of_images"), 1)
        cost = _IMAGE_COST.get(m, Decimal(5)) * n
        return Estimate(cost, f"image {m} x{n}", m in ("gemini_image", "midjourney"))
    if generation_type in (VIDEO_FROM_TEXT, VIDEO_FROM_IMAGE, VIDEO_FROM_INGREDIENTS):
        secs = _int_or(duration, DEFAULT_DURATION)
        rate = _VIDEO_PER_SECOND_SEEDANCE if m.startswith("seedance") else _VIDEO_PER_SECOND
        return Estimate(rate * secs, f"video {m} {secs}s", m.startswith(("seedance", "veo")))
    if generation_type == SPEECH_FROM_TEXT:
        return Estimate(SPEECH_COST, "speech ~1 min")
    if generation_type == LIPSYNC:
        secs = _int_or(duration, 10)
        return Estimate(LIPSYNC_PER_SECOND * secs, f"lipsync {secs}s")
    if generation_type == CAPTIONS:
        return Estimate(CAPTIONS_COST, "captions ~1 min audio")
    if generation_type == RENDER:
        return Estimate(RENDER_COST, "render ~30 s vertical")
    if generation_type == MEDIA:
        return Estimate(Decimal(0), "media (no AI)")
    return Estimate(Decimal(0), "unknown type", documented=False)


def estimate_credits(generation_type: str, model: str | None = None, duration: object = None, data: dict | None = None) -> Decimal:
    return estimate(generation_type, model, duration, data).credits
