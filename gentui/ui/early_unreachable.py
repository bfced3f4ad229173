"""The first failed connection says so at once: the header reads "HOST unreachable" while the client is still
retrying, instead of "connecting…" until the last attempt gives up (issue 15.11)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from gentui.api import errors

if TYPE_CHECKING:
    from gentui.api.answers import RequestRecord
    from gentui.ui.app import GentuiApp

#: the attempts that never reached a server (`gentui.api.transport.transport_error` names them so)
CONNECT_ERRORS = frozenset({"ConnectError", "ConnectTimeout", "PoolTimeout", "ProxyError"})


def note_unreachable(app: GentuiApp, record: RequestRecord) -> None:
    """A request observer: an attempt that could not connect, before anything answered, turns "connecting"
    into "offline: HOST unreachable" now (the client's retries and the poller carry on as before)."""
    if record.error_code not in CONNECT_ERRORS:
        return
    client = app._client
    host = urlsplit(client.base_url).hostname if client is not None else None
    reason = f"{errors.unreachable(host or '', '')} ({record.error_code}); retrying"
    session = app.session
    if session is None:
        if app.connection.state == "connecting":
            app.set_connection("offline", reason)
    elif session.connection == "connecting":
        session.failed(errors.TransportError(reason, never_sent=True, error_code=record.error_code))
