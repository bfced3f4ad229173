"""The header is reactive: setting what it shows repaints it; setting the same again does not."""

from __future__ import annotations

from decimal import Decimal

from textual.app import App, ComposeResult

from gentui.ui.widgets.header import CreditsHeader, HeaderData


class HeaderApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CreditsHeader()


async def test_the_header_renders_what_it_is_given_and_only_when_it_changes() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        renders: list[str] = []
        original = header.render_text

        def counted():  # type: ignore[no-untyped-def]
            text = original()
            renders.append(text.plain)
            return text

        header.render_text = counted  # type: ignore[method-assign]
        data = HeaderData(organization="Acme", generic=Decimal("1234.5"), connection="ok", last_ok=100.0)
        header.data, header.now = data, 100.0
        await pilot.pause()
        assert renders and "Acme" in renders[-1] and "1,234.5" in renders[-1] and "live" in renders[-1]
        count = len(renders)
        header.data = HeaderData(organization="Acme", generic=Decimal("1234.5"), connection="ok", last_ok=100.0)
        await pilot.pause()
        assert len(renders) == count  # equal data: no repaint
        header.now = 130.0
        await pilot.pause()
        assert len(renders) > count and "updated 30s ago" in renders[-1]


async def test_a_late_poll_turns_the_live_header_stale_whatever_the_connection_says() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data, header.now = HeaderData(organization="Acme", connection="ok", last_ok=100.0), 100.0
        await pilot.pause()
        assert "● live" in header.render_text().plain
        header.overdue = 45.0  # what the screen's tick copies from Poller.overdue()
        await pilot.pause()
        text = header.render_text().plain
        assert "live" not in text and "○ stale: the poll is 45s late" in text
        header.overdue = None
        assert "● live" in header.render_text().plain


async def test_the_header_turns_amber_below_the_low_balance_warning() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data = HeaderData(organization="Acme", generic=Decimal("412"), low_balance=Decimal(500), connection="ok")
        await pilot.pause()
        assert header.has_class("-low-balance") and "credits 412 low (under 500)" in header.render_text().plain
        amber = header.styles.background
        header.data = HeaderData(organization="Acme", generic=Decimal("612"), low_balance=Decimal(500), connection="ok")
        await pilot.pause()
        assert not header.has_class("-low-balance") and "low" not in header.render_text().plain
        assert header.styles.background != amber


async def test_the_reason_of_an_error_is_readable_in_full_at_80_columns() -> None:
    reason = "could not connect to the server (api.example.com:443: connection refused after 3 tries, TLS handshake)"
    app = HeaderApp()
    async with app.run_test(size=(80, 6)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data, header.now = HeaderData(organization="Acme", connection="offline", reason=reason), 10.0
        await pilot.pause()
        lines = header.render_text().plain.split("\n")
        assert "× offline, retrying" in lines[1]
        assert reason in " ".join(lines[2:]).replace("\n", " ") or reason in lines[2], lines
        assert header.size.height >= 3  # the header grew a line for the reason: nothing cut
        header.data = HeaderData(organization="Acme", connection="ok", last_ok=10.0)
        await pilot.pause()
        assert len(header.render_text().plain.split("\n")) == 2


async def test_labels_say_what_the_figures_are_and_the_signs_in_words() -> None:
    app = HeaderApp()
    async with app.run_test(size=(80, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data = HeaderData(organization="Acme", generic=Decimal("5001"), aura=Decimal(250), credits_read=True,
                                 session_spent=Decimal(480), other_spend=Decimal("-9.11"), connection="ok")
        await pilot.pause()
        text = header.render_text().plain
        assert "credits 5,001" in text and "spent 480" in text and "others refunded 9.11" in text, text
        for cryptic in (" gen ", " rsv ", " ses ", " oth ", "+480", "-9.11"):
            assert cryptic not in text
        header.data = HeaderData(organization="Acme", generic=Decimal("5001"), other_spend=Decimal(9), connection="ok")
        await pilot.pause()
        assert "others spent 9" in header.render_text().plain


async def test_a_view_behind_by_more_than_twice_the_poll_interval_says_by_how_much() -> None:
    app = HeaderApp()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data = HeaderData(organization="Acme", connection="ok", fresh_age=12.4, poll_interval=2.0)
        await pilot.pause()
        assert "view 12 s behind (wire budget)" in header.render_text().plain
        header.data = HeaderData(organization="Acme", connection="ok", fresh_age=3.0, poll_interval=2.0)
        await pilot.pause()
        assert "s behind" not in header.render_text().plain


async def test_an_engine_read_long_ago_says_when_work_elsewhere_was_last_looked_for() -> None:
    from gentui.ui.widgets.header import said_discovery

    assert said_discovery(None) is None and said_discovery(12.0) is None  # recent: nothing said
    assert said_discovery(97.3) == 95.0  # in steps: the header repaints every 5 s, not every frame
    app = HeaderApp()
    async with app.run_test(size=(120, 4)) as pilot:
        header = app.query_one(CreditsHeader)
        header.data = HeaderData(organization="Acme", connection="ok", discovery_age=said_discovery(131.0))
        await pilot.pause()
        assert "engine (work elsewhere) read 2m10s ago" in header.render_text().plain
        header.data = HeaderData(organization="Acme", connection="ok", discovery_age=said_discovery(4.0))
        await pilot.pause()
        assert "engine (work elsewhere)" not in header.render_text().plain
