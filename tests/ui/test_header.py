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
