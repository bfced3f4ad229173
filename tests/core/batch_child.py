"""Run a batch in its own process (for the kill-and-resume test): `python batch_child.py BASE KEY AGENT ENGINE JOURNAL COLUMN`."""

from __future__ import annotations

import asyncio
import sys

from gentui.api.client import GenClient
from gentui.core.actions import Actions, Guards
from gentui.core.batch import BatchRunner, plan_batch
from gentui.core.journal import Journal
from gentui.core.session import Session


async def main(base: str, key: str, agent: str, engine: str, journal_path: str, column: str) -> None:
    async with GenClient(base, key) as client:
        session = Session(client, agent, engine)
        await session.load_engine()
        await session.load_credits()
        journal = Journal(journal_path, base_url=base, agent_id=agent, engine_id=engine)
        actions = Actions(session, Guards(low_balance_warning=0), intents=journal)
        keys = [k for k in session.state.cells if k[1] == column]
        plan = plan_batch(session, actions, keys)
        await BatchRunner(session, actions, plan, concurrency=2, guards=Guards(low_balance_warning=0)).run()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:7]))
