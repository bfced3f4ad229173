"""httpx transports that tests put between a client and the in-process simulator."""

from __future__ import annotations

import httpx


class LossyTransport(httpx.AsyncBaseTransport):
    """Lets POSTs reach the server, then loses their answers while `lose` is set."""

    def __init__(self, app) -> None:
        self.inner = httpx.ASGITransport(app=app)
        self.lose = False

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.lose and request.method == "POST":
            await response.aread()
            raise httpx.ReadError("connection dropped after the server acted", request=request)
        return response
