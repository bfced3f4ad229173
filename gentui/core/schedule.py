"""When to look at each generation in flight: dense inside its likely finishing window, sparse outside.

A generation of a given type and model takes a duration that this session learns from what it has
seen finish (creation to end, from the server's own times), seeded from sensible defaults per type.
The likely window is [low, high] of those durations; inside it a generation is checked every
`dense` seconds (what the finish-to-seen target allows: 3 s for text and images, 6 s for video, at
p95, so a little less); before it, once just as it opens (and at most `sparse` apart, to catch an
early failure); past it, less and less often, up to `sparse`.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from gentui.api import vocab

#: (low, high) seconds from creation to end, before anything of the type has been seen finishing
DEFAULT_WINDOWS: dict[str, tuple[float, float]] = {
    vocab.TEXT: (2.0, 30.0),
    vocab.IMAGE_FROM_TEXT: (4.0, 60.0),
    vocab.SPEECH_FROM_TEXT: (4.0, 60.0),
    vocab.CAPTIONS: (4.0, 60.0),
    vocab.MEDIA: (1.0, 15.0),
    vocab.RENDER: (15.0, 180.0),
    vocab.LIPSYNC: (25.0, 400.0),
}
VIDEO_WINDOW = (25.0, 400.0)
OTHER_WINDOW = (3.0, 120.0)
LEARN_AFTER = 6  # finished generations of a type and model before their window replaces the default
KEEP = 200  # durations kept per type and model
#: checked at the slow cadence: video-like work (6 s target), and speech and captions (no target of their own)
SLOW_KINDS = frozenset({*vocab.VIDEO_TYPES, vocab.LIPSYNC, vocab.RENDER, vocab.SPEECH_FROM_TEXT, vocab.CAPTIONS})


def default_window(kind: str) -> tuple[float, float]:
    if kind in vocab.VIDEO_TYPES:
        return VIDEO_WINDOW
    return DEFAULT_WINDOWS.get(kind, OTHER_WINDOW)


@dataclass(frozen=True)
class Cadence:
    """Seconds between checks inside the window (per speed of kind) and the longest gap anywhere."""

    dense_fast: float = 2.8  # text, images: seen within 3 s of finishing at p95 (a check's own time included)
    dense_slow: float = 5.6  # video, lipsync, render, speech, captions: within 6 s
    sparse: float = 30.0  # before the window and far past it

    def dense(self, kind: str) -> float:
        return self.dense_slow if kind in SLOW_KINDS else self.dense_fast


class Durations:
    """How long generations take, per (type, model), learnt from this session's finished ones."""

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], deque[float]] = {}

    def observe(self, kind: str, model: str | None, seconds: float) -> None:
        if seconds <= 0 or seconds > 86_400:
            return
        for key in ((kind, model or ""), (kind, "")):  # per model, and per type for models not yet seen
            self._seen.setdefault(key, deque(maxlen=KEEP)).append(seconds)
            if not model:
                break

    def count(self, kind: str, model: str | None = None) -> int:
        return len(self._seen.get((kind, model or ""), ()))

    def window(self, kind: str, model: str | None = None) -> tuple[float, float]:
        """(low, high) seconds from creation in which a generation of this type and model likely ends."""
        default = default_window(kind)
        seen = self._seen.get((kind, model or "")) if model else None
        if not seen or len(seen) < LEARN_AFTER:
            seen = self._seen.get((kind, ""))
        if not seen or len(seen) < LEARN_AFTER:
            return default
        ordered = sorted(seen)
        low = ordered[0] * 0.85
        # the first to finish are the short ones: until many are seen, keep room above the longest
        room = 1.5 if len(ordered) < 30 else 1.2
        high = max(low + 1.0, min(default[1] * 2, ordered[-1] * room))
        return low, high


def next_check(age: float, window: tuple[float, float], dense: float, sparse: float) -> float:
    """Seconds from now until a generation `age` seconds old should be checked again."""
    low, high = window
    if age < low - dense:
        return max(dense, min(sparse, low - age - dense / 2))  # wake as the window opens
    if age <= high:
        return dense
    past = age - high
    return min(sparse, max(dense * 2, past / 3))  # an outlier: less and less often
