"""The credit ledger's arithmetic and the server-string sanitiser."""

from decimal import Decimal as D

from gentui.core.ledger import CreditLedger
from gentui.core.text import one_line, safe_text


def test_precharge_then_reconcile_counts_the_final_cost():
    ledger = CreditLedger()
    ledger.set_balance(D(1000), D(0))
    ledger.precharge("g1", D(600))
    assert ledger.session_spent == D(600) and ledger.session_estimated
    entry = ledger.terminal("g1", "completed", D("540.50"))
    assert entry is not None and entry.amount == D("-59.50")
    assert ledger.session_spent == D("540.50") and not ledger.session_estimated


def test_failure_and_stop_refund_in_full_and_continue_recharges():
    ledger = CreditLedger()
    ledger.precharge("g1", D(250))
    ledger.terminal("g1", "failed", None)
    assert ledger.session_spent == 0
    ledger.precharge("g2", D(250))
    assert ledger.stopped("g2", D(999)) == D(250)
    assert ledger.session_spent == 0
    ledger.recharge("g2", D(250))
    assert ledger.session_spent == D(250)
    assert ledger.terminal("g2", "completed", D(260)) is not None
    assert ledger.session_spent == D(260)


def test_a_replayed_answer_is_charged_once():
    ledger = CreditLedger()
    ledger.precharge("g1", D(5))
    ledger.precharge("g1", D(5))
    assert ledger.session_spent == D(5) and ledger.count("precharge") == 1


def test_other_spend_is_what_the_session_does_not_explain():
    ledger = CreditLedger()
    ledger.set_balance(D(1000), D(0))
    ledger.precharge("g1", D(100))
    ledger.set_balance(D(870), D(0))
    assert ledger.other_spend == D(30)


def test_charges_made_while_the_balance_was_read_are_not_other_spend():
    ledger = CreditLedger()
    ledger.set_balance(D(1000), D(0))
    ledger.precharge("g1", D(100))
    as_of = ledger.mark()  # the balance request leaves now; g2 and g3 are sent before it answers
    ledger.precharge("g2", D(50))
    ledger.precharge("g3", D(50))
    ledger.set_balance(D(900), D(0), as_of=as_of)
    assert ledger.other_spend == D(0)  # before: 1000 - 900 - 200 = -100
    assert ledger.session_spent == D(200)
    ledger.set_balance(D(790), D(0))  # a later reading reflects all three, and 10 someone else spent
    assert ledger.other_spend == D(10)


def test_stopping_someone_elses_generation_refunds_its_estimate():
    ledger = CreditLedger()
    assert ledger.stopped("old", D(600)) == D(600)
    assert ledger.session_spent == D(-600)
    assert ledger.terminal("old", "stopped", None) is None  # already accounted


def test_escape_sequences_never_survive():
    hostile = "a\x1b]52;c;SGVsbG8=\x07b\x1b[31mred\x1b[0m\x9b2J\x00z"
    out = safe_text(hostile)
    assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out and "\x00" not in out
    assert out.startswith("a␛]52;c;SGVsbG8=␇b␛[31mred")


def test_markup_is_left_as_text_and_long_strings_are_cut():
    assert safe_text("[/] [@click=app.quit]x[/]") == "[/] [@click=app.quit]x[/]"
    big = "x" * 1_000_000
    assert len(safe_text(big, 100)) < 130
    assert one_line("line1\nline2\tz", 50) == "line1 line2 z"
    assert one_line(None) == "" and safe_text(12) == "12"


def test_bidi_overrides_are_removed_but_rtl_text_stays():
    assert safe_text("abc\u202edef שלום") == "abcdef שלום"


def test_the_ledger_keeps_bounded_memory_and_exact_totals():
    from gentui.core import ledger as module

    ledger = CreditLedger()
    ledger.set_balance(D(10**9), D(0))
    n = module.ENTRIES_CAP * 3
    for i in range(n):
        ledger.precharge(f"g{i}", D(2))
        ledger.terminal(f"g{i}", "failed", None)  # refunded in full
    ledger.precharge("last", D(7))
    assert len(ledger.entries) == module.ENTRIES_CAP and ledger.written == 2 * n + 1
    assert ledger.session_spent == D(7) and ledger.count("refund") == n  # totals count every entry
    assert len(ledger._charges) <= module.CHARGES_CAP + module.CHARGES_CAP // 10
    assert "last" in ledger._charges and ledger.session_estimated  # open charges are never dropped
    assert [e.generation_id for e in ledger.since(ledger.written - 2)] == [f"g{n - 1}", "last"]
    ledger.set_balance(D(10**9) - D(7), D(0))
    assert ledger.other_spend == D(0)


def test_recent_forgets_the_oldest_beyond_its_cap():
    from gentui.core.session import Recent

    recent = Recent(3)
    for i in range(5):
        recent[f"g{i}"] = i
    recent["g2"] = 20  # set again: now the newest
    recent["g5"] = 5
    assert list(recent) == ["g4", "g2", "g5"]
