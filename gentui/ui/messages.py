"""One Textual message per core event (`gentui.core.events`): the session's `emit` posts them to the app.

Workers never touch widgets: the core emits plain events, `message_for` wraps each in its message on
the way to the UI thread, and the handlers (`@on(...)` in the app, which hands them to the main screen)
own every change. The high-rate messages that carry no data of their own can replace a queued twin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from textual.message import Message

from gentui.core.events import (
    BatchFinished,
    BatchProgress,
    ConnectionChanged,
    CreditsChanged,
    EngineChanged,
    Notice,
    ResendsChanged,
)

E = TypeVar("E")


class CoreMessage(Message, Generic[E]):
    """A core event on its way to the UI thread; each event type has its own subclass."""

    def __init__(self, event: E) -> None:
        super().__init__()
        self.event = event


class EngineUpdated(CoreMessage[EngineChanged]):
    """The engine state changed; `event.changes` says exactly which cells and rows."""


class CreditsUpdated(CoreMessage[CreditsChanged]):
    """The ledger or the server balance changed (the header reads the ledger: one queued is enough)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CreditsUpdated)


class ConnectionUpdated(CoreMessage[ConnectionChanged]):
    """The connection's state (ok | stale | offline | auth) with its reason."""


class NoticePosted(CoreMessage[Notice]):
    """Something worth a line in the activity feed and, maybe, a toast."""


class BatchProgressed(CoreMessage[BatchProgress]):
    """A running batch moved on; only the newest queued one matters."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, BatchProgressed)


class BatchEnded(CoreMessage[BatchFinished]):
    """Every generation a finished batch started has ended: one summary."""


class ResendsUpdated(CoreMessage[ResendsChanged]):
    """The unanswered charged POSTs changed: the grid's marks are read again (one queued is enough)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, ResendsUpdated)


MESSAGE_FOR: dict[type, Callable[[Any], Message]] = {
    EngineChanged: EngineUpdated,
    CreditsChanged: CreditsUpdated,
    ConnectionChanged: ConnectionUpdated,
    Notice: NoticePosted,
    BatchProgress: BatchProgressed,
    BatchFinished: BatchEnded,
    ResendsChanged: ResendsUpdated,
}


def message_for(event: object) -> Message:
    """The message that carries a core event; an event with no message is a programming error."""
    try:
        return MESSAGE_FOR[type(event)](event)
    except KeyError:
        raise TypeError(f"no UI message for core event {type(event).__name__}") from None
