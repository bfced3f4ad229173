"""The credits header: organization, balances, this session's spend and the others', connection state.

Two lines in words a newcomer reads (no `gen … rsv …`): what is left, what this session spent and what
others spent or had refunded (the sign is said, not implied); a third line, when the connection is not
well, gives the reason in full (wrapped, never cut mid-word past the screen). Below `low_balance_warning`
the header turns amber and says so.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

from gentui.api import vocab
from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.session import Session
from gentui.core.text import one_line
from gentui.ui.look import GLYPHS, palette

if TYPE_CHECKING:
    from gentui.ui.screens.main import MainScreen

DISCOVERY_SAID = 30.0  # the engine last read longer ago than this: the header says when (outside work waits for it)
DISCOVERY_STEP = 5.0
REASON_LINES = 2  # the reason of a degraded connection, in full up to this many lines


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
    low_balance: Decimal | None = None  # the `low_balance_warning` setting: below it the header turns amber
    #: how far the view is behind the poller's plan (seconds the wire budget held reads back: `Poller.view_age`)
    fresh_age: float | None = None
    poll_interval: float | None = None  # the poll interval: a view older than twice it is said to be old
    #: seconds since the engine was last read, the read that shows work started elsewhere (`Poller.discovery_age`);
    #: given only past `DISCOVERY_SAID`, in steps of `DISCOVERY_STEP` (the header repaints when it changes)
    discovery_age: float | None = None

    @classmethod
    def of(cls, session: Session, *, readonly: bool, demo: bool, marks: int, low_balance: Decimal | None = None,
           poll_interval: float | None = None, fresh_age: float | None = None,
           discovery_age: float | None = None) -> HeaderData:
        """What the header shows of a session: its ledger, its connection, its engine's counts."""
        ledger = session.ledger
        return cls(
            organization=ledger.organization_name, engine_title=session.state.title or f"engine {session.engine_id}",
            generic=ledger.generic, aura=ledger.aura, reserved=session.engine_estimate_reserved(),
            session_spent=ledger.session_spent, session_estimated=ledger.session_estimated,
            other_spend=ledger.other_spend, credits_read=session.organization is not None,
            connection=session.connection, reason=session.connection_reason,
            last_ok=session.last_ok, counts=session.state.counts(), readonly=readonly, marks=marks, demo=demo,
            cached_at=session.showing_cache, low_balance=low_balance, poll_interval=poll_interval,
            fresh_age=fresh_age, discovery_age=said_discovery(discovery_age))

    @property
    def low(self) -> bool:
        """The balance is known and under the warning."""
        return self.generic is not None and self.low_balance is not None and self.generic < self.low_balance


def said_discovery(age: float | None) -> float | None:
    """The discovery age the header shows: None while recent, else rounded down to a step."""
    if age is None or age < DISCOVERY_SAID:
        return None
    return float(int(age // DISCOVERY_STEP) * DISCOVERY_STEP)


def data_for(screen: MainScreen) -> HeaderData:
    """What the main screen's header shows now (the session's figures, or the start-up's connection)."""
    session, app = screen.session, screen.app
    guards, launch = app.guards, app.launch
    if session is None:
        hint = app.connection
        return HeaderData(connection=hint.state, reason=hint.reason, readonly=guards.readonly, demo=launch.demo,
                          low_balance=guards.low_balance_warning)
    session.ledger.burn.sample(app.now(), session.ledger)  # the burn chart's series (spend screen)
    return HeaderData.of(session, readonly=guards.readonly, demo=launch.demo, marks=len(screen.grid.marks),
                         low_balance=guards.low_balance_warning, poll_interval=launch.policy.interval,
                         fresh_age=app.poller.view_age() if app.poller is not None else None,
                         discovery_age=app.poller.discovery_age() if app.poller is not None else None)


def spent_words(amount: Decimal, *, estimated: bool = False) -> str:
    """This session's spend with its sign in words: `spent 480`, `refunded 2` (net), `spent 0`."""
    words = f"refunded {fmt_credits(-amount)}" if amount < 0 else f"spent {fmt_credits(amount)}"
    return words + (" est." if estimated else "")


def other_words(amount: Decimal) -> str:
    """The others' spend (the web app, teammates, autoGenerate): `others spent 9`, `others refunded 9.11`."""
    return f"others refunded {fmt_credits(-amount)}" if amount < 0 else f"others spent {fmt_credits(amount)}"


def fit_pieces(pieces: Sequence[tuple[Text, int]], width: int) -> Text:
    """Join the pieces that fit in `width` cells, in order; the highest number (least important) goes first."""
    kept = list(pieces)
    while len(kept) > 1 and sum(t.cell_len for t, _ in kept) > width:
        worst = max(range(len(kept)), key=lambda i: (kept[i][1], i))
        del kept[worst]
    line = Text(no_wrap=True, overflow="ellipsis", end="")
    for text, _ in kept:
        line.append_text(text)
    line.truncate(max(0, width), overflow="ellipsis")
    return line


def piece(*parts: tuple[str, str]) -> Text:
    text = Text(end="")
    for words, style in parts:
        text.append(words, style=style)
    return text


class CreditsHeader(Widget):
    """Two lines at the top (three while the connection is not well); never a loading screen.

    Reactive: the screen sets `data` (what to show), `now` (the clock, every tick) and
    `status_colors` (the theme's); the header renders itself when one of them changes, and not
    when a new `data` equals the old one.
    """

    DEFAULT_CSS = """
    CreditsHeader { height: auto; max-height: 4; padding: 0 1; background: $panel; }
    CreditsHeader.-low-balance { background: $warning-muted; }
    """

    data: reactive[HeaderData] = reactive(HeaderData, layout=True)
    now: reactive[float] = reactive(0.0)
    overdue: reactive[float | None] = reactive(None, layout=True)  # the poller's lateness, every tick
    status_colors: reactive[Mapping[str, str]] = reactive(lambda: palette({}))

    def watch_data(self, data: HeaderData) -> None:
        self.set_class(data.low, "-low-balance")

    def show_screen(self, screen: MainScreen) -> None:
        """Show what the main screen's session (or its start-up) says now."""
        self.data = data_for(screen)
        self.now = screen.app.now()

    @property
    def stale(self) -> bool:
        """What is on screen may no longer be true: the connection went stale, offline or refused, or the
        poll is late (not while first connecting: nothing is shown yet)."""
        return self.data.connection in ("stale", "offline", "auth") or self.overdue is not None

    def stale_since(self) -> float | None:
        """Since when what is shown may no longer be true (the last good answer), or None while live."""
        if not self.stale:
            return None
        return self.data.last_ok if self.data.last_ok is not None else self.now

    def render(self) -> Text:
        return self.render_text()

    # --- the connection ---------------------------------------------------------------------------
    def state_text(self) -> Text:
        """The connection in a word or two (line 2, right); the reason is `reason_text`'s."""
        d = self.data
        if d.connection == "ok" and self.overdue is not None:
            return Text("○ stale", style="yellow")
        if d.connection == "ok" and d.last_ok is not None:
            seconds = max(0, int(self.now - d.last_ok))
            return Text(f"● updated {format_duration(seconds)} ago" if seconds >= 1 else "● live", style="green")
        if d.connection == "ok":
            return Text("● live", style="green")
        if d.connection == "stale":
            return Text("○ stale", style="yellow")
        if d.connection == "offline":
            return Text("× offline, retrying", style="red")
        if d.connection == "auth":
            return Text("× key refused", style="bold red")
        return Text("○ connecting…", style="dim")

    def reason_text(self) -> Text | None:
        """The full reason of a degraded connection (None while all is well)."""
        d = self.data
        cached = f" — stale data cached {format_duration(self.now - d.cached_at)} ago" if d.cached_at else ""
        ago = f" — the data is {format_duration(self.now - d.last_ok)} old" if d.last_ok and not cached else ""
        if d.connection == "ok" and self.overdue is not None:
            return Text(f"○ stale: the poll is {format_duration(self.overdue)} late, no answer yet.", style="yellow")
        if d.connection == "ok" or (d.connection == "connecting" and not cached):
            return None
        style = {"stale": "yellow", "offline": "red", "auth": "bold red"}.get(d.connection, "dim")
        word = {"stale": "○ stale", "offline": "× offline", "auth": "×"}.get(d.connection, "○ connecting")
        reason = one_line(d.reason, 400)
        retry = " — retrying" if d.connection in ("offline", "stale") else ""
        return Text(f"{word}: {reason}{ago}{cached}{retry}" if reason else f"{word}{ago}{cached}{retry}", style=style)

    # --- the lines --------------------------------------------------------------------------------
    def credits_line(self, width: int) -> Text:
        d, wide = self.data, width >= 110
        unread = "?" if d.credits_read else "—"  # sent but not a number we can use: unknown, never 0
        pieces: list[tuple[Text, int]] = [(piece((one_line(d.organization, 30 if wide else 16) or "—", "bold")), 0)]
        if d.demo:
            pieces.append((piece((" ", ""), ("demo", "reverse")), 1))
        balance = fmt_credits(d.generic) if d.generic is not None else unread
        low = d.low and d.low_balance is not None
        pieces.append((piece(("  credits ", "dim"), (balance, "bold")), 0))
        if low and d.low_balance is not None:
            pieces.append((piece((f" low (under {fmt_credits(d.low_balance)})", "bold")), 0))
        pieces.append((piece(("  aura ", "dim"), (fmt_credits(d.aura) if d.aura is not None else unread, "")), 3))
        label = "  this session " if wide else "  "
        pieces.append((piece((label, "dim"), (spent_words(d.session_spent, estimated=d.session_estimated and wide),
                                              "")), 1))
        if d.other_spend is not None:
            pieces.append((piece(("  ", ""), (other_words(d.other_spend), "")), 2))
            if wide:
                pieces.append((piece((" (web app, teammates)", "dim")), 4))
        return fit_pieces(pieces, width)

    def engine_line(self, width: int) -> Text:
        d, wide = self.data, width >= 110
        pieces: list[tuple[Text, int]] = [(piece((one_line(d.engine_title, 50 if wide else 24) or "no engine", "bold")),
                                           0)]
        counts: Counter[str] = Counter(d.counts or {})
        for status in (vocab.PROCESSING, vocab.PENDING, vocab.COMPLETED, vocab.FAILED, vocab.STOPPED, vocab.UNKNOWN,
                       vocab.IDLE):
            if counts.get(status):
                label = f"  {GLYPHS[status]} {counts[status]} {status}" if wide else f" {GLYPHS[status]}{counts[status]}"
                pieces.append((Text(label, style=self.status_colors.get(status, "")), 2))
        if d.reserved:
            words = f"  ~{fmt_credits(d.reserved)} held for work in flight" if wide else \
                f"  ~{fmt_credits(d.reserved)} held"
            pieces.append((Text(words, style="dim"), 3))
        if d.marks:
            pieces.append((Text(f"  ▌{d.marks} marked", style=self.status_colors.get("marked", "")), 1))
        if d.readonly:
            pieces.append((piece(("  ", ""), ("READ-ONLY", "bold reverse")), 0))
        state = self.state_text()
        if d.discovery_age is not None:  # a big engine is re-read rarely (its cost): work started elsewhere waits
            words = "engine (work elsewhere) read " if wide else "engine read "
            state = piece((words, "dim"), (f"{format_duration(d.discovery_age)} ago  ", "")).append_text(state)
        if d.fresh_age is not None and d.poll_interval and d.fresh_age > 2 * d.poll_interval:
            state = piece((f"view {int(d.fresh_age)} s behind (wire budget)  ", "yellow")).append_text(state)
        left = fit_pieces(pieces, max(0, width - state.cell_len - 2))
        left.append(" " * max(2, width - left.cell_len - state.cell_len))
        left.append_text(state)
        left.truncate(max(0, width), overflow="ellipsis")
        return left

    def render_text(self) -> Text:
        width = self.size.width - 2 if self.size.width else 120
        lines = [self.credits_line(width), self.engine_line(width)]
        reason = self.reason_text()
        if reason is not None:
            limit = max(1, width * REASON_LINES - 1)
            if reason.cell_len > limit:
                reason.truncate(limit, overflow="ellipsis")
            lines.append(reason)
        both = Text("\n", end="").join(lines)
        both.no_wrap, both.overflow = False, "fold"
        return both
