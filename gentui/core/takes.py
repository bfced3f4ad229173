"""Each take's card: what a generation was made with, kept per generation id so it never changes later.

The server keeps no card per generation (gen-api.md part 0, "A cell's card"): the cell's card is its
attributes, which an edit overwrites. So the model column of an older take used to read the cell's
*current* model for the newest take only, and "—" for every older one once an edit made a new take.
Here a take's card is remembered when it is first known and never replaced by a later one:

1. sent from this machine in this run (`record_sent`, from the generate's answer);
2. sent from this machine earlier (the journal's intent whose answer was this generation);
3. what the server and the cell's attributes told when gentui first saw the take as the cell's latest
   (`observe`, on every engine change: before an edit's PATCH can change the attributes);
4. else unknown (a take older than anything gentui saw).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable
from urllib.parse import urlsplit

from gentui.api import vocab
from gentui.api.models import Generation
from gentui.core.card import Card
from gentui.core.text import safe_text
from gentui.core.views import CellKey, JobView

if TYPE_CHECKING:
    from gentui.core.engine_state import EngineState

CAP = 10_000  # takes whose card is remembered (memory stays bounded over long sessions)

SENT = "sent from this machine"
JOURNAL = "sent from this machine (journal)"
SEEN = "server and cell attributes, when gentui first saw this take"
UNKNOWN = "unknown: made before gentui saw this cell"
TYPE_ONLY = "the server's type of the take; its model and prompt are not known here (made before gentui saw it)"


@runtime_checkable
class IntentLookup(Protocol):
    def by_generation(self, generation_id: str) -> object | None: ...


def take_number(newest_first: Sequence[Any], generation_id: str) -> tuple[int, int]:
    """(n, of): a take's number among a cell's takes, the oldest being take 1 (as the asset picker counts).
    `newest_first` is the cell's history (`CellView.jobs`); an id not in it is the newest, n = of."""
    ids = [job.id for job in newest_first]
    of = len(ids)
    return (of - ids.index(generation_id) if generation_id in ids else of), of


@dataclass(frozen=True)
class TakeCard:
    card: Card | None
    source: str

    @property
    def model(self) -> str | None:
        return self.card.model if self.card is not None else None

    @property
    def from_here(self) -> bool:
        return self.source in (SENT, JOURNAL)


class TakeBook:
    """Generation id -> the card it was made with (first known wins, except a card sent from here)."""

    def __init__(self, cap: int = CAP) -> None:
        self.cap = cap
        self._sent: dict[str, Card] = {}
        self._seen: dict[str, Card] = {}
        self.journal: IntentLookup | None = None
        self._journal_cache: dict[str, Card | None] = {}

    def _put(self, book: dict[str, Card], generation_id: str, card: Card) -> None:
        book[generation_id] = card
        if len(book) > self.cap:
            del book[next(iter(book))]

    def record_sent(self, generation_id: str, card: Card) -> None:
        self._put(self._sent, generation_id, card)

    def observe(self, state: EngineState, keys: Iterable[CellKey]) -> None:
        """Remember the card of each cell's latest take not yet known (call on every engine change)."""
        for key in keys:
            cell = state.cells.get(key)
            latest = cell.latest if cell is not None else None
            if latest is None or latest.id in self._seen or latest.id in self._sent:
                continue
            self._put(self._seen, latest.id, state.card(key))

    def _from_journal(self, generation_id: str) -> Card | None:
        if self.journal is None:
            return None
        if generation_id not in self._journal_cache:
            intent = self.journal.by_generation(generation_id)
            card = getattr(intent, "card", None) if intent is not None else None
            self._journal_cache[generation_id] = card if isinstance(card, Card) else None
            if len(self._journal_cache) > self.cap:
                del self._journal_cache[next(iter(self._journal_cache))]
        return self._journal_cache[generation_id]

    def get(self, generation_id: str, generation_type: str | None = None) -> TakeCard:
        """The take's card by the precedence above; else, given the server's type of the take, that type alone."""
        if (card := self._sent.get(generation_id)) is not None:
            return TakeCard(card, SENT)
        if (card := self._from_journal(generation_id)) is not None:
            return TakeCard(card, JOURNAL)
        if (card := self._seen.get(generation_id)) is not None:
            return TakeCard(card, SEEN)
        if generation_type and generation_type != vocab.UNKNOWN:
            return TakeCard(Card(generation_type, {}, "server", "none"), TYPE_ONLY)
        return TakeCard(None, UNKNOWN)

    def model(self, generation_id: str) -> str | None:
        return self.get(generation_id).model


# --- a take's outputs, as its generation tells them -------------------------------------------------
@dataclass(frozen=True)
class Output:
    url: str
    kind: str = ""  # image, video, audio...
    thumbnail_url: str | None = None
    resource_id: str | None = None
    duration: Decimal | None = None

    @property
    def preview_url(self) -> str | None:
        """What a preview draws: the thumbnail, else the image itself (never a video or an audio file)."""
        if self.thumbnail_url:
            return self.thumbnail_url
        if self.kind == "image" or (not self.kind and _looks_like_image(self.url)):
            return self.url
        return None


@dataclass(frozen=True)
class Word:
    word: str
    start: float | None
    end: float | None


@dataclass(frozen=True)
class TakeOutputs:
    outputs: tuple[Output, ...] = ()
    text: str = ""
    captions: tuple[Word, ...] = ()
    source: str = "engine"  # "generation": the full GET /generations/{id}; "engine": the grid's compact copy

    @property
    def preview_url(self) -> str | None:
        return next((u for o in self.outputs if (u := o.preview_url)), None)

    @property
    def link(self) -> str | None:
        """What `open` opens: the first output's URL."""
        return self.outputs[0].url if self.outputs else None


_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".webp")


def _looks_like_image(url: str) -> bool:
    return urlsplit(url).path.lower().endswith(_IMAGE_SUFFIXES)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def take_outputs(job: JobView, generation: Generation | None = None) -> TakeOutputs:
    """A take's outputs: from its full generation when fetched, else the engine's compact copy (URLs only)."""
    if generation is None:
        return TakeOutputs(tuple(Output(u, job.output_kind if job.output_kind not in ("text", "captions") else "")
                                 for u in job.urls), job.result)
    outputs = tuple(Output(safe_text(o.url, 2000), o.object_type or "",
                           safe_text(o.thumbnail_url, 2000) if o.thumbnail_url else None, o.id, o.duration)
                    for o in generation.output_resources[:16] if o.url)
    result, text = generation.result, ""
    words: tuple[Word, ...] = ()
    if isinstance(result, dict) and isinstance(result.get("captions"), list):
        words = tuple(Word(safe_text(w.get("word", ""), 200), _number(w.get("start")), _number(w.get("end")))
                      for w in result["captions"][:5000] if isinstance(w, dict))
    elif isinstance(result, str):
        text = safe_text(result, 200_000)
    elif result is not None:
        text = safe_text(str(result), 200_000)
    return TakeOutputs(outputs, text, words, "generation")
