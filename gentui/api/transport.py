"""Plumbing under the client: the key's auth hook, request records, answer parsing, error building.

Nothing here holds the API key in a plain attribute, a header dict or a message: the key lives in
`ApiKeyAuth` (whose repr is masked) and is added to a request as it leaves; every text that came
from the server goes through `ApiKeyAuth.scrub` before it can end up in an error.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import zlib
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar
from urllib.parse import quote

import httpx
from pydantic import ValidationError as PydanticValidationError

from gentui.api import errors
from gentui.api.answers import RequestRecord, describe_invalid
from gentui.api.limits import AnswerLimits, Limit, TooLarge, WireMeter, read_body, too_large_error
from gentui.api.models import ErrorBody
from gentui.api.retry import RetryPolicy, parse_retry_after

log = logging.getLogger("gentui.api")

T = TypeVar("T")
Scrub = Callable[[str], str]
NO_BODY: Any = object()


class ApiKeyAuth(httpx.Auth):
    """Adds ``X-API-Key`` as the request leaves, so the key sits in no header dict of ours."""

    def __init__(self, key: str) -> None:
        self._key = key

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        request.headers["X-API-Key"] = self._key
        yield request

    def scrub(self, text: str) -> str:
        return text.replace(self._key, "***") if self._key in text else text

    def __repr__(self) -> str:
        return "ApiKeyAuth(***)"


DOT_SEGMENTS = frozenset({"", ".", ".."})


def seg(value: object) -> str:
    """An id as one URL path segment: every reserved character and every dot percent-encoded.

    `.` and `..` (and an empty id) are refused with `errors.UnsafeIdError`: as a segment they would
    address another path (``cells/../generate`` is the engine's own ``generate``), and a server may
    decode ``%2E%2E`` before it routes.
    """
    text = str(value).strip()
    if text in DOT_SEGMENTS:
        raise errors.UnsafeIdError(f"refused to send the id {text!r}: it would address another path")
    return quote(text, safe="").replace(".", "%2E")


# --- errors ---------------------------------------------------------------------------------------


def http_error(
    response: httpx.Response, content: bytes, method: str, path: str, scrub: Scrub, max_retry_after: float
) -> errors.GenApiError:
    """The typed error for a non-2xx answer; a body that is not JSON gives the message "HTTP <status>"."""
    status = response.status_code
    message, code = f"HTTP {status}", None
    try:
        body = json.loads(content) if content.strip() else None
    except (ValueError, RecursionError):
        body = None
    if isinstance(body, dict):
        parsed = ErrorBody.model_validate(body)
        message = parsed.error.strip() or message
        code = parsed.error_code
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    if retry_after is not None:
        retry_after = min(retry_after, max_retry_after)
    return errors.from_response(
        status, scrub(message), scrub(code) if code else None, method=method, path=path, retry_after=retry_after
    )


def _host(exc: httpx.HTTPError) -> str:
    """The host a failed request went to ("" when httpx did not say)."""
    try:
        return exc.request.url.host
    except RuntimeError:  # an exception raised without its request
        return ""


def transport_error(exc: httpx.HTTPError, method: str, path: str, scrub: Scrub) -> errors.GenApiError:
    """The typed error for a request that got no (readable) answer.

    Connect errors never reached the server (`never_sent`: nothing went out, so nothing was charged and
    a charged POST is not resent by itself); a read timeout, a reset or a disconnect after sending
    may have (`ambiguous`): a charged POST is then resent with the same Idempotency-Key.
    """
    detail = scrub(str(exc))[:200]
    kind = type(exc).__name__
    suffix = f" ({detail})" if detail else ""
    where: dict[str, Any] = {"method": method, "path": path}
    if isinstance(exc, httpx.DecodingError):
        return errors.MalformedResponseError(
            "the answer could not be decoded" + suffix, error_code="malformed_response", **where
        )
    if isinstance(exc, (httpx.UnsupportedProtocol, httpx.LocalProtocolError)):
        return errors.TransportError(
            "the request could not be sent" + suffix, can_retry=False, never_sent=True, error_code=kind, **where
        )
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.ProxyError)):
        text = "timed out connecting" if isinstance(exc, httpx.TimeoutException) else ""
        return errors.TransportError(errors.unreachable(_host(exc), text) + suffix, ambiguous=False,
                                     never_sent=True, error_code=kind, **where)
    text = "timed out waiting for the answer" if isinstance(exc, httpx.TimeoutException) else "the connection broke"
    return errors.TransportError(text + suffix, ambiguous=True, error_code=kind, **where)


# --- sending --------------------------------------------------------------------------------------


class Wire:
    """Sends one logical request: attempts, the retry schedule, request records, answer parsing."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        auth: ApiKeyAuth | None,
        policy: RetryPolicy,
        sleep: Callable[[float], Awaitable[None]],
        random: Callable[[], float],
        on_request: Callable[[RequestRecord], None] | None,
        limits: AnswerLimits | None = None,
    ) -> None:
        self.limits = limits or AnswerLimits()
        self.http = http
        self.auth = auth
        self.policy = policy
        self.sleep = sleep
        self.random = random
        self.on_request = on_request
        #: more observers of every record (the poller's cost model): see `GenClient.listen`
        self.listeners: list[Callable[[RequestRecord], None]] = []

    def scrub(self, text: str) -> str:
        return self.auth.scrub(text) if self.auth else text

    async def call(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, str] | None = None,
        body: Any = NO_BODY,
        idempotency_key: str | None = None,
        allow_empty: bool = False,
        raw: bool = False,
        engine: bool = False,
    ) -> T:
        """Send with retries per the policy; the same Idempotency-Key goes out on every attempt.

        `raw`: `parse` gets the body's bytes instead of its JSON (for answers too big to decode at once).
        `engine`: a whole-engine GET, which gets the engine's deadline and size limit.
        """
        limit = self.limits.pick(engine)
        attempt = 0
        reached = False  # some attempt may have reached the server: no later error makes it "not sent"
        while True:
            attempt += 1
            try:
                return await self._attempt(
                    method, path, parse, params, body, idempotency_key, attempt, allow_empty, raw, limit
                )
            except errors.GenApiError as exc:
                exc.attempts = attempt
                exc.reached_before = reached
                reached = reached or not exc.not_sent
                if not self.policy.should_retry(attempt, exc):
                    raise
                delay = self.policy.delay(attempt, exc, self.random)
                log.debug("retrying %s %s in %.2f s after %s", method, exc.path, delay, type(exc).__name__)
                await self.sleep(delay)

    async def _attempt(
        self,
        method: str,
        path: str,
        parse: Callable[[Any], T],
        params: dict[str, str] | None,
        body: Any,
        idempotency_key: str | None,
        attempt: int,
        allow_empty: bool,
        raw: bool,
        limit: Limit,
    ) -> T:
        extra = {"Idempotency-Key": idempotency_key} if idempotency_key else None
        request = self.http.build_request(
            method, path, params=params, json=None if body is NO_BODY else body, headers=extra
        )
        shown = self.scrub(request.url.raw_path.decode("ascii", "replace"))
        bare = self.scrub(request.url.path)
        started, t0 = time.time(), time.perf_counter()
        meter = WireMeter()
        content = b""

        def record(status: int | None, error_code: str | None) -> None:
            encoding = response.headers.get("Content-Encoding", "") if response is not None else ""
            self._record(
                RequestRecord(method, shown, status, (time.perf_counter() - t0) * 1000.0, error_code, attempt, started,
                              meter.bytes, len(content), encoding[:20])
            )

        failure: errors.GenApiError | None = None
        response: httpx.Response | None = None
        try:
            async with asyncio.timeout(limit.deadline):
                response = await self.http.send(request, stream=True)
                try:
                    content = await read_body(response, limit, meter)
                finally:
                    await response.aclose()
        except TimeoutError:
            failure = errors.DeadlineError(
                f"no complete answer within {limit.deadline:g} s (the request deadline)",
                error_code="deadline_exceeded", method=method, path=bare,
            )
        except TooLarge as exc:
            failure = too_large_error(exc, method, bare, response.status_code if response is not None else 200)
        except (zlib.error, ValueError) as exc:  # a body its Content-Encoding does not describe
            failure = errors.MalformedResponseError(
                self.scrub(f"the answer could not be decoded ({str(exc)[:120] or type(exc).__name__})"),
                status=response.status_code if response is not None else None,
                error_code="malformed_response", method=method, path=bare,
            )
        except httpx.HTTPError as exc:
            failure = transport_error(exc, method, bare, self.scrub)
        if failure is not None or response is None:  # raised outside the handler: no __context__ holding the request
            failure = failure or errors.TransportError("no answer", method=method, path=bare)
            record(response.status_code if response is not None else None, failure.error_code)
            raise failure
        status = response.status_code
        if not 200 <= status < 300:
            error = http_error(response, content, method, bare, self.scrub, self.policy.max_retry_after)
            record(status, error.error_code)
            content = b""  # the body may echo the key: keep it out of this frame's locals (crash reports show them)
            raise error
        try:
            if not content.strip():
                if not allow_empty:
                    raise ValueError("empty body")
                data = None
            else:
                data = content if raw else json.loads(content)
            result = parse(data)
        except (ValueError, TypeError, KeyError, RecursionError, PydanticValidationError,
                errors.MalformedResponseError) as exc:
            failure = errors.MalformedResponseError(
                self.scrub(f"the answer is not the expected JSON ({describe_invalid(exc)})"),
                status=status,
                error_code="malformed_response",
                method=method,
                path=bare,
            )
        if failure is not None:
            record(status, failure.error_code)
            content, data = b"", None  # as above: no body in a traceback's locals
            raise failure
        record(status, None)
        return result

    def _record(self, rec: RequestRecord) -> None:
        outcome = rec.status if rec.status is not None else "no answer"
        note = f", {rec.error_code}" if rec.error_code else ""
        failed = rec.error_code is not None or rec.status is None or rec.status >= 400
        log.log(  # API errors at info, every request at debug (gentui.logs: the log file)
            logging.INFO if failed else logging.DEBUG,
            "%s %s -> %s in %.0f ms (attempt %d%s)", rec.method, rec.path, outcome, rec.elapsed_ms, rec.attempt, note
        )
        for observer in (self.on_request, *self.listeners):
            if observer is None:
                continue
            try:
                observer(rec)
            except Exception:  # an observer must never break a request
                log.exception("on_request observer failed")
