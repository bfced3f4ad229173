"""The cell detail: the card, the displayed generation, and the whole history."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from gentui.action_table import ACTIONS, HISTORY
from gentui.api import vocab
from gentui.core.card import Card
from gentui.core.formatting import fmt_credits
from gentui.core.takes import TakeBook
from gentui.core.text import safe_text
from gentui.core.views import CellView, ColumnView, JobView
from gentui.ui.look import elapsed, history_row, palette, status_text
from gentui.ui.widgets.take_detail import TakePanel


def format_clock(ts: float | None) -> str:
    if ts is None:
        return "—"
    return time.strftime("%m-%d %H:%M:%S", time.gmtime(ts))


class HistoryTable(DataTable):
    """All of a cell's generations, newest first; `p` pins the selected one."""

    HELP = """\
## History
Every generation of the cell, newest first. ◆ marks the displayed take; the selected take is shown in
full below the table (its card as sent from this machine, or what the server told).

- `j`/`k` or arrows select a take
- `p` pins the selected take as the cell's displayed output (set_default_user_job; free)
- `e` edits the selected take's card, then regenerates (rewind: "like take 3, but 10 s")
- `=` compares the selected take with the displayed one
- `o` opens the selected take's output; `v` shows it full screen
- `y` copies its output URL or text
- `Escape` goes back to the grid
"""
    #: the action table's history-scoped rows: bound here only, so `o` opens here and sorts elsewhere
    BINDINGS = [Binding(s.key, s.textual_action, s.description, show=s.show, id=s.id.value)
                for s in ACTIONS if s.scope == HISTORY]

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)

    def on_mount(self) -> None:
        # fixed widths: the table never changes shape as cells with other histories are selected
        for label, key, width in (("", "shown", 1), ("created (UTC)", "time", 14), ("status", "status", 12),
                                  ("model", "model", 16), ("cost", "cost", 7), ("took", "took", 6), ("id", "id", 8)):
            self.add_column(label, key=key, width=width)

    @property
    def selected_id(self) -> str | None:
        if not self.row_count:
            return None
        row_key, _ = self.coordinate_to_cell_key(self.cursor_coordinate)
        return str(row_key.value)

    async def action_cell(self, action: str) -> None:
        """A history-scoped key runs through the main screen's dispatcher (the table says what it risks)."""
        dispatch = getattr(self.screen, "action_cell", None)
        if dispatch is not None:
            await dispatch(action)


class CellDetail(VerticalScroll):
    """Right (or lower) pane."""

    DEFAULT_CSS = """
    CellDetail { padding: 0 1; }
    CellDetail > Static { margin-bottom: 1; }
    CellDetail > HistoryTable { height: auto; max-height: 16; }
    """

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.status_colors: Mapping[str, str] = palette({})
        self.cell: CellView | None = None
        self._history_ids: tuple[str, ...] = ()
        #: shows a take in the take panel (the screen's take handlers: they fetch its generation and media)
        self.take_source: Callable[[str | None], None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Select a cell", style="dim"), id="card")
        yield Static("", id="generation")
        yield HistoryTable(id="history")
        yield TakePanel(id="take")

    def show(self, cell: CellView | None, column: ColumnView | None, card: Card | None, now: float,
             estimate: Decimal | None, takes: TakeBook) -> None:
        self.cell = cell
        self.query_one("#card", Static).update(self._card_text(cell, column, card))
        self.query_one("#generation", Static).update(self._generation_text(cell, now, estimate))
        self._fill_history(cell, now, estimate, takes)
        self.show_take()

    @property
    def selected_take(self) -> JobView | None:
        """The take under the history table's cursor (the displayed one when a cell is first shown)."""
        cell, wanted = self.cell, self.query_one(HistoryTable).selected_id
        return next((j for j in cell.jobs if j.id == wanted), None) if cell is not None else None

    def show_take(self) -> None:
        if self.take_source is not None:
            job = self.selected_take
            self.take_source(job.id if job is not None else None)

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.data_table.id == "history":
            self.show_take()
            if event.data_table.has_focus:  # the history at the top, the selected take just under it
                self.scroll_to_widget(event.data_table, top=True, animate=False)

    def on_take_panel_changed(self, message: TakePanel.Changed) -> None:
        job = self.selected_take
        if job is not None and job.id == message.job_id:
            self.show_take()

    def _card_text(self, cell: CellView | None, column: ColumnView | None, card: Card | None) -> Text:
        if cell is None or card is None:
            return Text("Select a cell", style="dim")
        text = Text()
        text.append(f"{column.title if column else 'cell'}", style="bold")
        text.append(f"  cell {cell.cell_id}\n", style="dim")
        text.append("card  ", style="dim")
        text.append(card.generation_type, style="bold")
        text.append(f"  ({card.type_source}; data: {card.data_source})\n", style="dim")
        fields = [f.name for f in vocab.CARD_FIELDS.get(card.generation_type, ())]
        extra = [k for k in card.data if k not in fields]
        for name in [*fields, *extra]:
            value = card.data.get(name)
            if value in (None, "", []):
                continue
            text.append(f"{name.replace('_', ' ')}: ", style="dim")
            text.append(safe_text(value if not isinstance(value, list) else ", ".join(map(str, value)), 1500))
            text.append("\n")
        if not card.data:
            text.append("(no card data known here: regenerate sends {} and the server uses its stored card)\n",
                        style="dim italic")
        text.append("value: ", style="dim")
        text.append(cell.value or "—")
        return text

    def _generation_text(self, cell: CellView | None, now: float, estimate: Decimal | None) -> Text:
        if cell is None:
            return Text("")
        latest, shown = cell.latest, cell.displayed
        text = Text()
        if latest is None:
            return Text("No generation yet. r regenerates from the card.", style="dim")
        if latest.in_flight or (shown is not None and latest.id != shown.id):
            text.append("latest  ", style="dim")
            text.append_text(self._job_line(latest, now, estimate))
            text.append("\n")
        if shown is not None:
            text.append("shown   ", style="dim")
            text.append_text(self._job_line(shown, now, None))
            text.append("\n")
            self._outputs(text, shown)
        if latest.status == vocab.FAILED and latest.failed_reason:
            text.append("failed: ", style=f"bold {self.status_colors[vocab.FAILED]}")
            text.append(latest.failed_reason)
        return text

    def _job_line(self, job: JobView, now: float, estimate: Decimal | None) -> Text:
        line = status_text(job.status, self.status_colors)
        line.append(f"  {job.id}", style="dim")
        took = elapsed(job, now)
        if took:
            line.append(f"  {took}")
        if job.execution_cost is not None and not job.in_flight:
            line.append(f"  cost {fmt_credits(job.execution_cost)}")
        elif estimate is not None and job.in_flight:
            line.append(f"  ~{fmt_credits(estimate)} est.", style="dim")
        return line

    def _outputs(self, text: Text, job: JobView) -> None:
        for url in job.urls:
            text.append("  ↳ ", style="dim")
            text.append(url, style="underline")
            text.append("\n")
        if job.result:
            text.append(job.result[:1500])
            text.append("\n")

    def _fill_history(self, cell: CellView | None, now: float, estimate: Decimal | None, takes: TakeBook) -> None:
        table = self.query_one(HistoryTable)
        if cell is None:
            if self._history_ids:
                table.clear()
                self._history_ids = ()
            return
        jobs = cell.jobs
        ids = tuple(j.id for j in jobs)
        selected = table.selected_id
        if ids != self._history_ids:
            same_cell = bool(set(ids) & set(self._history_ids))
            table.clear()
            for job in jobs:
                # the model the take was made with (never the cell's model now: an edit changes that)
                table.add_row(*history_row(job, self.status_colors, now, displayed=job.id == cell.displayed_id,
                                           model=takes.model(job.id), format_time=format_clock, estimate=estimate),
                              key=job.id)
            self._history_ids = ids
            if not same_cell and cell.displayed_id in ids:  # another cell: its displayed take first
                selected = cell.displayed_id
            if selected in ids:
                table.move_cursor(row=ids.index(selected), animate=False)
            return
        for job in jobs:
            model = takes.model(job.id)
            row = history_row(job, self.status_colors, now, displayed=job.id == cell.displayed_id, model=model,
                              format_time=format_clock, estimate=estimate)
            for column, value in zip(("shown", "time", "status", "model", "cost", "took", "id"), row, strict=True):
                table.update_cell(job.id, column, value)
