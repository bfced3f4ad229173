"""Core events reach the UI as typed messages, one class per event; the main flows post the ones they should."""

from __future__ import annotations

import dataclasses
import inspect

import pytest
from textual.message import Message

from gentui.api import vocab
from gentui.core import events
from gentui.core.events import CreditsChanged, Notice
from gentui.ui.messages import (
    MESSAGE_FOR,
    ConnectionUpdated,
    CreditsUpdated,
    EngineUpdated,
    NoticePosted,
    message_for,
)
from gentui.ui.screens.plan_dialogs import ConfirmScreen

from .pilot import SIZE, goto, loaded, make_app, wait_for


def test_every_core_event_has_its_own_message() -> None:
    core_events = {obj for _, obj in inspect.getmembers(events, inspect.isclass)
                   if dataclasses.is_dataclass(obj) and obj.__module__ == events.__name__}
    assert core_events == set(MESSAGE_FOR)
    assert len({MESSAGE_FOR[e] for e in core_events}) == len(core_events)  # no envelope shared by two events


def test_an_event_without_a_message_is_refused_by_name() -> None:
    with pytest.raises(TypeError, match="no UI message for core event object"):
        message_for(object())


def test_a_queued_credits_message_gives_way_to_a_newer_one_and_others_do_not() -> None:
    first, second = message_for(CreditsChanged()), message_for(CreditsChanged())
    assert isinstance(first, CreditsUpdated) and first.can_replace(second)
    notice = message_for(Notice("x"))
    assert isinstance(notice, NoticePosted) and not notice.can_replace(message_for(Notice("y")))


async def test_regenerate_then_stop_post_their_messages(quiet_world) -> None:
    seen: list[Message] = []
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        assert any(isinstance(m, EngineUpdated) and m.event.full for m in seen)
        assert any(isinstance(m, ConnectionUpdated) and m.event.state == "ok" for m in seen)
        key = await goto(pilot, app, vocab.VIDEO_FROM_TEXT)
        start = len(seen)
        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="confirm dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: app.session.state.cells[key].in_flight, what="new generation")
        gen_id = app.session.state.cells[key].in_flight[0].id
        await wait_for(pilot, lambda: any(isinstance(m, NoticePosted) and gen_id in m.event.text
                                          for m in seen[start:]), what="the started notice")
        after = seen[start:]
        assert any(isinstance(m, EngineUpdated) and key in m.event.changes.cells for m in after)
        assert any(isinstance(m, CreditsUpdated) for m in after)

        start = len(seen)
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen), what="stop dialog")
        await pilot.press("y")
        await wait_for(pilot, lambda: any(isinstance(m, NoticePosted) and "refunded" in m.event.text
                                          for m in seen[start:]), what="the refund notice")
        assert any(isinstance(m, EngineUpdated) and key in m.event.changes.cells for m in seen[start:])
        assert not app.session.state.cells[key].in_flight
