"""What the keys on a take do: the take panel under the history, compare (=), open (o), preview (v), and
rewind (e on a history row: the editor starts from that take's card)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shlex
import subprocess
import sys
import webbrowser
from typing import TYPE_CHECKING

from gentui.action_table import ActionId
from gentui.api import vocab
from gentui.api.errors import GenApiError
from gentui.api.limits import MB
from gentui.api.models import Generation
from gentui.core.actions import Refusal
from gentui.core.assets import AssetCatalog
from gentui.core.card import Card
from gentui.core.media import MediaCache, MediaFetcher, media_problem
from gentui.core.takes import take_number, take_outputs
from gentui.core.views import CellKey, CellView, JobView
from gentui.ui.screens.card_editor import CardEditor
from gentui.ui.screens.cell_handlers import Handler
from gentui.ui.widgets.take_detail import Take, TakePanel

if TYPE_CHECKING:
    from gentui.ui.screens.main import MainScreen

GENERATIONS_KEPT = 500  # full generations of ended takes kept for the take panel


class TakeHandlers:
    """The take-level actions of the action table, for one main screen; also feeds its take panel."""

    def __init__(self, screen: MainScreen) -> None:
        self.screen = screen
        self.generations: dict[str, Generation] = {}  # ended takes' full generations (they no longer change)
        self._loading: set[str] = set()
        self._fetcher: MediaFetcher | None = None
        screen.detail.take_source = self.show_take

    def handlers(self) -> dict[ActionId, Handler]:
        A = ActionId
        return {A.COMPARE: self.compare, A.OPEN: self.open, A.PREVIEW: self.preview,
                A.EDIT_REGENERATE: self.edit_regenerate}

    # --- media ---------------------------------------------------------------------------------------
    @property
    def fetcher(self) -> MediaFetcher | None:
        """The run's media client (no API key), or None with `previews = "off"` (nothing is fetched)."""
        launch = self.screen.app.launch
        if launch.previews == "off":
            return None
        if self._fetcher is None:
            cache = MediaCache(launch.media_cache_dir, launch.media_cache_mb * MB) \
                if launch.media_cache_dir is not None and launch.media_cache_mb > 0 else None
            transport = launch.media_transport() if launch.media_transport is not None else None
            self._fetcher = MediaFetcher(cache, transport=transport)
        return self._fetcher

    @property
    def graphics(self) -> str:
        launch = self.screen.app.launch
        return launch.graphics if launch.previews == "auto" else launch.previews

    # --- the take panel --------------------------------------------------------------------------------
    def take(self, cell: CellView, job: JobView) -> Take:
        session = self.screen.session
        assert session is not None
        estimate = session.estimate_for(cell.key, job) if job.in_flight else None
        return Take(job, session.takes.get(job.id, job.canonical_type), take_outputs(job, self.generations.get(job.id)),
                    displayed=cell.displayed is not None and cell.displayed.id == job.id,
                    position=take_number(cell.jobs, job.id), estimate=estimate)

    def show_take(self, job_id: str | None) -> None:
        screen, session = self.screen, self.screen.session
        cell = screen.detail.cell
        job = next((j for j in cell.jobs if j.id == job_id), None) if cell is not None and job_id else None
        panel = screen.detail.query_one(TakePanel)
        if session is None or cell is None or job is None:
            panel.show(None, screen.app.now(), screen.detail.status_colors, None, self.graphics)
            return
        panel.show(self.take(cell, job), screen.app.now(), screen.detail.status_colors, self.fetcher, self.graphics)
        if vocab.is_terminal(job.status) and job.id not in self.generations and job.id not in self._loading:
            self._loading.add(job.id)
            # exclusive: moving fast through cells or takes asks only for the one shown last
            screen.run_worker(self._load_generation(job.id), group="take-generation", exclusive=True,
                              exit_on_error=False)

    async def _load_generation(self, job_id: str) -> None:
        """The take's full generation (thumbnails, caption timings, durations): a free read, once per ended take."""
        session = self.screen.session
        try:
            if session is None:
                return
            with contextlib.suppress(GenApiError):  # the panel keeps the engine's copy (its URLs)
                self.generations[job_id] = await session.client.get_generation(job_id)
                if len(self.generations) > GENERATIONS_KEPT:
                    del self.generations[next(iter(self.generations))]
        finally:
            self._loading.discard(job_id)
        self.screen.detail.post_message(TakePanel.Changed(job_id))

    # --- which take a key is about ---------------------------------------------------------------------
    def _cell(self, key: CellKey | None, action: str) -> CellView:
        session = self.screen.session
        cell = session.state.cells.get(key) if session is not None and key else None
        if cell is None:
            raise Refusal(f"{action}: no cell selected")
        return cell

    def selected(self, key: CellKey | None, action: str, *, or_displayed: bool = False) -> tuple[CellView, JobView]:
        cell = self._cell(key, action)
        history = self.screen.history
        wanted = history.selected_id if history.has_focus else None
        job = next((j for j in cell.jobs if j.id == wanted), None)
        if job is None and or_displayed:
            job = cell.displayed
        if job is None:
            raise Refusal(f"{action}: press Enter to go to the history table, select a take, then press the key again")
        return cell, job

    # --- the handlers -----------------------------------------------------------------------------------
    async def compare(self, key: CellKey | None) -> None:
        from gentui.ui.screens.compare import CompareScreen

        cell, job = self.selected(key, "compare")
        other = cell.displayed if cell.displayed is not None and cell.displayed.id != job.id else \
            next((j for j in cell.jobs if j.id != job.id), None)
        if other is None:
            raise Refusal("compare: this cell has only one take")
        self.screen.app.push_screen(CompareScreen(self, cell.key, job.id, other.id))

    def pin(self, key: CellKey, generation_id: str) -> None:
        """Pin a take (the `pin` action's own path: its check, then the call in a worker)."""
        actions = self.screen.app.actions
        if actions is None:
            return
        try:
            actions.check_pin(key, generation_id)
        except Refusal as exc:
            self.screen.notify(str(exc), severity="warning", markup=False)
            return
        self.screen.cells.run(actions.pin(key, generation_id), "pin")

    async def open(self, key: CellKey | None) -> None:
        cell, job = self.selected(key, "open", or_displayed=True)
        url = take_outputs(job, self.generations.get(job.id)).link
        if url is None:
            raise Refusal("open: this take has no output URL")
        self.open_url(url)

    def open_url(self, url: str) -> None:
        """`open_command`, else the local browser when there is a display, else copy the link and show it."""
        screen = self.screen
        if problem := media_problem(url):
            screen.notify(f"open: {problem}", severity="warning", markup=False)
            return
        command = screen.app.launch.open_command
        if command:
            args = [part.replace("{url}", url) for part in shlex.split(command)]
            try:
                subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL, start_new_session=True)
            except OSError as exc:
                screen.notify(f"open: open_command failed: {exc.strerror or exc}", severity="error", markup=False)
                return
            screen.notify(f"opened with {args[0]}", timeout=3, markup=False)
            return
        if has_display():
            screen.run_worker(asyncio.to_thread(webbrowser.open, url), group="open", exit_on_error=False)
            screen.notify("opened in the browser", timeout=3)
            return
        screen.cells.copy_out(url)
        screen.notify(url, title="No display: the link (copied)", timeout=15, markup=False)

    async def preview(self, key: CellKey | None) -> None:
        from gentui.ui.screens.preview import PreviewScreen

        cell, job = self.selected(key, "preview", or_displayed=True)
        take = self.take(cell, job)
        if not (take.outputs.outputs or take.outputs.text or take.outputs.captions):
            raise Refusal("preview: this take has no output yet")
        self.screen.app.push_screen(PreviewScreen(take, self.fetcher, self.graphics, self.open_url))

    async def edit_regenerate(self, key: CellKey | None) -> None:
        """On a history row: the editor starts from that take's card (rewind); elsewhere the cell's card."""
        history = self.screen.history
        if not history.has_focus or history.selected_id is None:
            await self.screen.cells.edit_regenerate(key)
            return
        actions = self.screen.app.actions
        session = self.screen.session
        assert actions is not None and session is not None  # the screen dispatches only with a session
        actions.plan_regenerate(key, edited=True)  # refuses early (read-only, unknown type, render column)
        cell, job = self.selected(key, "edit_regenerate")
        known = session.takes.get(job.id)
        current = session.state.card(cell.key)
        n, _ = take_number(cell.jobs, job.id)
        if known.card is None or not known.card.data:
            self.screen.notify(f"take {n}'s card is not known here ({known.source}): editing the cell's card",
                               severity="warning", timeout=6, markup=False)
            card = current
        else:
            card = Card(known.card.generation_type, dict(known.card.data), current.type_source, f"take {n}")
        title = f"Rewind to take {n} of {session.where(cell.key)}"

        def edited(new_card: Card | None) -> None:
            if new_card is None:
                return
            try:
                self.screen.cells.confirm_and_run(actions.plan_regenerate(key, new_card, edited=True))
            except Refusal as exc:
                self.screen.notify(str(exc), severity="warning", markup=False)

        self.screen.app.push_screen(CardEditor(card, title, assets=AssetCatalog(session, cell.key)), edited)


def has_display() -> bool:
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")) or sys.platform == "darwin"
