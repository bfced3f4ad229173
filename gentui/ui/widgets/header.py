"""The credits header: organization, balances, reserved and session spend, connection state."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from gentui.api import vocab
from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.session import Session
from gentui.core.text import one_line
from gentui.ui.look import GLYPHS, palette


@dataclass(frozen=True)
class HeaderData:
    organization: str = ""
    engine_title: str = ""
    generic: Decimal | None = None
    aura: Decimal | None = None
    reserved: Decimal = Decimal(0)
    session_spent: Decimal = Decimal(0)
    session_estimated: bool = False
    other_spend: Decimal | None = None
    credits_read: bool = False  # the organization was read: a balance still None is unreadable ("?")
    connection: str = "connecting"
    reason: str = ""
    last_ok: float | None = None
    counts: Mapping[str, int] | None = None
    readonly: bool = False
    marks: int = 0
    demo: bool = False
    cached_at: float | None = None  # the engine on screen is the one cached at this time (offline start)

    @classmethod
    def of(cls, session: Session, *, readonly: bool, demo: bool, marks: int) -> HeaderData:
        """What the header shows of a session: its ledger, its connection, its engine's counts."""
        ledger = session.ledger
        return cls(
            organization=ledger.organization_name, engine_title=session.state.title or f"engine {session.engine_id}",
            generic=ledger.generic, aura=ledger.aura, reserved=session.engine_estimate_reserved(),
            session_spent=ledger.session_spent, session_estimated=ledger.session_estimated,
            other_spend=ledger.other_spend, credits_read=session.organization is not None,
            connection=session.connection, reason=session.connection_reason,
            last_ok=session.last_ok, counts=session.state.counts(), readonly=readonly, marks=marks, demo=demo,
            cached_at=session.showing_cache)


class CreditsHeader(Widget):
    """Two lines at the top; never a loading screen.

    Reactive: the screen sets `data` (what to show), `now` (the clock, every tick) and
    `status_colors` (the theme's); the header renders itself when one of them changes, and not
    when a new `data` equals the old one.
    """

    DEFAULT_CSS = """
    CreditsHeader { height: 2; padding: 0 1; background: $panel; }
    """

    data: reactive[HeaderData] = reactive(HeaderData)
    now: reactive[float] = reactive(0.0)
    overdue: reactive[float | None] = reactive(None)  # the poller's lateness (Poller.overdue), every tick
    status_colors: reactive[Mapping[str, str]] = reactive(lambda: palette({}))

    def render(self) -> Text:
        return self.render_text()

    def connection_text(self) -> Text:
        d = self.data
        if d.connection == "ok" and self.overdue is not None:
            return Text(f"○ stale: the poll is {format_duration(self.overdue)} late, no answer yet", style="yellow")
        if d.connection == "ok" and d.last_ok is not None:
            seconds = max(0, int(self.now - d.last_ok))
            return Text(f"● updated {format_duration(seconds)} ago" if seconds >= 1 else "● live", style="green")
        if d.connection == "ok":
            return Text("● live", style="green")
        cached = f" · stale data cached {format_duration(self.now - d.cached_at)} ago" if d.cached_at else ""
        if d.connection == "stale":
            ago = f" (data {format_duration(self.now - d.last_ok)} old)" if d.last_ok and not cached else ""
            return Text(f"○ stale{ago}{cached}: {one_line(d.reason, 60)}", style="yellow")
        if d.connection == "offline":
            return Text(f"× offline{cached}: {one_line(d.reason, 60)} — retrying", style="red")
        if d.connection == "auth":
            return Text(f"× {one_line(d.reason, 70)}{cached}", style="bold red")
        return Text(f"○ connecting…{cached}", style="dim")

    def render_text(self) -> Text:
        d = self.data
        width = self.size.width - 2 if self.size.width else 120
        short = width < 110
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append(one_line(d.organization, 16 if short else 30) or "—", style="bold")
        if d.demo:
            line.append(" demo", style="reverse")
            line.append(" ")
        labels = (" gen ", " aura ", " rsv ", " ses ", " oth ") if short else (
            "  generic ", "  aura ", "  reserved ", "  session ", "  other ")
        line.append(labels[0], style="dim")
        unread = "?" if d.credits_read else "—"  # sent but not a number we can use: unknown, never 0
        line.append(fmt_credits(d.generic) if d.generic is not None else unread, style="bold")
        line.append(labels[1], style="dim")
        line.append(fmt_credits(d.aura) if d.aura is not None else unread)
        line.append(labels[2], style="dim")
        line.append(f"~{fmt_credits(d.reserved)}" + ("" if short else " est."))
        line.append(labels[3], style="dim")
        spent = fmt_credits(d.session_spent, signed=True) if d.session_spent else "0"
        line.append(spent + (" est." if d.session_estimated and not short else ""))
        if d.other_spend is not None:
            line.append(labels[4], style="dim")
            line.append(fmt_credits(d.other_spend, signed=True) if d.other_spend else "0")
        conn = self.connection_text()
        second = Text(no_wrap=True, overflow="ellipsis")
        second.append(one_line(d.engine_title, 24 if short else 50) or "no engine", style="bold")
        counts: Counter[str] = Counter(d.counts or {})
        for status in (vocab.PROCESSING, vocab.PENDING, vocab.COMPLETED, vocab.FAILED, vocab.STOPPED, vocab.UNKNOWN, vocab.IDLE):
            if counts.get(status):
                second.append("  " if not short else " ")
                label = f"{GLYPHS[status]}{counts[status]}" if short else f"{GLYPHS[status]} {counts[status]} {status}"
                second.append(label, style=self.status_colors.get(status, ""))
        if d.marks:
            second.append(f"  ▌{d.marks} marked", style=self.status_colors.get("marked", ""))
        if d.readonly:
            second.append("  READ-ONLY", style="bold reverse")
        target = second if short else line
        room = width - target.cell_len - 2
        if conn.cell_len > room:  # a long degraded state must not wrap over the engine line: cut it
            keep = max(room, min(conn.cell_len, 30))  # the state always shows, at least its start
            conn.truncate(keep, overflow="ellipsis")
            if target.cell_len + 2 + keep > width:
                target.truncate(max(0, width - 2 - keep), overflow="ellipsis")
        target.append(" " * max(2, width - target.cell_len - conn.cell_len))
        target.append_text(conn)
        both = Text("\n").join([line, second])
        both.no_wrap, both.overflow = True, "ellipsis"
        return both
