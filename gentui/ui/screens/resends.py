"""`resends` (ctrl+u): the charged requests whose answer was lost, waiting to be sent again; each can be cancelled.

Inside the server's idempotency window gentui sends each again by itself, with its own Idempotency-Key
(the server replays it: never charged twice); past `RESEND_LIMIT` a resend asks first, with the amount.
Cancel means never sent again (if the server did act, the generation shows up on the next refresh).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, DataTable, Label, Static
from textual.widgets.data_table import RowDoesNotExist

from gentui.core.formatting import fmt_credits, format_duration
from gentui.core.resends import RESEND_LIMIT, Unanswered
from gentui.core.text import one_line
from gentui.ui.screens.plan_dialogs import BUTTONS_CSS

if TYPE_CHECKING:
    from gentui.ui.app import GentuiApp

COLUMNS = (("what", "what"), ("engine", "engine"), ("amount", "credits"), ("age", "unanswered for"),
           ("next", "next"))
INTRO = (f"Charged requests whose answer was lost. Within {format_duration(RESEND_LIMIT)} gentui sends each "
         "again by itself with the same Idempotency-Key (the server answers from its memory: never charged "
         "twice); past that it asks first. Cancel: never sent again.")


class ResendsScreen(ModalScreen[None]):
    """The run's unanswered charged requests, with their amount and age; `c` cancels the selected one,
    `r` sends a stale one again (asking first), Escape closes."""

    BINDINGS = [Binding("escape,q", "close", "Close"), Binding("c,delete", "cancel_selected", "Cancel resend"),
                Binding("r", "resend_selected", "Resend")]
    DEFAULT_CSS = """
    ResendsScreen DataTable { height: auto; max-height: 12; margin-top: 1; }
    ResendsScreen #r-empty { margin-top: 1; }
    """ + BUTTONS_CSS.replace("PlanDialog", "ResendsScreen")

    def __init__(self, unanswered: Unanswered, now: Callable[[], float], cancel: Callable[[str], object] | None,
                 resend: Callable[[str, bool], None] | None) -> None:
        super().__init__()
        self.unanswered, self.now = unanswered, now
        self.cancel, self.resend = cancel, resend

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide", id="resends"):
            yield Label(Text("Unanswered charged requests", style="bold"), id="r-title")
            yield Static(Text(INTRO, style="dim"))
            yield DataTable(id="r-table", cursor_type="row", zebra_stripes=True)
            yield Static("", id="r-empty")
            with Horizontal(classes="buttons"):
                yield Button("Close (Esc)", id="close")
                yield Button("Resend (r)", id="resend", variant="warning")
                yield Button("Cancel resend (c)", id="cancel", variant="error")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, label in COLUMNS:
            table.add_column(label, key=key)
        self.refresh_rows()
        self.set_interval(1.0, self.refresh_rows)  # the ages move; a settled request leaves the list
        (table if table.row_count else self.query_one("#close", Button)).focus()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def refresh_rows(self) -> None:
        """The table patched by key: settled or cancelled rows go, new ones come, the ages move."""
        table, now = self.table, self.now()
        waiting = dict(self.unanswered)
        for row_key in [k for k in table.rows if k.value not in waiting]:
            table.remove_row(row_key)
        for idem, pending in waiting.items():
            expired = pending.expired(now)
            cells = {
                "what": Text(one_line(pending.plan.title, 60)),
                "engine": Text(one_line(pending.engine_id, 20)),
                "amount": Text(f"~{fmt_credits(pending.plan.amount)}", justify="right"),
                "age": Text(format_duration(pending.age(now))),
                "next": Text("past the window: asks (r)", style="yellow") if expired else
                Text("sent again by itself", style="dim"),
            }
            try:
                table.get_row_index(idem)
            except RowDoesNotExist:
                table.add_row(*cells.values(), key=idem)
                continue
            for column in ("age", "next"):
                table.update_cell(idem, column, cells[column])
        count = len(waiting)
        self.query_one("#r-title", Label).update(Text(
            f"Unanswered charged requests: {count}" if count else "Unanswered charged requests", style="bold"))
        self.query_one("#r-empty", Static).update(
            "" if count else Text("Nothing is waiting: every charged request was answered.", style="green"))
        self.table.display = bool(count)
        if not count and self.focused is table:  # the list emptied under the cursor: Close keeps the keys
            self.query_one("#close", Button).focus()
        for button_id in ("#cancel", "#resend"):
            self.query_one(button_id, Button).disabled = not count or (button_id == "#cancel" and self.cancel is None)

    def selected(self) -> str | None:
        table = self.table
        if not table.row_count:
            return None
        row = min(max(table.cursor_row, 0), table.row_count - 1)
        return str(table.ordered_rows[row].key.value)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "cancel":
            self.action_cancel_selected()
        elif event.button.id == "resend":
            self.action_resend_selected()
        else:
            self.action_close()

    def action_cancel_selected(self) -> None:
        idem = self.selected()
        if idem is None or self.cancel is None:
            return
        self.cancel(idem)  # the core says it (activity feed and toast): never sent again
        self.refresh_rows()

    def action_resend_selected(self) -> None:
        idem = self.selected()
        pending = self.unanswered.get(idem) if idem is not None else None
        if idem is None or pending is None or self.resend is None:
            return
        self.resend(idem, pending.expired(self.now()))

    def action_close(self) -> None:
        self.dismiss(None)


def open_resends(app: GentuiApp) -> None:
    """ctrl+u: the list, wired to the engine view's verbs (the set itself is the run's, across engines)."""

    def cancel(idem: str) -> object:
        actions = app.actions
        return actions.cancel_uncertain(idem) if actions is not None else None

    def resend(idem: str, stale: bool) -> None:
        from gentui.ui.palette import ask_resend

        if stale and app.main is not None:
            ask_resend(app, app.main, idem)  # may be charged again: the confirm shows the amount, Cancel first
            return
        app.wake_poller(engine=True)  # inside the window: the poller sends it again with its key
        app.notify("sending it again now, with its Idempotency-Key (never charged twice)", timeout=4)

    app.push_screen(ResendsScreen(app.whole_run.unanswered, app.now, cancel if app.actions else None, resend))
