"""The poll knows when it is late (issue 14 item 3): a round that hangs or a poller that died is overdue."""

from __future__ import annotations

import asyncio
from types import SimpleNamespace

import pytest

from gentui.core.poller import OVERDUE_GRACE, Poller


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def until(condition, timeout: float = 5.0) -> None:  # type: ignore[no-untyped-def]
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0)


async def test_a_round_that_hangs_is_overdue_after_the_grace_and_a_stopped_poller_is_not() -> None:
    clock = Clock()
    poller = Poller(SimpleNamespace(connection="ok"), monotonic=clock)  # type: ignore[arg-type]
    hang, entered = asyncio.Event(), asyncio.Event()

    async def hanging_round() -> float:  # a slow drip: the answer never completes
        entered.set()
        await hang.wait()
        return 2.0

    poller.round = hanging_round  # type: ignore[method-assign]
    assert poller.overdue() is None  # not started: nothing is late
    task = asyncio.create_task(poller.run())
    await until(entered.is_set)
    assert poller.overdue() is None
    clock.now += OVERDUE_GRACE - 1
    assert poller.overdue() is None
    clock.now += 6
    assert poller.overdue() == OVERDUE_GRACE + 5
    hang.set()  # the answer came: the next round is due in 2 s
    await until(lambda: poller.next_round_at == clock.now + 2.0)
    assert poller.overdue() is None
    poller.stop()
    await asyncio.wait_for(task, 5)
    clock.now += 1000
    assert poller.overdue() is None


async def test_a_poller_that_crashed_is_overdue() -> None:
    clock = Clock()
    poller = Poller(SimpleNamespace(connection="ok"), monotonic=clock)  # type: ignore[arg-type]

    async def broken_round() -> float:
        raise RuntimeError("boom")

    poller.round = broken_round  # type: ignore[method-assign]
    with pytest.raises(RuntimeError, match="boom"):
        await poller.run()
    clock.now += OVERDUE_GRACE + 1
    assert poller.overdue() is not None
