"""Choosing the agent and the engine at start-up (and on `g`): picked for the person when there is one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gentui.api.errors import AuthError, GenApiError, TransportError
from gentui.ui.screens.modals import PickerScreen

if TYPE_CHECKING:
    from gentui.api.client import GenClient
    from gentui.ui.app import GentuiApp


async def choose_agent(app: GentuiApp, client: GenClient) -> str | None:
    agents = await client.agents()
    if len(agents) == 1:
        return agents[0].id
    if not agents:
        app.set_connection("stale", "this key sees no agent: create one at gen.pro")
        return None
    return await app.push_screen_wait(PickerScreen("Choose an agent", [(a.id, a.name) for a in agents]))


async def choose_engine(app: GentuiApp, client: GenClient, agent_id: str) -> str | None:
    """The only engine, else a picker of the server's list and the recent ones (the list may be refused)."""
    engines = []
    try:
        engines = [(e.id, e.title) for e in await client.list_engines(agent_id)]
    except GenApiError as exc:
        if isinstance(exc, (AuthError, TransportError)):  # the key, or an unreachable server: not "no list"
            raise
    if len(engines) == 1:
        return engines[0][0]
    seen = {e[0] for e in engines}
    recent = [(str(r.get("id")), f"{r.get('title') or ''} (recent)") for r in app.launch.recent_engines
              if str(r.get("id")) not in seen]
    note = "" if engines else "The server does not list engines: pick a recent one or type an engine id."
    return await app.push_screen_wait(PickerScreen("Choose an engine", engines + recent, note=note))
