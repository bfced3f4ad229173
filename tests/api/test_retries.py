"""The retry schedule of part 0, idempotency across retries, stop's re-read, records and key secrecy."""

from __future__ import annotations

import logging
import pickle
import time
from email.utils import formatdate

import httpx
import pytest

from gentui.api import errors
from gentui.api.models import GenerationStatus
from gentui.api.retry import RetryPolicy, parse_retry_after

from .conftest import KEY, answer, error

CREATED = answer(201, {"generation_id": 9000, "status": "pending"})
OK_ME = answer(200, {"id": 1})


# --- the schedule -----------------------------------------------------------------------------


async def test_gets_retry_5xx_with_doubling_full_jitter_delays(server, make_client, sleeps) -> None:
    server.on("GET", "/me", error(503, None), error(502, None), error(500, None), OK_ME)
    me = await make_client(random=lambda: 0.5).me()
    assert me.id == "1"
    assert sleeps == [0.25, 0.5, 1.0]  # random() * (0.5, 1, 2)
    assert len(server.requests) == 4


async def test_attempts_are_exhausted_after_four_and_the_last_error_is_raised(server, make_client, sleeps) -> None:
    server.on("GET", "/me", error(503, None, "first"), error(503, None, "second"), error(502, None, "third"),
              error(504, None, "last"))  # fmt: skip
    with pytest.raises(errors.ServerError) as caught:
        await make_client().me()
    assert caught.value.message == "last" and caught.value.status == 504 and caught.value.attempts == 4
    assert sleeps == [0.5, 1.0, 2.0]
    assert len(server.requests) == 4


async def test_backoff_is_capped_at_eight_seconds(server, make_client, sleeps) -> None:
    server.on("GET", "/me", error(500, None))
    with pytest.raises(errors.ServerError):
        await make_client(max_attempts=7).me()
    assert sleeps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]


@pytest.mark.parametrize(
    ("status", "code"),
    [(401, "unauthorized"), (403, "forbidden"), (404, "not_found"), (422, "validation_error"), (501, None)],
)
async def test_no_retry_on_client_errors(server, make_client, sleeps, status, code) -> None:
    server.on("GET", "/me", error(status, code), OK_ME)
    with pytest.raises(errors.GenApiError):
        await make_client().me()
    assert len(server.requests) == 1 and sleeps == []


async def test_429_is_retried_and_retry_after_seconds_honoured(server, make_client, sleeps) -> None:
    server.on("GET", "/me", error(429, "rate_limited", headers={"Retry-After": "3"}), OK_ME)
    await make_client().me()
    assert sleeps == [3.0]


async def test_retry_after_is_capped_at_sixty_seconds(server, make_client, sleeps) -> None:
    server.on("GET", "/me", error(429, "rate_limited", headers={"Retry-After": "3600"}), OK_ME)
    await make_client().me()
    assert sleeps == [60.0]


async def test_retry_after_as_an_http_date(server, make_client, sleeps) -> None:
    future = formatdate(time.time() + 3600, usegmt=True)
    past = formatdate(time.time() - 3600, usegmt=True)
    server.on("GET", "/me", error(503, None, headers={"Retry-After": future}),
              error(503, None, headers={"Retry-After": past}), OK_ME)  # fmt: skip
    await make_client().me()
    assert sleeps == [60.0, 0.0]


async def test_rate_limited_error_carries_retry_after(server, make_client) -> None:
    server.on("GET", "/me", error(429, "rate_limited", headers={"Retry-After": "7"}))
    with pytest.raises(errors.RateLimitedError) as caught:
        await make_client(max_attempts=1).me()
    assert caught.value.retry_after == 7.0


def test_parse_retry_after() -> None:
    assert parse_retry_after(None) is None
    assert parse_retry_after("") is None
    assert parse_retry_after("soon") is None
    assert parse_retry_after("-3") is None
    assert parse_retry_after("2.5") == 2.5
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=lambda: 1445412470.0) == 10.0


def test_policy_backoff_values() -> None:
    policy = RetryPolicy()
    assert [policy.backoff(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0]
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)


async def test_connection_errors_and_malformed_answers_are_retried(server, make_client, sleeps) -> None:
    server.on("GET", "/me", httpx.ConnectError("refused"), answer(200, raw=b"{trunc"), OK_ME)
    assert (await make_client().me()).id == "1"
    assert len(server.requests) == 3 and sleeps == [0.5, 1.0]


async def test_idempotent_writes_retry_like_gets(server, make_client, sleeps) -> None:
    cell = {"id": 9}
    server.on("PATCH", "/cells/9", error(502, None), answer(200, cell))
    server.on("PATCH", "/set_default_user_job", httpx.ReadTimeout("slow"), answer(200, cell))
    server.on("PUT", "/mass_update", error(503, None), answer(200, [cell]))
    client = make_client(engine_prefix="vidsheet")
    await client.update_cell("42", "100", "9", value="v")
    await client.set_default_user_job("42", "100", "9", "77")
    await client.mass_update_cells("42", "100", [cell])
    assert len(server.requests) == 6


# --- charged POSTs: one key for every attempt -------------------------------------------------


async def test_generate_retries_with_the_same_idempotency_key(server, make_client, sleeps) -> None:
    server.on("POST", "/generate", error(503, None), error(429, "rate_limited"), error(500, None), CREATED)
    answer_ = await make_client(engine_prefix="vidsheet").generate("42", "100", "9", "text", {"prompt": "p"})
    assert answer_.generation_id == "9000"
    keys = {r.headers["Idempotency-Key"] for r in server.requests}
    assert len(server.requests) == 4 and len(keys) == 1
    assert sleeps == [0.5, 1.0, 2.0]
    bodies = [r.content for r in server.requests]
    assert len(set(bodies)) == 1


@pytest.mark.parametrize(
    "failure",
    [
        httpx.ReadTimeout("read timed out"),
        httpx.RemoteProtocolError("server disconnected without sending a response"),
        httpx.ReadError("connection reset by peer"),
        answer(201, raw=b'{"generation_id": 90'),  # malformed 2xx: the job probably exists
    ],
    ids=["read-timeout", "disconnect", "reset", "malformed-2xx"],
)
async def test_ambiguous_failures_resend_with_the_same_key(server, make_client, failure) -> None:
    server.on("POST", "/generate", failure, CREATED)
    answer_ = await make_client(engine_prefix="vidsheet").generate(
        "42", "100", "9", "text", {}, idempotency_key="intent-1"
    )
    assert answer_.generation_id == "9000"
    assert [r.headers["Idempotency-Key"] for r in server.requests] == ["intent-1", "intent-1"]


async def test_render_and_continue_keep_their_key_across_retries(server, make_client) -> None:
    server.on("POST", "/render", httpx.ReadTimeout("t"), CREATED)
    server.on("POST", "/continue", error(502, None), answer(200, {"id": 5, "status": "pending"}))
    client = make_client(engine_prefix="vidsheet")
    await client.render("42", "100", "9")
    await client.continue_("5")
    render_keys = {r.headers["Idempotency-Key"] for r in server.requests[:2]}
    continue_keys = {r.headers["Idempotency-Key"] for r in server.requests[2:]}
    assert len(render_keys) == 1 and len(continue_keys) == 1 and render_keys != continue_keys


async def test_exhausted_ambiguous_generate_raises_an_ambiguous_transport_error(server, make_client) -> None:
    server.on("POST", "/generate", httpx.ReadTimeout("t"))
    with pytest.raises(errors.TransportError) as caught:
        await make_client(engine_prefix="vidsheet").generate("42", "100", "9", "text", {}, idempotency_key="k")
    assert caught.value.ambiguous and caught.value.attempts == 4
    assert {r.headers["Idempotency-Key"] for r in server.requests} == {"k"}


async def test_generate_is_not_retried_on_422(server, make_client, sleeps) -> None:
    server.on("POST", "/generate", error(422, "insufficient_credits_for_job", "Insufficient credits for this job"))
    with pytest.raises(errors.InsufficientCreditsError):
        await make_client(engine_prefix="vidsheet").generate("42", "100", "9", "text", {})
    assert len(server.requests) == 1 and sleeps == []


async def test_prefix_fallback_keeps_the_key(server, make_client) -> None:
    server.on("POST", "/autocontentengine/100/cells/9/generate", CREATED)
    await make_client().generate("42", "100", "9", "text", {}, idempotency_key="same")
    assert [r.url.path.split("/")[2] for r in server.requests] == ["vidsheet", "autocontentengine"]
    assert {r.headers["Idempotency-Key"] for r in server.requests} == {"same"}


# --- stop ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [{"id": 5, "status": "stopped", "user_job_type": "kling"}, {"generation_id": 5, "status": "stopped"}],
    ids=["docs-whole-generation", "sdk-generation-id"],
)
async def test_stop_reads_both_answer_shapes(server, make_client, body) -> None:
    server.on("POST", "/generations/5/stop", answer(200, body))
    gen = await make_client().stop("5")
    assert gen.id == "5" and gen.status is GenerationStatus.STOPPED
    assert "Idempotency-Key" not in server.requests[0].headers


async def test_stop_with_an_empty_answer_re_reads(server, make_client) -> None:
    server.on("POST", "/generations/5/stop", answer(204, raw=b""))
    server.on("GET", "/generations/5", answer(200, {"id": 5, "status": "stopped"}))
    assert (await make_client().stop("5")).status is GenerationStatus.STOPPED


async def test_stop_422_after_a_retry_re_reads_and_succeeds_when_stopped(server, make_client) -> None:
    server.on("POST", "/generations/5/stop", error(502, None), error(422, "job_cannot_be_stopped"))
    server.on("GET", "/generations/5", answer(200, {"id": 5, "status": "stopped", "execution_cost": "0"}))
    gen = await make_client().stop("5")
    assert gen.status is GenerationStatus.STOPPED
    assert [f"{r.method} {r.url.path}" for r in server.requests] == [
        "POST /v1/generations/5/stop",
        "POST /v1/generations/5/stop",
        "GET /v1/generations/5",
    ]


async def test_stop_422_after_a_retry_still_raises_when_not_stopped(server, make_client) -> None:
    server.on("POST", "/generations/5/stop", httpx.ConnectError("refused"), error(422, "validation_error"))
    server.on("GET", "/generations/5", answer(200, {"id": 5, "status": "completed"}))
    with pytest.raises(errors.ValidationError):
        await make_client().stop("5")


async def test_stop_422_on_the_first_attempt_is_not_re_read(server, make_client) -> None:
    server.on("POST", "/generations/5/stop", error(422, "job_cannot_be_stopped", "already completed"))
    with pytest.raises(errors.JobCannotBeStoppedError):
        await make_client().stop("5")
    assert len(server.requests) == 1


async def test_continue_422_after_a_retry_re_reads_and_succeeds_when_in_flight(server, make_client) -> None:
    server.on("POST", "/generations/5/continue", httpx.ReadTimeout("t"), error(422, "validation_error"))
    server.on("GET", "/generations/5", answer(200, {"id": 5, "status": "pending"}))
    gen = await make_client().continue_("5", idempotency_key="c1")
    assert gen.status is GenerationStatus.PENDING


# --- request records and the key's secrecy ------------------------------------------------------


async def test_on_request_records_every_attempt_without_the_key(server, make_client, records) -> None:
    server.on("GET", "/autocontentengine/100", error(503, "unavailable"), answer(200, {"id": 100}))
    await make_client().get_engine("42", "100")
    assert [(r.method, r.path, r.status, r.error_code, r.attempt) for r in records] == [
        ("GET", "/v1/vidsheet/100?agent_id=42", 404, "not_found", 1),
        ("GET", "/v1/autocontentengine/100?agent_id=42", 503, "unavailable", 1),
        ("GET", "/v1/autocontentengine/100?agent_id=42", 200, None, 2),
    ]
    for record in records:
        assert record.elapsed_ms >= 0 and record.started_at > 1_600_000_000
        assert KEY not in repr(record)


async def test_a_failing_observer_does_not_break_requests(server, make_client) -> None:
    server.on("GET", "/me", OK_ME)

    def broken(_record: object) -> None:
        raise RuntimeError("observer bug")

    assert (await make_client(on_request=broken).me()).id == "1"


async def test_key_is_never_in_repr_errors_records_or_logs(server, make_client, records, caplog) -> None:
    caplog.set_level(logging.DEBUG, logger="gentui.api")
    echo = f"Invalid API key {KEY}"
    server.on("GET", "/me", error(401, "unauthorized", echo))
    server.on("GET", "/agents", httpx.ConnectError(f"refused while sending {KEY}"))
    server.on("GET", "/organizations", answer(200, raw=f"<html>{KEY}</html>".encode()))
    server.on("GET", "/generations/1", error(429, KEY))
    client = make_client(max_attempts=2)
    raised: list[errors.GenApiError] = []
    for call in (client.me, client.agents, client.organizations, lambda: client.get_generation("1")):
        with pytest.raises(errors.GenApiError) as caught:
            await call()
        raised.append(caught.value)
    assert KEY not in repr(client) and KEY not in str(client)
    for exc in raised:
        texts = [str(exc), repr(exc), exc.message, exc.hint, str(exc.path), str(exc.error_code), str(exc.args)]
        texts += [str(exc.__cause__), str(exc.__context__)]
        assert all(KEY not in text for text in texts), texts
        assert KEY not in repr(pickle.loads(pickle.dumps(exc)))
    assert "***" in raised[0].message
    assert records and all(KEY not in repr(r) for r in records)
    assert caplog.records and KEY not in caplog.text
    assert all(r.headers["X-API-Key"] == KEY for r in server.requests)  # it was sent, just never shown


@pytest.mark.parametrize(
    ("error", "refused"),
    [
        (errors.ValidationError("bad card", status=422), True),
        (errors.InsufficientCreditsError("no credits", status=402), True),
        (errors.NotFoundError("gone", status=404), True),
        (errors.ServerError("boom", status=500), False),
        (errors.TransportError("lost", ambiguous=True), False),
        (errors.MalformedResponseError("not json", status=200), False),
    ],
)
def test_refused_is_true_only_when_the_server_answered_no(error: errors.GenApiError, refused: bool) -> None:
    """A 4xx means the server did not act (nothing charged); anything else may have reached it."""
    assert error.refused is refused
