"""The filter language and the API log's credit attribution, without a UI."""

from __future__ import annotations

from decimal import Decimal

from gentui.api.answers import RequestRecord
from gentui.core.apilog import ApiLog
from gentui.core.ledger import CreditLedger
from gentui.core.rows import IN_FLIGHT, GridView, parse_query


def test_the_query_language():
    q = parse_query("is:failed col:Video age:90m row:7 Lighthouse is:running")
    assert q.statuses == {"failed", IN_FLIGHT} and q.columns == ("video",) and q.within == 5400
    assert q.rows == {7} and q.words == ("lighthouse",) and not q.problems
    assert parse_query("is:bogus age:soon").problems == ("unknown status 'bogus'", "bad duration 'soon' (try 30m, 1h, 2d)")
    assert parse_query("http://x a:").words == ("http://x", "a:")


def test_toggles_and_the_query_combine():
    view = GridView(failed_only=True, in_flight_only=True)
    assert view.statuses() == {"failed", IN_FLIGHT} and view.filtering and view.describe() == ["failed or in flight"]
    view.text = "is:failed"
    assert view.statuses() == {"failed"}
    view.text = "is:completed"
    assert view.statuses() == {"<none>"}  # contradicting: nothing matches, rather than everything
    assert view.clear_filter() and not view.filtering and not view.clear_filter()
    assert [view.next_sort() for _ in range(4)] == ["last change", "status", "cost", "sheet"]


def record(method: str, path: str, status: int | None = 200) -> RequestRecord:
    return RequestRecord(method, path, status, 12.0, None, 1, 1_795_000_000.0)


def test_the_api_log_gives_each_ledger_entry_to_the_call_that_caused_it():
    ledger, log = CreditLedger(), ApiLog(cap=3)
    log.add(record("GET", "/v1/vidsheet/1"), ledger)
    log.add(record("POST", "/v1/vidsheet/1/cells/5/generate", 201), ledger)
    ledger.precharge("g1", Decimal(60))
    log.add(record("GET", "/v1/generations/g1"), ledger)
    ledger.terminal("g1", "completed", Decimal("55.5"))
    calls = log.newest()
    assert [c.record.method for c in calls] == ["GET", "POST", "GET"]
    assert calls[0].credits == Decimal("-4.5") and calls[0].kinds == ("reconcile",) and not calls[0].estimated
    assert calls[1].credits == 60 and calls[1].estimated and calls[2].credits is None
    assert log.spent() == Decimal("55.5")
    log.add(record("GET", "/v1/organizations/1"), None)
    assert len(log.newest()) == 3  # bounded
