"""The asset picker (`pick_asset`, ctrl+o in the card editor): a file for one resource field.

Listed in this order: the outputs of the row's other cells, this cell's takes, the agent's library
(the field's kind; more pages on Enter), then "upload a local file…" (a path with directory
completion, a progress bar; the file is checked before anything is sent). Each line shows the kind,
where it comes from and its name; Enter picks. Thumbnails are not drawn here (kind and name only).
"""

from __future__ import annotations

import os
from pathlib import Path

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Label, OptionList, ProgressBar, Static
from textual.widgets.option_list import Option

from gentui.api.errors import GenApiError, NotFoundError
from gentui.core.assets import RESOURCE_FIELDS, Asset, AssetCatalog, UploadRefused
from gentui.core.formatting import describe_error
from gentui.core.text import one_line
from gentui.ui.widgets.preview import PreviewBox

MORE, UPLOAD = "more", "upload"
SUGGEST_SCAN = 500  # directory entries looked at per completion


class PathSuggester(Suggester):
    """Completes the last part of a path from its directory (the first match, directories with a slash)."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        if not value:
            return None
        head, _, stem = value.rpartition("/")
        base = Path(os.path.expanduser(head)) if head else Path("/" if value.startswith("/") else ".")
        names: list[str] = []
        try:
            with os.scandir(base) as entries:
                for n, entry in enumerate(entries):
                    if n >= SUGGEST_SCAN:
                        break
                    if entry.name.startswith(stem) and (stem.startswith(".") or not entry.name.startswith(".")):
                        names.append(entry.name + ("/" if entry.is_dir() else ""))
        except OSError:
            return None
        if not names:
            return None
        prefix = f"{head}/" if head or value.startswith("/") else ""
        return prefix + sorted(names)[0]


class AssetPicker(ModalScreen[Asset | None]):
    """Pick a file for one resource field; Enter picks, Escape cancels."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    class Progress(Message):
        """Bytes of the upload sent so far (posted by the upload's progress callback)."""

        def __init__(self, sent: int, total: int) -> None:
            super().__init__()
            self.sent, self.total = sent, total

    def __init__(self, catalog: AssetCatalog, field: str, title: str) -> None:
        super().__init__()
        self.catalog, self.field, self.title_text = catalog, field, title
        self.kind = RESOURCE_FIELDS.get(field, "")
        self.sections: dict[str, list[Asset]] = {"row": [], "takes": [], "library": []}
        self.notes: dict[str, str] = {"row": "loading…", "takes": "loading…", "library": "loading…"}
        self.page, self.more = 0, False
        self.by_option: dict[str, Asset] = {}
        self._first_enabled: str | None = None  # the option highlighted by default (kept until the user moves)

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog wide tall", id="asset-picker"):
            kind = f" ({self.kind})" if self.kind else ""
            yield Label(Text(f"Pick a file for {self.title_text}{kind}", style="bold"))
            yield OptionList(id="assets")
            yield PreviewBox(id="thumb")  # the highlighted file's thumbnail (with the take panel's media client)
            yield Input(placeholder="path of a local file (→ completes), Enter uploads", id="path",
                        suggester=PathSuggester())
            yield ProgressBar(id="progress", show_eta=False)
            yield Static("", id="status")
            yield Static(Text("Enter picks · Escape cancels", style="dim"))

    def on_mount(self) -> None:
        self.query_one("#path").display = False
        self.query_one("#progress").display = False
        self._rebuild()
        self.query_one(OptionList).focus()
        self.load_row()
        self.load_library(0)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        asset = self.by_option.get(event.option.id or "")
        url = None if asset is None else asset.thumbnail_url or (asset.url if asset.kind == "image" else None)
        main = getattr(self.app, "main", None)  # the main screen's take handlers own the run's media client
        takes = getattr(main, "takes", None)
        self.query_one("#thumb", PreviewBox).show(url, takes.fetcher if takes else None, takes.graphics if takes else "")

    # --- the list -------------------------------------------------------------------------------------
    def _rebuild(self, highlight: str | None = None) -> None:
        options: list[Option | None] = []
        self.by_option = {}
        headings = (("row", "Outputs of this row's other cells"), ("takes", "This cell's takes"),
                    ("library", "Library"))
        for section, heading in headings:
            options.append(Option(Text(heading, style="bold"), disabled=True))
            for n, asset in enumerate(self.sections[section]):
                ident = f"{section}:{n}"
                self.by_option[ident] = asset
                line = Text(f"  {(asset.kind or 'file'):<6} ", style="bold")
                line.append(one_line(asset.where, 30) + "  " if asset.where and asset.where != "library" else "")
                line.append(one_line(asset.name, 60))
                line.append(f"  id {asset.id}", style="dim")
                options.append(Option(line, id=ident))
            note = self.notes.get(section) or ("" if self.sections[section] else "(none)")
            if note:
                options.append(Option(Text(f"  {note}", style="dim"), disabled=True))
            if section == "library" and self.more:
                options.append(Option(Text("  more of the library…", style="italic"), id=MORE))
        options.append(Option(Text("Upload a local file…", style="bold"), id=UPLOAD))
        listing = self.query_one(OptionList)
        before = listing.highlighted_option.id if listing.highlighted_option is not None else None
        was_first = before is None or before == self._first_enabled
        listing.clear_options()
        listing.add_options(options)
        ids = [o.id for o in options if o is not None and not o.disabled]
        self._first_enabled = ids[0] if ids else None
        target = highlight if highlight in ids else (self._first_enabled if was_first or before not in ids else before)
        listing.highlighted = listing.get_option_index(target) if target is not None else None

    @work(group="row", exit_on_error=False)
    async def load_row(self) -> None:
        try:
            row, takes = await self.catalog.row_and_takes(self.kind)
        except GenApiError as exc:
            row, takes = [], []
            self.notes["row"] = f"could not load: {describe_error(exc)}"
        else:
            self.notes["row"] = ""
        self.sections["row"], self.sections["takes"] = row, takes
        self.notes["takes"] = ""
        self._rebuild()

    @work(group="library", exclusive=True, exit_on_error=False)
    async def load_library(self, page: int) -> None:
        self.notes["library"] = "loading…"
        first_new = f"library:{len(self.sections['library'])}"
        try:
            assets, more = await self.catalog.library(self.kind, page)
        except NotFoundError:
            self.notes["library"] = "the server lists no content library here (HTTP 404)"
            self._rebuild()
            return
        except GenApiError as exc:
            self.notes["library"] = one_line(f"could not load: {describe_error(exc)}", 200)
            self._rebuild()
            return
        self.page, self.more = page, more
        self.sections["library"] += assets
        self.notes["library"] = ""
        self._rebuild(first_new if page and assets else None)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        ident = event.option.id or ""
        if ident == MORE:
            self.load_library(self.page + 1)
        elif ident == UPLOAD:
            path = self.query_one("#path", Input)
            path.display = True
            path.focus()
        elif ident in self.by_option:
            self.dismiss(self.by_option[ident])

    # --- upload ---------------------------------------------------------------------------------------
    def on_input_submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if value and not self.is_uploading:
            self.upload(value)

    @property
    def is_uploading(self) -> bool:
        return any(w.group == "upload" and w.is_running for w in self.workers)

    @work(group="upload", exclusive=True, exit_on_error=False)
    async def upload(self, path: str) -> None:
        status = self.query_one("#status", Static)
        bar = self.query_one("#progress", ProgressBar)
        status.update(Text("checking the file (size, type, MD5)…", style="dim"))

        def progress(sent: int, total: int) -> None:
            self.post_message(self.Progress(sent, total))

        try:
            asset = await self.catalog.upload(path, self.kind, progress)
        except UploadRefused as exc:
            status.update(Text(f"× {exc} (nothing was sent)", style="bold red"))
            return
        except NotFoundError:
            bar.display = False
            status.update(Text("× this server takes no direct uploads (HTTP 404); nothing was stored", style="bold red"))
            return
        except GenApiError as exc:
            bar.display = False
            status.update(Text(f"× upload failed: {one_line(describe_error(exc), 300)}", style="bold red"))
            return
        self.dismiss(asset)

    def on_asset_picker_progress(self, message: Progress) -> None:
        bar = self.query_one("#progress", ProgressBar)
        bar.display = True
        bar.update(total=message.total, progress=message.sent)
        self.query_one("#status", Static).update(Text(f"uploading… {message.sent:,} of {message.total:,} bytes",
                                                      style="dim"))

    def action_cancel(self) -> None:
        self.dismiss(None)
