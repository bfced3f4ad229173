"""The demo's simulator behind an httpx transport that builds it on the first request.

`gentui --demo` must paint before the simulator (Starlette and its routes) is imported: the ids
the client needs come from the seeded world alone (`gentui.sim.seed.demo_ids`), and the ASGI app is built in a
worker thread when the first request arrives, while the event loop goes on drawing.
"""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from gentui.sim.options import SimOptions


class LazySimTransport(httpx.AsyncBaseTransport):
    """An `httpx.ASGITransport` to `create_app(options)`, made when first needed."""

    def __init__(self, options: SimOptions) -> None:
        self.options = options
        self.app: Any = None
        self._inner: httpx.ASGITransport | None = None
        self._lock = asyncio.Lock()

    async def _transport(self) -> httpx.ASGITransport:
        async with self._lock:
            if self._inner is None:
                self.app = await asyncio.to_thread(_build, self.options)
                self._inner = httpx.ASGITransport(app=self.app)
        return self._inner

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        inner = self._inner or await self._transport()
        return await inner.handle_async_request(request)

    async def aclose(self) -> None:
        if self._inner is not None:
            await self._inner.aclose()


def _build(options: SimOptions) -> Any:
    from gentui.sim.app import create_app  # imported here, off the first paint (the point of this module)

    return create_app(options)
