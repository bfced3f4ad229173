"""Spend history: what this machine spent per day and per engine, read from the local journal, and the
credit burn of this session (its spend and the balance over time, the others' spend apart) as sparklines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal
from typing import ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Label, Sparkline, Static

from gentui.core.burn import BurnSeries
from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.text import one_line

SpendRow = tuple[str, str, int, Decimal]  # (day, engine id, generations sent, estimated credits)


def spend_summary(rows: list[SpendRow]) -> tuple[dict[str, Decimal], Decimal, int]:
    """Credits per engine, the total, and the number of generations."""
    per_engine: dict[str, Decimal] = defaultdict(Decimal)
    total, count = Decimal(0), 0
    for _day, engine, n, credits in rows:
        per_engine[engine] += credits
        total += credits
        count += n
    return dict(per_engine), total, count


class SpendScreen(ModalScreen[None]):
    """Per day and engine, newest day first, with totals; Escape closes."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape,q", "close", "Close")]

    DEFAULT_CSS = """
    SpendScreen #burn { height: auto; margin-bottom: 1; }
    SpendScreen #burn Sparkline { height: 2; margin-bottom: 1; }
    SpendScreen #burn-spent > .sparkline--max-color { color: $error; }
    SpendScreen #burn-balance > .sparkline--max-color { color: $success; }
    SpendScreen #burn-other > .sparkline--max-color { color: $warning; }
    """

    def __init__(self, rows: list[SpendRow], names: Mapping[str, str] | None = None, error: str = "",
                 burn: BurnSeries | None = None) -> None:
        super().__init__()
        self.rows, self.names, self.error = rows, dict(names or {}), error
        self.burn = burn

    def name_of(self, engine_id: str) -> str:
        name = self.names.get(engine_id)
        return f"{one_line(name, 40)} ({engine_id})" if name else f"engine {engine_id}"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="spend-dialog"):
            if self.burn is not None and self.burn.samples:
                yield from self.burn_chart(self.burn)
            yield Label(Text("Spend history — this machine, from the journal", style="bold"))
            yield DataTable(id="spend", cursor_type="row", zebra_stripes=True)
            yield Static("", id="spend-totals")
            yield Static(Text("Credits are the estimates pre-charged when each generation was sent (refunds and "
                              "final costs are the server's business: see the credits header and the API log).",
                              style="dim"))

    def burn_chart(self, burn: BurnSeries) -> ComposeResult:
        """This session's spend and the balance over time; the others' spend apart (not gentui's doing)."""
        last = burn.samples[-1]
        over = f" over {format_duration(burn.span())}" if burn.span() else ""
        with Vertical(id="burn"):
            yield Label(Text.assemble(("Credit burn — this session", "bold"), (f"{over}, one point per "
                                                                              f"{int(burn.bucket)}s", "dim")))
            yield Label(Text(f"spent by this session: {fmt_credits(last.spent)}"))
            yield Sparkline(burn.spent(), id="burn-spent")
            balance = burn.balance()
            yield Label(Text(f"balance: {fmt_credits(last.balance)}" if balance else "balance: not read yet"))
            yield Sparkline(balance, id="burn-balance")
            other = burn.other()
            if other:
                words = "refunded" if other[-1] < 0 else "spent"
                amount = fmt_credits(abs(last.other) if last.other is not None else None)
                yield Label(Text.assemble(f"others (web app, teammates) {words}: {amount}",
                                          (" — not this session's doing", "dim")))
                yield Sparkline(other, id="burn-other")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("day", "engine", "generations", "credits (est.)")
        for day, engine, count, credits in self.rows:
            table.add_row(day, Text(self.name_of(engine)), Text(str(count), justify="right"),
                          Text(fmt_credits(credits), justify="right"))
        per_engine, total, count = spend_summary(self.rows)
        totals = Text()
        if self.error:
            totals.append(self.error, style="red")
        elif not self.rows:
            totals.append("Nothing sent from this machine yet.", style="dim")
        else:
            totals.append(f"Total: {fmt_credits(total)} credits, {count} generations", style="bold")
            for engine, credits in sorted(per_engine.items(), key=lambda p: -p[1]):
                totals.append(f"\n  {self.name_of(engine)}: {fmt_credits(credits)}")
        self.query_one("#spend-totals", Static).update(totals)
        table.focus()

    def action_close(self) -> None:
        self.dismiss(None)
