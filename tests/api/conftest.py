"""A scripted fake GEN server on httpx.MockTransport, and a client wired to it that never sleeps."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gentui.api.client import GenClient, RequestRecord

KEY = "gen_pat_SECRET_abc123"
BASE = "http://gen.test/v1"

Answer = httpx.Response | BaseException | Callable[[httpx.Request], httpx.Response]


def answer(status: int = 200, body: Any = None, *, headers: dict[str, str] | None = None, raw: bytes | None = None):
    """A response: JSON `body`, or `raw` bytes."""
    if raw is not None:
        return httpx.Response(status, content=raw, headers=headers)
    return httpx.Response(status, json=body, headers=headers)


def error(status: int, code: str | None, message: str = "nope", **kw: Any) -> httpx.Response:
    body: dict[str, Any] = {"error": message}
    if code is not None:
        body["error_code"] = code
    return answer(status, body, **kw)


class FakeServer:
    """Answers from per-route scripts (consumed in order, the last repeats); the longest matching fragment wins."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.routes: list[tuple[str, str, list[Answer]]] = []

    def on(self, method: str, path_contains: str, *answers: Answer) -> FakeServer:
        self.routes.insert(0, (method, path_contains, list(answers)))
        return self

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        matching = [r for r in self.routes if r[0] == request.method and r[1] in request.url.path]
        if not matching:
            return error(404, "not_found", "Not found")
        _, _, answers = max(matching, key=lambda r: len(r[1]))  # most specific; newest among equals
        item = answers.pop(0) if len(answers) > 1 else answers[0]
        if isinstance(item, httpx.HTTPError):
            raise type(item)(str(item), request=request)
        if isinstance(item, BaseException):
            raise item
        if callable(item) and not isinstance(item, httpx.Response):
            return item(request)
        return item

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]

    def bodies(self) -> list[Any]:
        return [json.loads(r.content) if r.content else None for r in self.requests]


class Sleeps(list):
    async def __call__(self, delay: float) -> None:
        self.append(delay)


@pytest.fixture
def server() -> FakeServer:
    return FakeServer()


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


@pytest.fixture
def records() -> list[RequestRecord]:
    return []


@pytest.fixture
def make_client(server: FakeServer, sleeps: Sleeps, records: list[RequestRecord]):
    clients: list[GenClient] = []

    def make(**kw: Any) -> GenClient:
        options: dict[str, Any] = {
            "transport": httpx.MockTransport(server),
            "sleep": sleeps,
            "random": lambda: 1.0,
            "on_request": records.append,
        }
        options.update(kw)
        key = options.pop("api_key", KEY)
        client = GenClient(options.pop("base_url", BASE), key, **options)
        clients.append(client)
        return client

    return make
