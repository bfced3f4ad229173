"""`preview` (v): the selected take's output full screen; Escape leaves, `o` opens it."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer, Static

from gentui.action_table import BY_ID, ActionId
from gentui.core.media import MediaFetcher
from gentui.ui.widgets.preview import PreviewBox
from gentui.ui.widgets.take_detail import Take, outputs_text


class PreviewScreen(ModalScreen[None]):
    """One take's output, as large as the terminal allows."""

    DEFAULT_CSS = """
    PreviewScreen { align: center middle; }
    PreviewScreen > Vertical { width: 100%; height: 100%; background: $surface; padding: 0 1; }
    PreviewScreen #preview-text { height: auto; max-height: 40%; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_preview", "Back"),
        Binding(BY_ID[ActionId.OPEN].key, "open_output", "Open", id=ActionId.OPEN.value),
    ]

    def __init__(self, take: Take, fetcher: MediaFetcher | None, graphics: str,
                 open_url: Callable[[str], None]) -> None:
        super().__init__()
        self.take, self.fetcher, self.graphics, self.open_url = take, fetcher, graphics, open_url

    def compose(self) -> ComposeResult:
        take = self.take
        with Vertical():
            head = Text(f"take {take.position[0]} of {take.position[1]}", style="bold")
            head.append(f"  {take.job.id}  {take.card.model or ''}", style="dim")
            yield Static(head)
            with VerticalScroll(id="preview-text"):
                body = Text()
                outputs_text(take.outputs, body)
                yield Static(body)
            yield PreviewBox(big=True, id="preview-big")
        yield Footer()

    def on_mount(self) -> None:
        box = self.query_one(PreviewBox)
        box.show(self.take.outputs.preview_url, self.fetcher, self.graphics)
        if self.take.outputs.preview_url is None:
            box.display = True
            box.query_one(".note", Static).update(Text("no picture for this output", style="dim italic"))

    def action_dismiss_preview(self) -> None:
        self.dismiss(None)

    def action_open_output(self) -> None:
        url = self.take.outputs.link
        if url is None:
            self.notify("open: this take has no output URL", severity="warning")
            return
        self.open_url(url)
