"""Typed errors of the GEN API client, each with a hint saying what the user can do next.

An error carries the HTTP status, the server's ``error_code`` and human ``error`` message, the method
and the URL path of the request. It never carries headers, the query's secrets or the API key: the
client scrubs the key out of anything the server echoes before an error is built.
"""

from __future__ import annotations

from typing import ClassVar

AUTH_CODES = frozenset({"unauthorized", "permission_denied", "forbidden"})
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
#: what a fresh install (no key in config, no GEN_API_KEY) is told, in the TUI and by every command
NO_KEY = "no API key: run `gentui login`, or try `gentui --demo`"
MESSAGE_CAP = 500  # characters of a server message kept (an HTML error page is not a message)


def unreachable(host: str, how: str = "") -> str:
    """A connection that never got through, naming the host first and short (a header line shows it):
    `nosuchhost.invalid unreachable`, `api.gen.pro unreachable: timed out connecting`."""
    if not host:
        return f"{how or 'could not connect'} to the server"
    return f"{host} unreachable" + (f": {how}" if how else "")


class GenApiError(Exception):
    """Any failure talking to the GEN API."""

    default_hint: ClassVar[str] = "Try again; if it keeps failing, check the API log (L)."

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_code: str | None = None,
        method: str | None = None,
        path: str | None = None,
        retry_after: float | None = None,
        attempts: int = 1,
    ) -> None:
        self.message = (message or (f"HTTP {status}" if status else type(self).__name__))[:MESSAGE_CAP]
        self.status = status
        self.error_code = error_code
        self.method = method
        self.path = path
        self.retry_after = retry_after
        self.attempts = attempts
        #: an earlier attempt of the same request may have reached the server (set by the client's retry
        #: loop): then even a connection refused at the last attempt is not "certainly not sent"
        self.reached_before = False
        super().__init__(self.message)

    @property
    def hint(self) -> str:
        """What the user should do next."""
        return self.default_hint

    @property
    def retryable(self) -> bool:
        """Whether the retry policy may send the same request again."""
        return False

    @property
    def refused(self) -> bool:
        """The server answered no (4xx): it did not act, so nothing was charged. Anything else may have reached it."""
        return self.status is not None and 400 <= self.status < 500

    @property
    def not_sent(self) -> bool:
        """Certainly never reached the server (no attempt got past connecting): nothing charged, nothing to resend."""
        return False

    def __str__(self) -> str:
        text = self.message
        detail = ", ".join(str(p) for p in (f"HTTP {self.status}" if self.status else None, self.error_code) if p)
        if detail:
            text += f" ({detail})"
        if self.method and self.path:
            text += f" [{self.method} {self.path}]"
        return text

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(status={self.status!r}, error_code={self.error_code!r}, "
            f"message={self.message!r}, method={self.method!r}, path={self.path!r})"
        )

    def __reduce__(self):  # keep pickling (multiprocessing, pytest-xdist) working with keyword-only init
        return (_rebuild, (type(self), self.__dict__.copy()))


def _rebuild(cls: type[GenApiError], state: dict) -> GenApiError:
    exc = cls.__new__(cls)
    Exception.__init__(exc, state.get("message", ""))
    exc.__dict__.update(state)
    return exc


class AuthError(GenApiError):
    """401/403: the key is missing, wrong or revoked, or its user may not do this."""

    @property
    def hint(self) -> str:
        if self.status == 403 or self.error_code in ("permission_denied", "forbidden"):
            return "Your user needs the owner or manager role in this agent's workspace, and access to the agent."
        return "Check the API key: run `gentui login` or set GEN_API_KEY."


class NotFoundError(GenApiError):
    """404: missing, or no access (the API does not tell which)."""

    default_hint = "Check the id (agent, engine, cell or generation); a 404 also means your key has no access to it."

    def __init__(self, message: str, **kwargs) -> None:
        super().__init__(message, **kwargs)
        if self.missing_v1:  # the likely cause first, where a header line has room for it
            self.message = f"base_url without /v1? {self.message}"[:MESSAGE_CAP]

    @property
    def missing_v1(self) -> bool:
        """The request's path has no /v1: the base URL most likely lacks it (`https://api.gen.pro`)."""
        return self.path is not None and not ("/v1/" in self.path or self.path.endswith("/v1"))

    @property
    def hint(self) -> str:
        if self.missing_v1:
            return (f"Check base_url: it must end in /v1 (like https://api.gen.pro/v1); this request went to "
                    f"{self.path}, without /v1.")
        return self.default_hint


class AgentNotFoundError(GenApiError):
    """422 agent_not_found: a bad agent id, or one the key's user cannot reach."""

    default_hint = "Check the agent id (--agent or agent_id in config); `gentui` without it lists your agents."


class ValidationError(GenApiError):
    """422 validation_error and other 422s (and 400): the server refused the request as sent."""

    default_hint = "The server refused the request; check the card's fields (type, model, duration) and retry."


class InsufficientCreditsError(GenApiError):
    """422 insufficient_credits_for_job: the balance is below this job's estimate."""

    default_hint = "Top up the workspace's credits, or choose a cheaper model or a shorter duration."


class CreditRequiredError(GenApiError):
    """422 usable_gen_credit_required: the workspace has no active GEN credits."""

    default_hint = "The workspace needs an active GEN credit plan before the API can be used (gen.pro billing)."


class JobCannotBeStoppedError(GenApiError):
    """422 job_cannot_be_stopped: the generation already finished."""

    default_hint = "The generation already finished; refresh to see its result."


class RateLimitedError(GenApiError):
    """429: too many requests; `retry_after` is the server's wish in seconds, when it said one."""

    default_hint = "The server is rate limiting; gentui retries by itself, so wait a moment."

    @property
    def retryable(self) -> bool:
        return True


class ServerError(GenApiError):
    """5xx: the server failed."""

    default_hint = "The GEN server had a problem; it is retried automatically. Try again in a minute."

    @property
    def retryable(self) -> bool:
        return self.status in RETRYABLE_STATUSES


class TransportError(GenApiError):
    """No HTTP answer: connection refused/reset, timeout, protocol error.

    `ambiguous` is True when the request may have reached the server (read timeout, reset or
    disconnect after the request was sent): a charged POST must then be resent with the same
    Idempotency-Key, never with a new one.
    """

    def __init__(self, message: str, *, ambiguous: bool = False, can_retry: bool = True, never_sent: bool = False,
                 **kwargs) -> None:
        super().__init__(message, **kwargs)
        self.ambiguous = ambiguous
        self.can_retry = can_retry
        self.never_sent = never_sent  # failed before a byte of the request went out (connect refused, no route)

    @property
    def not_sent(self) -> bool:
        return self.never_sent and not self.ambiguous and not self.reached_before

    @property
    def hint(self) -> str:
        if self.not_sent:
            return "Nothing was sent (the connection was refused): check the network and base_url, then try again."
        if self.ambiguous:
            return "The request may have reached the server; refresh before doing it again."
        if not self.can_retry:
            return "Check base_url (it must be like https://api.gen.pro/v1)."
        return "Check the network connection and base_url."

    @property
    def retryable(self) -> bool:
        return self.can_retry

    def __repr__(self) -> str:
        return f"{super().__repr__()[:-1]}, ambiguous={self.ambiguous!r})"


class MalformedResponseError(GenApiError):
    """An answer whose body is not the JSON expected (a proxy's HTML page, a truncated body, a wrong shape)."""

    default_hint = "The server's answer was not the expected JSON; check base_url (it must end in /v1)."

    @property
    def retryable(self) -> bool:
        return True


class AnswerTooLargeError(MalformedResponseError):
    """An answer whose decompressed body passed the client's size limit (a gzip bomb, a runaway server)."""

    default_hint = "The server's answer was far bigger than any GEN answer should be; it was not read. Check base_url."

    @property
    def retryable(self) -> bool:
        return False  # the same request would get the same flood


class DeadlineError(TransportError):
    """The answer did not arrive in full within the request's total deadline (a stalled or dripping server)."""

    def __init__(self, message: str, **kwargs) -> None:
        super().__init__(message, ambiguous=True, can_retry=False, **kwargs)

    @property
    def hint(self) -> str:
        return "The server is answering too slowly; the request may have reached it: refresh before doing it again."


class UnsafeIdError(GenApiError):
    """An id that would address another path (empty, ``.`` or ``..``): refused before anything is sent."""

    default_hint = "Check the id: it is not one the GEN API hands out, so nothing was sent."

    @property
    def refused(self) -> bool:
        return True  # nothing left this machine, so nothing was charged

    @property
    def not_sent(self) -> bool:
        return True


_BY_CODE_422: dict[str, type[GenApiError]] = {
    "agent_not_found": AgentNotFoundError,
    "insufficient_credits_for_job": InsufficientCreditsError,
    "usable_gen_credit_required": CreditRequiredError,
    "job_cannot_be_stopped": JobCannotBeStoppedError,
}


def error_class(status: int, error_code: str | None) -> type[GenApiError]:
    """The error type for an HTTP status and the server's `error_code`."""
    code = (error_code or "").strip().lower()
    if status in (401, 403) or (400 <= status < 500 and status not in (404, 429) and code in AUTH_CODES):
        return AuthError
    if status == 404:
        return NotFoundError
    if status == 422:
        return _BY_CODE_422.get(code, ValidationError)
    if status == 400:
        return ValidationError
    if status == 429:
        return RateLimitedError
    if 500 <= status < 600:
        return ServerError
    return GenApiError


def from_response(
    status: int,
    message: str | None,
    error_code: str | None,
    *,
    method: str | None = None,
    path: str | None = None,
    retry_after: float | None = None,
) -> GenApiError:
    """Build the typed error for a non-2xx answer."""
    cls = error_class(status, error_code)
    return cls(
        message or f"HTTP {status}",
        status=status,
        error_code=error_code,
        method=method,
        path=path,
        retry_after=retry_after,
    )
