"""When to look at each generation in flight: dense inside its likely finishing window, sparse outside.

A generation of a given type and model takes a duration that this session learns from what it has
seen finish (creation to end, from the server's own times): the engine's past generations on its
first read (`Plan.learn_history`), then each one seen ending; sensible defaults per type until six
of a type are known.
The likely window is [low, high] of those durations; inside it a generation is checked every
`dense` seconds (what the finish-to-seen target allows: 3 s for text and images, 6 s for video, at
p95, so a little less; speech and captions, which have no target of their own, five times the
quick cadence); before it, once just as it opens (and at most `sparse` apart, to catch an early
failure); past it, less and less often, up to `sparse`.

Learning only ever narrows the window from below: its low is just under the shortest duration
seen, but its high is never below the default's. The first generations seen finishing are the
quick ones (those still running are not seen at all), so a high learnt from them would be too
short, and every generation older than it would fall to the sparse cadence past the window.
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
VIDEO_WINDOW = (30.0, 400.0)  # "video takes 30-120 s" (gen-api.md, MCP)
OTHER_WINDOW = (3.0, 120.0)
LEARN_AFTER = 6  # finished generations of a type and model before their window replaces the default
KEEP = 200  # durations kept per type and model
#: checked at the slow cadence: video-like work (6 s target)
SLOW_KINDS = frozenset({*vocab.VIDEO_TYPES, vocab.LIPSYNC, vocab.RENDER})
#: no detection target of their own: checked at the loosest dense cadence
LOOSE_KINDS = frozenset({vocab.SPEECH_FROM_TEXT, vocab.CAPTIONS})


def default_window(kind: str) -> tuple[float, float]:
    if kind in vocab.VIDEO_TYPES:
        return VIDEO_WINDOW
    return DEFAULT_WINDOWS.get(kind, OTHER_WINDOW)


@dataclass(frozen=True)
class Cadence:
    """Seconds between checks inside the window (per speed of kind) and the longest gap anywhere."""

    dense_fast: float = 2.8  # text, images: seen within 3 s of finishing at p95 (a check's own time included)
    dense_slow: float = 5.2  # video, lipsync, render: within 6 s (a round's spread included)
    dense_loose: float = 14.0  # speech, captions: no target of their own
    sparse: float = 30.0  # before the window and far past it

    def dense(self, kind: str) -> float:
        if kind in SLOW_KINDS:
            return self.dense_slow
        return self.dense_loose if kind in LOOSE_KINDS else self.dense_fast


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
        # the first to finish are the short ones (the long ones are still running, unseen): the high
        # only ever widens, from the default's, never narrows to the longest seen so far
        high = max(low + 1.0, default[1], min(default[1] * 2, ordered[-1] * 1.2))
        return low, high


def next_check(age: float, window: tuple[float, float], dense: float, sparse: float) -> float:
    """Seconds from now until a generation `age` seconds old should be checked again."""
    low, high = window
    if age < low:  # one check as the window opens (and at most `sparse` apart before, for an early failure)
        return min(sparse, max(0.5, low - age))
    if age <= high:
        return dense
    past = age - high
    return min(sparse, max(dense * 2, past / 3))  # an outlier: less and less often
