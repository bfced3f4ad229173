"""The async GEN API client: one small typed httpx client, transport injected, timeouts explicit.

It speaks gen-api.md part 0: the engine path prefix is detected (``vidsheet``, falling back to
``autocontentengine`` on a 404) and remembered; generation types go out in the internal or the
canonical vocabulary; every charged POST carries one Idempotency-Key, reused for every retry; failures
are retried per `gentui.api.retry`; every answer becomes a model from `gentui.api.models` or a typed
error from `gentui.api.errors`. The API key is sent as ``X-API-Key`` and appears nowhere else: not in
repr, errors, request records or logs. Every request is bounded (`gentui.api.limits`): a total
deadline and a cap on the decompressed answer, both larger for whole-engine GETs. Ids go out as one
percent-encoded path segment each (``.`` and ``..`` are refused), and no cookie is ever kept.
"""

from __future__ import annotations

import asyncio
import logging
import random as _random
import urllib.request
import uuid
from collections.abc import Awaitable, Callable
from http.cookiejar import Cookie, CookieJar, CookiePolicy
from typing import Any, Self, TypeVar

import httpx

from gentui import __version__
from gentui.api import errors, vocab
from gentui.api.answers import (
    RequestRecord,
    check_key,
    engine_object,
    generation_answer,
    model_parser,
    object_text,
    parse_list,
)
from gentui.api.limits import ACCEPT_ENCODING, AnswerLimits
from gentui.api.models import (
    Agent,
    Cell,
    Engine,
    EngineSummary,
    GenerateResponse,
    Generation,
    GenerationStatus,
    GlobalVariables,
    Me,
    Organization,
)
from gentui.api.retry import RetryPolicy
from gentui.api.transport import NO_BODY, ApiKeyAuth, Wire, seg
from gentui.api.urls import environment_proxy, without_userinfo

log = logging.getLogger(__name__)

__all__ = ["AnswerLimits", "GenClient", "RequestRecord"]

T = TypeVar("T")
PREFIXES = ("vidsheet", "autocontentengine")
ENGINE_PREFIX_SETTINGS = ("auto", *PREFIXES)
GENERATION_TYPE_SETTINGS = ("internal", "canonical")
DEFAULT_TIMEOUT = httpx.Timeout(15.0, connect=5.0)


class _NoCookies(CookiePolicy):
    """An API-key client keeps no cookies: none is stored, so none is ever sent back."""

    netscape = True
    rfc2965 = False
    hide_cookie2 = True

    def set_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def return_ok(self, cookie: Cookie, request: urllib.request.Request) -> bool:
        return False

    def domain_return_ok(self, domain: str, request: urllib.request.Request) -> bool:
        return False

    def path_return_ok(self, path: str, request: urllib.request.Request) -> bool:
        return False


class GenClient:
    """The GEN API, typed. Use as ``async with GenClient(base_url, key) as client: ...``."""

    def __init__(
        self,
        base_url: str,
        api_key: str | None,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
        engine_prefix: str = "auto",
        generation_types: str = "internal",
        max_attempts: int = 4,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        random: Callable[[], float] = _random.random,
        on_request: Callable[[RequestRecord], None] | None = None,
        user_agent: str = f"gentui/{__version__}",
        limits: AnswerLimits | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        """`timeout` bounds each phase (connect, each read); `limits` bounds the whole request (total
        deadline) and the decompressed size of its answer, larger for whole-engine GETs.

        A plain-http base URL never goes through a proxy from the environment (HTTP_PROXY, ALL_PROXY):
        the key would reach the proxy in clear; `allow_insecure_http` allows it. An https base URL may
        use any proxy: through an http:// proxy it is a CONNECT tunnel, and the key stays inside TLS."""
        if engine_prefix not in ENGINE_PREFIX_SETTINGS:
            raise ValueError(f"engine_prefix must be one of {', '.join(ENGINE_PREFIX_SETTINGS)}")
        if generation_types not in GENERATION_TYPE_SETTINGS:
            raise ValueError(f"generation_types must be one of {', '.join(GENERATION_TYPE_SETTINGS)}")
        text = str(base_url).strip().rstrip("/")
        if without_userinfo(text) != text:
            raise ValueError("base_url must not carry a user name or password: the key goes in api_key")
        url = httpx.URL(text)
        if url.scheme.lower() not in ("http", "https") or not url.host:
            raise ValueError("base_url must be an http(s) URL such as https://api.gen.pro/v1")
        self.base_url = str(url)
        #: the environment's proxy that was ignored for this plain-http server, to tell the user once
        self.ignored_proxy: str | None = None
        trust_env = True
        if url.scheme.lower() == "http" and not allow_insecure_http and transport is None:
            trust_env = False
            proxy = environment_proxy(self.base_url)
            if proxy:
                self.ignored_proxy = without_userinfo(proxy)
                log.warning("not using the proxy %s for %s: the key would cross it in plain http "
                            "(allow_insecure_http allows it)", self.ignored_proxy, self.base_url)
        self.engine_prefix = engine_prefix
        self.generation_types = generation_types
        key = check_key(api_key)
        self._auth = ApiKeyAuth(key) if key else None
        self._prefix: str | None = engine_prefix if engine_prefix != "auto" else None
        self._prefix_verified = engine_prefix != "auto"
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            transport=transport,
            trust_env=trust_env,
            timeout=timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(float(timeout)),
            auth=self._auth,
            follow_redirects=False,
            cookies=CookieJar(policy=_NoCookies()),
            headers={
                "Accept": "application/json",
                "Accept-Encoding": ACCEPT_ENCODING,
                "Content-Type": "application/json",
                "User-Agent": user_agent,
            },
        )
        self.limits = limits or AnswerLimits()
        self._wire = Wire(
            self._http, self._auth, RetryPolicy(max_attempts=max_attempts), sleep, random, on_request, self.limits
        )

    # --- lifecycle -----------------------------------------------------------------------------
    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    def __repr__(self) -> str:
        return (
            f"GenClient(base_url={self.base_url!r}, prefix={self.prefix!r}, engine_prefix={self.engine_prefix!r}, "
            f"generation_types={self.generation_types!r}, api_key={'set' if self._auth else 'none'})"
        )

    @property
    def has_key(self) -> bool:
        return self._auth is not None

    @property
    def on_request(self) -> Callable[[RequestRecord], None] | None:
        """The observer told about every attempt (the API log); settable."""
        return self._wire.on_request

    @on_request.setter
    def on_request(self, observer: Callable[[RequestRecord], None] | None) -> None:
        self._wire.on_request = observer

    @property
    def wire(self) -> Wire:
        """The request machinery (retries, caps, deadlines, typed errors) other API modules call through."""
        return self._wire

    @property
    def http(self) -> httpx.AsyncClient:
        """The HTTP client under the wire (for a request to another host, sent with `auth=None`)."""
        return self._http

    def listen(self, observer: Callable[[RequestRecord], None]) -> Callable[[], None]:
        """Also give every request record to `observer` (besides `on_request`); returns the undo."""
        self._wire.listeners.append(observer)

        def undo() -> None:
            if observer in self._wire.listeners:
                self._wire.listeners.remove(observer)

        return undo

    # --- the engine path prefix ------------------------------------------------------------------
    @property
    def prefix(self) -> str | None:
        """The engine prefix in use once known (explicit, detected, or restored from saved state)."""
        return self._prefix

    @prefix.setter
    def prefix(self, value: str | None) -> None:
        if self.engine_prefix != "auto":
            return  # an explicit setting wins over saved state
        self._prefix = value if value in PREFIXES else None
        self._prefix_verified = False  # restored, not yet seen answering in this session

    def _candidates(self) -> list[str]:
        if self.engine_prefix != "auto":
            return [self.engine_prefix]
        if self._prefix is not None and self._prefix_verified:
            return [self._prefix]
        first = self._prefix or PREFIXES[0]
        return [first, *(p for p in PREFIXES if p != first)]

    def _learn(self, prefix: str) -> None:
        if self.engine_prefix == "auto":
            self._prefix, self._prefix_verified = prefix, True

    async def _engine_call(
        self,
        method: str,
        agent_id: str,
        engine_id: str,
        sub: str,
        parse: Callable[[Any], T],
        *,
        params: dict[str, str] | None = None,
        body: Any = NO_BODY,
        idempotency_key: str | None = None,
        allow_empty: bool = False,
        what: str = "",
        raw: bool = False,
        engine: bool = False,
    ) -> T:
        """An engine-scoped call, with `agent_id` in the query and the prefix fallback of part 0."""
        query = {"agent_id": str(agent_id), **(params or {})}
        candidates = self._candidates()
        missing: errors.NotFoundError | None = None
        for prefix in candidates:
            path = f"/{prefix}/{seg(engine_id)}{sub}"
            try:
                result = await self._wire.call(
                    method,
                    path,
                    parse,
                    params=query,
                    body=body,
                    idempotency_key=idempotency_key,
                    allow_empty=allow_empty,
                    raw=raw,
                    engine=engine,
                )
            except errors.NotFoundError as exc:
                if len(candidates) == 1:
                    raise
                missing = exc
                continue
            except errors.GenApiError as exc:
                if exc.status is not None:
                    self._learn(prefix)  # it answered something other than 404
                raise
            self._learn(prefix)
            return result
        message = f"engine {engine_id} not found under either path (/{PREFIXES[0]}, /{PREFIXES[1]})"
        if what:
            message += f", or its {what} is missing"
        raise errors.NotFoundError(
            self._wire.scrub(message),
            status=404,
            error_code=missing.error_code if missing else "not_found",
            method=method,
            path=missing.path if missing else None,
            attempts=missing.attempts if missing else 1,
        )

    # --- discovery, agents, organizations --------------------------------------------------------
    async def me(self) -> Me:
        return await self._wire.call("GET", "/me", model_parser(Me, "user", "me"))

    async def agents(self, workspace_id: str | None = None) -> list[Agent]:
        params = {"workspace_id": str(workspace_id)} if workspace_id is not None else None
        return await self._wire.call("GET", "/agents", lambda d: parse_list(Agent, d, "agents", "data"), params=params)

    async def agent(self, agent_id: str) -> Agent:
        return await self._wire.call("GET", f"/agents/{seg(agent_id)}", model_parser(Agent, "agent"))

    async def organizations(self) -> list[Organization]:
        return await self._wire.call(
            "GET", "/organizations", lambda d: parse_list(Organization, d, "organizations", "data")
        )

    async def organization(self, org_id: str) -> Organization:
        return await self._wire.call("GET", f"/organizations/{seg(org_id)}", model_parser(Organization, "organization"))

    # --- engines and cells ---------------------------------------------------------------------
    async def list_engines(self, agent_id: str) -> list[EngineSummary]:
        """Best effort (no documented endpoint): [] when the server does not list engines; raises on auth."""
        keys = ("spreadsheets", "engines", "vidsheets", "sheets", "projects", "data", "items")
        for prefix in self._candidates():
            try:
                engines = await self._wire.call(
                    "GET",
                    f"/{prefix}",
                    lambda d: parse_list(EngineSummary, d, *keys),
                    params={"agent_id": str(agent_id)},
                )
            except errors.NotFoundError:
                continue
            except (errors.ValidationError, errors.MalformedResponseError):
                return []
            except errors.GenApiError as exc:
                if exc.status == 405:
                    return []
                raise
            self._learn(prefix)
            return engines
        return []

    async def get_engine_text(self, agent_id: str, engine_id: str, *, with_execution_cost: bool = False) -> str:
        """The engine's JSON text, undecoded (big engines are read a row at a time by the core).

        Only a cheap shape check happens here (a JSON object, not cut short), so a truncated or
        non-JSON answer is still retried like any malformed answer.
        """
        params = {"with_execution_cost": "true"} if with_execution_cost else None
        return await self._engine_call(
            "GET", agent_id, engine_id, "", object_text, params=params, raw=True, engine=True
        )

    async def get_engine(self, agent_id: str, engine_id: str, *, with_execution_cost: bool = False) -> Engine:
        params = {"with_execution_cost": "true"} if with_execution_cost else None
        return await self._engine_call(
            "GET", agent_id, engine_id, "", lambda d: Engine.model_validate(engine_object(d)), params=params,
            engine=True,
        )

    async def get_cell(self, agent_id: str, engine_id: str, cell_id: str) -> Cell:
        return await self._engine_call(
            "GET",
            agent_id,
            engine_id,
            f"/cells/{seg(cell_id)}",
            model_parser(Cell, "spreadsheet_cell", "cell"),
            what=f"cell {cell_id}",
        )

    async def update_cell(
        self,
        agent_id: str,
        engine_id: str,
        cell_id: str,
        *,
        value: str | None = None,
        additional_attributes: dict | None = None,
    ) -> Cell:
        """PATCH the cell (free): `{"spreadsheet_cell": {"value"?, "additional_attributes"?}}`."""
        fields: dict[str, Any] = {}
        if value is not None:
            fields["value"] = value
        if additional_attributes is not None:
            fields["additional_attributes"] = additional_attributes
        if not fields:
            raise ValueError("update_cell needs a value or additional_attributes")
        return await self._engine_call(
            "PATCH",
            agent_id,
            engine_id,
            f"/cells/{seg(cell_id)}",
            model_parser(Cell, "spreadsheet_cell", "cell"),
            body={"spreadsheet_cell": fields},
            what=f"cell {cell_id}",
        )

    async def mass_update_cells(self, agent_id: str, engine_id: str, cells: list[dict]) -> list[Cell] | None:
        """PUT `{"cells": [{"id", ...}]}`; the updated cells when the server lists them, else None."""

        def parse(data: Any) -> list[Cell] | None:
            if isinstance(data, list) or (isinstance(data, dict) and isinstance(data.get("cells"), list)):
                return parse_list(Cell, data, "cells")
            return None

        return await self._engine_call(
            "PUT", agent_id, engine_id, "/cells/mass_update", parse, body={"cells": list(cells)}, allow_empty=True
        )

    async def set_default_user_job(self, agent_id: str, engine_id: str, cell_id: str, user_job_id: str) -> Cell:
        """Pin one of the cell's generations as the displayed one."""
        job = str(user_job_id).strip()
        body = {"user_job_id": int(job) if job.isdigit() else job}
        return await self._engine_call(
            "PATCH",
            agent_id,
            engine_id,
            f"/cells/{seg(cell_id)}/set_default_user_job",
            model_parser(Cell, "spreadsheet_cell", "cell"),
            body=body,
            what=f"cell {cell_id}",
        )

    async def global_variables(self, agent_id: str, engine_id: str) -> dict[str, str]:
        return await self._engine_call(
            "GET",
            agent_id,
            engine_id,
            "/global_variables",
            lambda d: GlobalVariables.model_validate(d).variables,
            allow_empty=True,
        )

    # --- generations (charged POSTs carry one Idempotency-Key for every retry) -------------------
    async def generate(
        self,
        agent_id: str,
        engine_id: str,
        cell_id: str,
        generation_type: str,
        data: dict | None,
        *,
        idempotency_key: str | None = None,
    ) -> GenerateResponse:
        """Start a generation on a cell. `generation_type` is canonical (or already internal)."""
        key = idempotency_key or str(uuid.uuid4())
        model = data.get("model") if isinstance(data, dict) else None
        body = {"generation_type": vocab.wire_type(generation_type, model, self.generation_types), "data": data or {}}
        return await self._engine_call(
            "POST",
            agent_id,
            engine_id,
            f"/cells/{seg(cell_id)}/generate",
            model_parser(GenerateResponse, "generation"),
            body=body,
            idempotency_key=key,
            what=f"cell {cell_id}",
        )

    async def render(
        self, agent_id: str, engine_id: str, cell_id: str, *, idempotency_key: str | None = None
    ) -> GenerateResponse:
        """Render the row's final video into this (final_video) cell."""
        key = idempotency_key or str(uuid.uuid4())
        return await self._engine_call(
            "POST",
            agent_id,
            engine_id,
            f"/cells/{seg(cell_id)}/render",
            model_parser(GenerateResponse, "generation"),
            body={"agent_id": str(agent_id)},
            idempotency_key=key,
            what=f"cell {cell_id}",
        )

    async def get_generation(self, generation_id: str) -> Generation:
        return await self._wire.call(
            "GET", f"/generations/{seg(generation_id)}", model_parser(Generation, "generation", "user_job")
        )

    async def stop(self, generation_id: str) -> Generation:
        """Stop a generation (refunded). A 422 after a retry means: re-read; stopped means it worked."""
        path = f"/generations/{seg(generation_id)}/stop"
        try:
            answer = await self._wire.call("POST", path, generation_answer(generation_id), body={}, allow_empty=True)
        except errors.GenApiError as exc:
            if exc.status == 422 and exc.attempts > 1:
                current = await self.get_generation(generation_id)
                if current.status is GenerationStatus.STOPPED:
                    return current
            raise
        return answer if answer is not None else await self.get_generation(generation_id)

    async def continue_(self, generation_id: str, *, idempotency_key: str | None = None) -> Generation:
        """Continue a stopped generation (re-charged). A 422 after a retry: re-read; in flight means it worked."""
        key = idempotency_key or str(uuid.uuid4())
        path = f"/generations/{seg(generation_id)}/continue"
        try:
            answer = await self._wire.call(
                "POST", path, generation_answer(generation_id), body={}, idempotency_key=key, allow_empty=True
            )
        except errors.GenApiError as exc:
            if exc.status == 422 and exc.attempts > 1:
                current = await self.get_generation(generation_id)
                if current.status.in_flight:
                    return current
            raise
        return answer if answer is not None else await self.get_generation(generation_id)
