"""Two takes' cards compared: every field with its two values, and a prompt diffed word by word."""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from gentui.api import vocab
from gentui.core.card import Card

Op = Literal["same", "removed", "added"]
_WORDS = re.compile(r"\S+|\s+")
LONG_FIELDS = ("prompt", "negative_prompt", "text", "script")  # diffed word by word


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    left: Any
    right: Any
    words: tuple[Segment, ...] = ()  # for long text fields: the word diff (left -> right)

    @property
    def same(self) -> bool:
        return show(self.left) == show(self.right)


def show(value: Any) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    return str(value)


def word_diff(left: str, right: str) -> tuple[Segment, ...]:
    """`left` -> `right` as runs of same / removed / added words (whitespace kept with the words around it)."""
    a, b = _WORDS.findall(left or ""), _WORDS.findall(right or "")
    out: list[Segment] = []

    def add(op: Op, parts: list[str]) -> None:
        text = "".join(parts)
        if not text:
            return
        if out and out[-1].op == op:
            out[-1] = Segment(op, out[-1].text + text)
        else:
            out.append(Segment(op, text))

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            add("same", a[i1:i2])
        else:
            add("removed", a[i1:i2])
            add("added", b[j1:j2])
    return tuple(out)


def _field_order(left: Card | None, right: Card | None) -> list[str]:
    names: list[str] = []
    for card in (left, right):
        if card is None:
            continue
        names += [f.name for f in vocab.CARD_FIELDS.get(card.generation_type, ())]
    for card in (left, right):
        if card is not None:
            names += list(card.data)
    return list(dict.fromkeys(names))


def card_diff(left: Card | None, right: Card | None) -> list[FieldDiff]:
    """Every field either card has (the type first), each with both values; long text fields word-diffed."""
    ldata: Mapping[str, Any] = left.data if left is not None else {}
    rdata: Mapping[str, Any] = right.data if right is not None else {}
    out = [FieldDiff("generation_type", left.generation_type if left else None,
                     right.generation_type if right else None)]
    for name in _field_order(left, right):
        lv, rv = ldata.get(name), rdata.get(name)
        if lv in (None, "", []) and rv in (None, "", []):
            continue
        words: tuple[Segment, ...] = ()
        if name in LONG_FIELDS and isinstance(lv, str) and isinstance(rv, str):
            words = word_diff(lv, rv)
        out.append(FieldDiff(name, lv, rv, words))
    return out
