"""The poller resends lost answers: every UNCERTAIN_RETRY_SECONDS, at once on reconnect, never two at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from gentui.api import errors
from gentui.core.events import Notice
from gentui.core.poller import UNCERTAIN_RETRY_SECONDS, Poller
from gentui.sim.options import SimOptions
from tests.core.poller_world import setup


async def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait (really) for a condition, a little at a time."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not reached")
        await asyncio.sleep(0)  # let the other tasks run; the deadline bounds the wait


class Resender:
    """A fake `Actions.resend_uncertain`: records calls; `answers` says what each returns or raises."""

    def __init__(self, *answers: tuple[int, int] | BaseException) -> None:
        self.answers = list(answers)
        self.calls = 0
        self.running = 0
        self.most = 0
        self.gate: asyncio.Event | None = None
        self.lost = True

    async def __call__(self) -> tuple[int, int]:
        self.calls += 1
        self.running += 1
        self.most = max(self.most, self.running)
        try:
            if self.gate is not None:
                await self.gate.wait()
            answer = self.answers.pop(0) if self.answers else (0, 1)
            if isinstance(answer, BaseException):
                raise answer
            if answer[1] == 0:
                self.lost = False
            return answer
        finally:
            self.running -= 1


ENDED: dict[int, int] = {}  # id(poller) -> rounds ended


def wire(poller: Poller, resender: Resender) -> None:
    poller.resend = resender
    poller.has_uncertain = lambda: resender.lost
    original = poller.round
    ENDED[id(poller)] = 0

    async def counted() -> float:
        try:
            return await original()
        finally:
            ENDED[id(poller)] += 1

    poller.round = counted  # type: ignore[method-assign]


async def start(poller: Poller) -> asyncio.Task[None]:
    task = asyncio.create_task(poller.run())
    await until(lambda: ENDED[id(poller)] >= 1)
    return task


async def next_round(poller: Poller, *, engine: bool = False) -> None:
    """Wake the poller and wait until its round (and what follows it in `run()`) is over."""
    ended = ENDED[id(poller)]
    poller.wake(engine=engine)
    await until(lambda: ENDED[id(poller)] > ended)
    await asyncio.sleep(0)  # a resend started after that round gets going


async def stop(poller: Poller, task: asyncio.Task[None]) -> None:
    poller.stop()
    await asyncio.wait_for(task, 5)


async def test_lost_answers_are_resent_every_15_seconds_and_a_settled_one_is_said() -> None:
    _, _, session, poller, mono = setup(SimOptions(quiet=True))
    events: list[object] = []
    session._emit = events.append
    session.connection = "ok"  # connected already: no reconnect
    resender = Resender((0, 2), (1, 1), (1, 0))
    wire(poller, resender)
    task = await start(poller)
    await next_round(poller)
    assert resender.calls == 0  # just lost: not at once
    mono.now += UNCERTAIN_RETRY_SECONDS - 1
    await next_round(poller)
    assert resender.calls == 0
    mono.now += 1
    await next_round(poller)
    await until(lambda: resender.calls == 1)
    mono.now += UNCERTAIN_RETRY_SECONDS
    await next_round(poller)
    await until(lambda: resender.calls == 2)
    await until(lambda: any(isinstance(e, Notice) and "resend" in e.tags for e in events))
    mono.now += UNCERTAIN_RETRY_SECONDS
    await next_round(poller)
    await until(lambda: resender.calls == 3)
    mono.now += UNCERTAIN_RETRY_SECONDS * 3
    await next_round(poller)
    await next_round(poller)
    assert resender.calls == 3  # nothing uncertain any more
    await stop(poller, task)
    said = [e for e in events if isinstance(e, Notice) and "resend" in e.tags]
    assert said == [
        Notice("sent again with the same Idempotency-Key (charged once): 1; 1 still waiting for the server",
               tags=("resend",)),
        Notice("sent again with the same Idempotency-Key (charged once): 1", tags=("resend",)),
    ]


async def test_a_reconnect_resends_at_once_but_never_two_at_a_time() -> None:
    _, _, session, poller, mono = setup(SimOptions(quiet=True))
    session.connection = "ok"
    resender = Resender()
    resender.gate = asyncio.Event()
    wire(poller, resender)
    task = await start(poller)
    session.failed(errors.TransportError("connection refused"))  # between rounds: the connection is lost ...
    assert session.connection == "offline"
    await next_round(poller, engine=True)  # ... and back with this round's answer
    await until(lambda: resender.calls == 1)
    session.failed(errors.TransportError("connection refused"))
    await next_round(poller, engine=True)  # back again, while the first resend still waits for its answer
    assert session.connection == "ok"
    mono.now += UNCERTAIN_RETRY_SECONDS * 2
    await next_round(poller)
    assert resender.calls == 1 and resender.most == 1
    resender.gate.set()
    await until(lambda: resender.running == 0)
    mono.now += UNCERTAIN_RETRY_SECONDS
    await next_round(poller)
    await until(lambda: resender.calls == 2)
    await stop(poller, task)
    assert resender.most == 1


@pytest.mark.parametrize("failure", [errors.TransportError("still down"), RuntimeError("a bug")])
async def test_a_failing_resend_does_not_stop_the_poller_and_is_tried_again(failure: BaseException) -> None:
    _, _, session, poller, mono = setup(SimOptions(quiet=True))
    events: list[object] = []
    session._emit = events.append
    resender = Resender(failure, (1, 0))
    wire(poller, resender)
    task = await start(poller)  # connecting -> ok: a reconnect, resent at once
    await until(lambda: resender.calls == 1 and resender.running == 0)
    mono.now += UNCERTAIN_RETRY_SECONDS
    await next_round(poller)
    await until(lambda: resender.calls == 2 and not resender.lost)
    assert not task.done()
    await stop(poller, task)
    errors_said = [e for e in events if isinstance(e, Notice) and e.severity == "error" and "resend" in e.tags]
    assert len(errors_said) == (0 if isinstance(failure, errors.GenApiError) else 1)
