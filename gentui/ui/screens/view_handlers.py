"""What the main screen's keys for the view do: filter and sort, the feeds, export, the spend history."""

from __future__ import annotations

import asyncio
import io
import time
from pathlib import Path
from typing import TYPE_CHECKING

from gentui.action_table import ActionId
from gentui.api.errors import GenApiError
from gentui.core.formatting import describe_error
from gentui.core.rows import SORT_LABELS
from gentui.core.views import CellKey
from gentui.ui.screens.cell_handlers import CellHandlers, Handler

if TYPE_CHECKING:
    from gentui.ui.screens.main import MainScreen


class ViewHandlers(CellHandlers):
    """The view actions of the action table, for one main screen (the grid holds the view, the feeds their logs)."""

    def __init__(self, screen: MainScreen) -> None:
        super().__init__(screen)
        self.exported: list[Path] = []

    def handlers(self) -> dict[ActionId, Handler]:
        A = ActionId
        return {A.FILTER: self.filter, A.FAILED_ONLY: self.failed_only, A.IN_FLIGHT_ONLY: self.in_flight_only,
                A.SORT: self.sort, A.ACTIVITY: self.activity, A.API_LOG: self.api_log, A.EXPORT: self.export}

    # --- filter and sort -------------------------------------------------------------------------
    async def filter(self, key: CellKey | None) -> None:
        self.screen.filter_bar.open(self.screen.grid.view.text)

    async def failed_only(self, key: CellKey | None) -> None:
        grid = self.screen.grid
        grid.view.failed_only = not grid.view.failed_only
        shown = grid.apply_view()
        self.screen.notify(f"failed only: {'on' if grid.view.failed_only else 'off'} ({shown} rows)", timeout=2)

    async def in_flight_only(self, key: CellKey | None) -> None:
        grid = self.screen.grid
        grid.view.in_flight_only = not grid.view.in_flight_only
        shown = grid.apply_view()
        self.screen.notify(f"in flight only: {'on' if grid.view.in_flight_only else 'off'} ({shown} rows)", timeout=2)

    async def sort(self, key: CellKey | None) -> None:
        grid = self.screen.grid
        sort = grid.view.next_sort()
        grid.apply_view()
        self.screen.notify(f"sort: {SORT_LABELS[sort]}", timeout=2)

    # --- the feeds -------------------------------------------------------------------------------
    async def activity(self, key: CellKey | None) -> None:
        self.screen.feeds.toggle(activity=True)

    async def api_log(self, key: CellKey | None) -> None:
        self.screen.feeds.toggle(api_log=True)

    # --- export ----------------------------------------------------------------------------------
    async def export(self, key: CellKey | None) -> None:
        from gentui.ui.screens.export import ExportScreen

        session, app = self.session, self.screen.app
        folder = app.launch.export_dir or default_export_dir()

        def chosen(result: tuple[tuple[str, ...], str] | None) -> None:
            if result is None:
                return
            formats, target = result
            self.screen.run_worker(self.export_history(formats, Path(target).expanduser()), group="export",
                                   exit_on_error=False)

        app.push_screen(ExportScreen(session.state.title or f"engine {session.engine_id}", Path(folder),
                                     web=app.is_web), chosen)

    async def export_history(self, formats: tuple[str, ...], folder: Path) -> list[Path]:
        from gentui.core.export import export_files, history_records, write_export

        session, screen = self.session, self.screen
        app = screen.app
        try:
            engine = await session.client.get_engine(session.agent_id, session.engine_id, with_execution_cost=True)
        except GenApiError as exc:
            screen.notify(f"export: {describe_error(exc)}", severity="error", timeout=10, markup=False)
            return []
        records = history_records(engine)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(app.now()))
        written: list[Path] = []
        for name, text in export_files(records, formats, session.engine_id, stamp):
            if app.is_web:
                app.deliver_text(io.StringIO(text), save_filename=name, name="export")
                written.append(Path(name))
                continue
            try:
                written.append(await asyncio.to_thread(write_export, folder, name, text))
            except OSError as exc:
                screen.notify(f"export: cannot write {folder / name}: {exc.strerror or exc}", severity="error",
                              timeout=10, markup=False)
                return written
        self.exported.extend(written)
        text = f"exported {len(records)} generations to {', '.join(str(p) for p in written)}"
        screen.feeds.add(app.now(), text)
        screen.notify(text, title="Export", timeout=10, markup=False)
        return written

    # --- spend history ---------------------------------------------------------------------------
    def open_spend(self) -> None:
        from gentui.ui.screens.spend import SpendScreen

        app = self.screen.app
        journal = app.launch.journal
        rows, error = [], ""
        if journal is None:
            error = "No journal in this session: nothing is recorded."
        else:
            try:
                rows = journal.spend_by_day()
            except Exception as exc:  # noqa: BLE001 - a broken journal must not close the app
                error = f"The journal cannot be read: {exc}"
        names = dict(app.launch.engine_names)
        for recent in app.launch.recent_engines:
            names.setdefault(str(recent.get("id")), str(recent.get("title") or ""))
        session = self.screen.session
        if session is not None and session.state.title:
            names[session.engine_id] = session.state.title
        app.push_screen(SpendScreen(rows, names, error, burn=session.ledger.burn if session is not None else None))


def default_export_dir() -> Path:
    """The user's downloads folder when there is one, else the current folder."""
    from platformdirs import user_downloads_path

    try:
        folder = user_downloads_path()
    except (OSError, RuntimeError, KeyError):  # platformdirs may not know this platform
        folder = None
    return folder if folder is not None and folder.is_dir() else Path.cwd()
