"""`compare` (=): two takes side by side, every card field with its differences marked, the prompt
diffed word by word; `1`/`2` pin the left/right take, `=` on another take in the list swaps it in."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from gentui.action_table import BY_ID, ActionId
from gentui.core.formatting import fmt_credits
from gentui.core.take_diff import FieldDiff, Segment, card_diff, show
from gentui.core.text import safe_text
from gentui.core.views import CellKey, CellView
from gentui.ui.look import elapsed, status_text
from gentui.ui.widgets.preview import PreviewBox
from gentui.ui.widgets.take_detail import Take, clock, link

if TYPE_CHECKING:
    from gentui.ui.screens.take_handlers import TakeHandlers

DIFFERENT = "≠ "
SAME = "  "


def side_text(take: Take, diffs: list[FieldDiff], side: str, now: float, colors: dict[str, str]) -> Text:
    """One side: status, cost, duration, time, outputs, then every card field (differences marked)."""
    job, text = take.job, Text()
    text.append(f"take {take.position[0]} of {take.position[1]}", style="bold")
    text.append(f"  {job.id}", style="dim")
    if take.displayed:
        text.append("  ◆ displayed", style="bold")
    text.append("\n")
    text.append_text(status_text(job.status, colors))
    cost = fmt_credits(job.execution_cost) if job.execution_cost is not None else "—"
    text.append(f"  cost {cost}  took {elapsed(job, now) or '—'}\n")
    text.append(f"{clock(job.started_at)}\n", style="dim")
    for out in take.outputs.outputs[:2]:
        text.append("↳ ", style="dim")
        link(text, out.url, safe_text(out.url, 60))
        text.append("\n")
    text.append(f"card ({take.card.source})\n", style="dim")
    for diff in diffs:
        differs = not diff.same
        text.append(DIFFERENT if differs else SAME, style="bold yellow" if differs else "dim")
        text.append(f"{diff.name.replace('_', ' ')}: ", style="bold" if differs else "dim")
        if diff.words:
            for seg in diff.words:
                if seg.op == "same":
                    text.append(seg.text)
                elif (seg.op == "removed") == (side == "left"):
                    text.append(seg.text, style="bold reverse yellow")
        else:
            value = diff.left if side == "left" else diff.right
            text.append(safe_text(show(value), 2000), style="bold" if differs else "")
        text.append("\n")
    return text


def words_text(words: tuple[Segment, ...]) -> Text:
    """The word diff in one line: removed words struck through, added ones underlined."""
    text = Text()
    for seg in words:
        style = {"same": "", "removed": "strike red", "added": "underline bold green"}[seg.op]
        text.append(seg.text, style=style)
    return text


class CompareScreen(ModalScreen[None]):
    """Two takes of one cell, side by side."""

    DEFAULT_CSS = """
    CompareScreen { align: center middle; }
    CompareScreen > Vertical { width: 100%; height: 100%; background: $surface; padding: 0 1; }
    CompareScreen #sides { height: 1fr; }
    CompareScreen .side { width: 1fr; height: 100%; padding: 0 1; }
    CompareScreen #prompt-diff { height: auto; max-height: 6; }
    CompareScreen #compare-takes { height: auto; max-height: 7; }
    """
    BINDINGS = [
        Binding("escape", "leave", "Back"),
        Binding("1", "pin('left')", "Pin left"),
        Binding("2", "pin('right')", "Pin right"),
        Binding(BY_ID[ActionId.COMPARE].key, "swap_in", "Swap in", id=ActionId.COMPARE.value),
    ]

    def __init__(self, handlers: TakeHandlers, key: CellKey, left: str, right: str) -> None:
        super().__init__()
        self.handlers, self.key = handlers, key
        self.left_id, self.right_id = left, right
        self.diffs: list[FieldDiff] = []

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Compare takes — 1 pins the left, 2 the right; = on a take below swaps it in "
                              "on the left; Escape leaves", style="dim"))
            with Horizontal(id="sides"):
                for side in ("left", "right"):
                    with VerticalScroll(classes="side", id=f"side-{side}"):
                        yield PreviewBox(id=f"preview-{side}")
                        yield Static("", id=f"text-{side}")
            yield Static("", id="prompt-diff")
            yield DataTable(id="compare-takes", cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#compare-takes", DataTable)
        table.add_columns("take", "status", "model", "id")
        cell = self._cell()
        if cell is not None:
            for i, job in enumerate(cell.jobs):
                table.add_row(str(i + 1), job.status, self._session_model(job.id) or "—", job.id, key=job.id)
        self.refresh_sides()
        table.focus()

    def _cell(self) -> CellView | None:
        session = self.handlers.screen.session
        return session.state.cells.get(self.key) if session is not None else None

    def _session_model(self, job_id: str) -> str | None:
        session = self.handlers.screen.session
        return session.takes.model(job_id) if session is not None else None

    def takes(self) -> tuple[Take, Take] | None:
        cell = self._cell()
        if cell is None:
            return None
        jobs = {j.id: j for j in cell.jobs}
        if self.left_id not in jobs or self.right_id not in jobs:
            return None
        return self.handlers.take(cell, jobs[self.left_id]), self.handlers.take(cell, jobs[self.right_id])

    def refresh_sides(self) -> None:
        pair = self.takes()
        if pair is None:
            self.query_one("#prompt-diff", Static).update(Text("these takes are no longer in the cell's history"))
            return
        left, right = pair
        self.diffs = card_diff(left.card.card, right.card.card)
        now, colors = self.handlers.screen.app.now(), self.handlers.screen.detail.status_colors
        for side, take in (("left", left), ("right", right)):
            self.query_one(f"#text-{side}", Static).update(side_text(take, self.diffs, side, now, dict(colors)))
            self.query_one(f"#preview-{side}", PreviewBox).show(take.outputs.preview_url, self.handlers.fetcher,
                                                                self.handlers.graphics)
        prompt = next((d for d in self.diffs if d.name == "prompt"), None)
        line = Text("prompt, left → right: ", style="dim")
        if prompt is not None and prompt.words:
            line.append_text(words_text(prompt.words))
        elif prompt is not None and not prompt.same:
            line.append("known for one take only", style="italic")
        else:
            line.append("no prompt known for either take" if prompt is None else "the same", style="italic")
        self.query_one("#prompt-diff", Static).update(line)

    def action_leave(self) -> None:
        self.dismiss(None)

    def action_pin(self, side: str) -> None:
        self.handlers.pin(self.key, self.left_id if side == "left" else self.right_id)

    def action_swap_in(self) -> None:
        table = self.query_one("#compare-takes", DataTable)
        if not table.row_count:
            return
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        chosen = str(row_key.value)
        if chosen == self.right_id:
            self.left_id, self.right_id = self.right_id, self.left_id
        else:
            self.left_id = chosen
        self.refresh_sides()
