"""Fault injection for `/v1` routes: errors, 429s, latency, spikes, dropped connections, bad JSON.

Errors and 429s answer before the simulator acts. Drops and malformed bodies happen after it
acted (a generate has created and charged; a retry with the same Idempotency-Key gets it back).
Drops exist only over real HTTP: the response promises more bytes than it sends and the app
returns, so uvicorn aborts the connection. In-process (ASGITransport) a drop is skipped.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from gentui.sim.errors import validation
from gentui.sim.options import FAULT_FIELDS, SimOptions

ERROR_CODES = {500: "internal_server_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout"}
RATE_FIELDS = ("error_rate", "rate_limit_rate", "spike_rate", "drop_rate", "malformed_rate")


@dataclass
class Faults:
    """The fault settings, as `POST /_sim/faults` reads and answers them."""

    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    rate_limit_rate: float = 0.0
    retry_after: float | None = None
    latency_ms: int = 0
    spike_rate: float = 0.0
    spike_ms: int = 0
    drop_rate: float = 0.0
    malformed_rate: float = 0.0
    compress: bool = True  # not a fault: whether answers over 1 KB are gzipped (CONTRACTS.md section 4)

    @classmethod
    def from_options(cls, options: SimOptions) -> Faults:
        return cls(**options.faults())  # type: ignore[arg-type]

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["error_statuses"] = list(self.error_statuses)
        return out

    def merge(self, body: dict[str, Any]) -> None:
        """Apply a partial update; a bad value raises 422 and changes nothing."""
        unknown = set(body) - set(FAULT_FIELDS)
        if unknown:
            raise validation(f"unknown fault field(s): {', '.join(sorted(unknown))}")
        new = asdict(self)
        try:
            for name, value in body.items():
                if name in RATE_FIELDS:
                    rate = float(value)
                    if not 0.0 <= rate <= 1.0:
                        raise ValueError(f"{name} must be between 0 and 1")
                    new[name] = rate
                elif name in ("latency_ms", "spike_ms"):
                    new[name] = max(0, int(value))
                elif name == "retry_after":
                    new[name] = None if value is None else max(0.0, float(value))
                elif name == "compress":
                    if not isinstance(value, bool | int) or value not in (0, 1):
                        raise ValueError("compress must be true or false")
                    new[name] = bool(value)
                elif name == "error_statuses":
                    statuses = tuple(int(s) for s in (value if isinstance(value, list | tuple) else [value]))
                    if not statuses or any(not 500 <= s <= 599 for s in statuses):
                        raise ValueError("error_statuses must be 5xx codes")
                    new[name] = statuses
        except (TypeError, ValueError) as exc:
            raise validation(f"bad fault settings: {exc}") from None
        for name, value in new.items():
            setattr(self, name, value)


def json_error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    body = json.dumps({"error": message, "error_code": code}, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type="application/json", headers=headers)


class DroppedResponse(Response):
    """Starts a response, sends half its body and returns: the server then drops the connection."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = self.body
        await send(
            {
                "type": "http.response.start",
                "status": self.status_code,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body) + 64).encode())],
            }
        )
        await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})


@dataclass
class FaultInjector:
    """Draws faults from a seeded RNG; `sleep` is injectable so in-process tests never wait."""

    faults: Faults
    rng: random.Random
    faulted: Callable[[str], None]
    sleep: Callable[[float], Awaitable[Any]] = field(default=asyncio.sleep)

    def _hit(self, rate: float) -> bool:
        return rate > 0 and self.rng.random() < rate

    async def before(self, route: str) -> Response | None:
        """Latency, then an error or a 429 instead of acting (None: go on)."""
        f = self.faults
        delay = f.latency_ms / 1000
        if self._hit(f.spike_rate):
            delay += f.spike_ms / 1000
        if delay > 0:
            await self.sleep(delay)
        if self._hit(f.error_rate):
            self.faulted(route)
            status = self.rng.choice(f.error_statuses)
            return json_error(status, ERROR_CODES.get(status, "server_error"), f"Simulated server error {status}")
        if self._hit(f.rate_limit_rate):
            self.faulted(route)
            headers = {"Retry-After": format(f.retry_after, "g")} if f.retry_after is not None else None
            return json_error(429, "rate_limited", "Rate limit exceeded", headers)
        return None

    def after(self, route: str, response: Response, real_http: bool) -> Response:
        """The answer after acting: possibly dropped (real HTTP only) or with a broken JSON body."""
        f = self.faults
        if real_http and self._hit(f.drop_rate):
            self.faulted(route)
            return DroppedResponse(response.body, status_code=response.status_code)
        if 200 <= response.status_code < 300 and self._hit(f.malformed_rate):
            self.faulted(route)
            body = response.body
            return Response(body[: max(1, len(body) // 2)], status_code=response.status_code,
                            media_type="application/json")
        return response
