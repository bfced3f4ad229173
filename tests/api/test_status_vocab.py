"""The one list of generation statuses (gentui.api.vocab) and the client's enum agree."""

from __future__ import annotations

import pytest

from gentui.api import vocab
from gentui.api.models import GenerationStatus


def test_in_flight_and_terminal_split_the_known_statuses():
    known = set(vocab.GENERATION_STATUSES) - {vocab.UNKNOWN}
    assert set(vocab.IN_FLIGHT_STATUSES) | set(vocab.TERMINAL_STATUSES) == known
    assert not set(vocab.IN_FLIGHT_STATUSES) & set(vocab.TERMINAL_STATUSES)
    assert set(vocab.CELL_STATUSES) == set(vocab.GENERATION_STATUSES) | {vocab.IDLE}
    assert vocab.IDLE not in vocab.GENERATION_STATUSES


def test_the_enum_is_the_vocabulary():
    assert tuple(s.value for s in GenerationStatus) == vocab.GENERATION_STATUSES
    for status in GenerationStatus:
        assert status.in_flight == vocab.is_in_flight(status) == (status.value in vocab.IN_FLIGHT_STATUSES)
        assert status.terminal == vocab.is_terminal(status) == (status.value in vocab.TERMINAL_STATUSES)


@pytest.mark.parametrize(("said", "meant"), [
    ("completed", vocab.COMPLETED), (" Processing ", vocab.PROCESSING), ("STOPPED", vocab.STOPPED),
    ("idle", vocab.UNKNOWN), ("exploded", vocab.UNKNOWN), ("", vocab.UNKNOWN), (None, vocab.UNKNOWN),
    (3, vocab.UNKNOWN),
])
def test_a_servers_word_becomes_a_known_status_or_unknown(said, meant):
    assert vocab.known_status(said) == meant
    assert GenerationStatus.parse(said) is GenerationStatus(meant)
