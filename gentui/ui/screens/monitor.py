"""The main screen's monitor comforts (a mixin, to keep main.py small).

Filter and sort of the grid (`/`, `F`, `I`, `o`; Escape clears), the activity feed (`a`) and the
API call log (`L`), notifications (toast, bell, desktop) when this session's generations end and
when a batch's generations have all ended, export (`x`) and the spend history screen.
"""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import Iterable
from pathlib import Path

from rich.text import Text
from textual.widgets import Input

from gentui.api.answers import RequestRecord
from gentui.api.errors import GenApiError
from gentui.core.apilog import ApiLog
from gentui.core.events import ConnectionChanged, EngineChanged, Notice
from gentui.core.formatting import describe_error, fmt_credits
from gentui.core.rows import SORT_LABELS, GridView, ViewIndex, changed_within
from gentui.core.views import CellKey, JobView
from gentui.ui.notify import Notifier
from gentui.ui.widgets.feeds import ActivityLog, ActivityPanel, ApiLogPanel, Feeds
from gentui.ui.widgets.filterbar import FilterBar, FilterInput
from gentui.ui.widgets.grid import EngineGrid

FEED_REFRESH = 0.3  # seconds between redraws of a shown feed
HOUR = 3600.0


class MonitorMixin:
    """Needs: self.app, self.session, self.query_one, self.notify, self.run_worker, self.set_interval."""

    # --- set-up ----------------------------------------------------------------------------------
    def monitor_init(self) -> None:
        self.view = GridView()
        self.view_index = ViewIndex()
        self._view_shown = False  # the grid currently shows a filtered or sorted subset
        self.activity_log = ActivityLog()
        self.api_calls = ApiLog()
        self.notifier = Notifier()
        self.exported: list[Path] = []
        self._batch_tracked: object | None = None
        self._batch_ids: set[str] = set()
        self._generic_seen: tuple[int, object] = (0, None)  # (ledger, balance) last judged for other spend
        self._other_seen: object = None

    def monitor_mount(self) -> None:
        app = self.app
        launch = app.launch
        self.notifier = Notifier(mode=getattr(launch, "notify", "toast"), write=self._terminal_write,
                                 monotonic=launch.monotonic)
        def observe(record: RequestRecord) -> None:
            session = app.session
            self.api_calls.add(record, session.ledger if session is not None else None)

        app.request_observers.append(observe)
        layout = dict(getattr(launch, "layout", None) or {})
        self._set_feeds(bool(layout.get("activity")), bool(layout.get("api_log")), remember=False)
        self.set_interval(FEED_REFRESH, self.refresh_feeds, name="feeds")
        if launch.tick_interval:
            self.set_interval(max(launch.tick_interval, 5.0), self._age_tick, name="view-age")

    def _terminal_write(self, data: str) -> None:
        driver = getattr(self.app, "_driver", None)
        if driver is not None and not self.app.is_headless:
            driver.write(data)

    # --- filter and sort -------------------------------------------------------------------------
    async def _do_filter(self, key: CellKey | None) -> None:
        self.query_one(FilterBar).open(self.view.text)

    async def _do_failed_only(self, key: CellKey | None) -> None:
        self.view.failed_only = not self.view.failed_only
        shown = self.apply_view()
        self.notify(f"failed only: {'on' if self.view.failed_only else 'off'} ({shown} rows)", timeout=2)

    async def _do_in_flight_only(self, key: CellKey | None) -> None:
        self.view.in_flight_only = not self.view.in_flight_only
        shown = self.apply_view()
        self.notify(f"in flight only: {'on' if self.view.in_flight_only else 'off'} ({shown} rows)", timeout=2)

    async def _do_sort(self, key: CellKey | None) -> None:
        sort = self.view.next_sort()
        self.apply_view()
        self.notify(f"sort: {SORT_LABELS[sort]}", timeout=2)

    def clear_filter(self) -> bool:
        """Escape: drop the filter (text and toggles); True if there was one."""
        bar = self.query_one(FilterBar)
        editing = bar.editing
        bar.close()
        if self.view.clear_filter() or editing:
            self.apply_view()
            self.query_one(EngineGrid).focus()
            return True
        return False

    def on_input_changed(self, event: Input.Changed) -> None:
        if isinstance(event.input, FilterInput):
            self.view.text = event.value
            self.apply_view()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if isinstance(event.input, FilterInput):
            self.view.text = event.value
            self.query_one(FilterBar).close()
            self.apply_view()
            self.query_one(EngineGrid).focus()

    def apply_view(self) -> int:
        """Recompute every row against the view and show the result; returns the rows shown."""
        session = self.session
        if session is None or not session.state.loaded:
            self._update_bar(0, 0)
            return 0
        self.view_index.rebuild(session.state, self.view, self.app.now())
        return self._show_view(force=True)

    def view_changed_rows(self, rows: Iterable[str], full: bool = False) -> None:
        """After the grid was patched: look again at the rows an event touched."""
        if not (self.view.active or self._view_shown):
            return
        session = self.session
        if full or self.view.needs_clock:
            self.view_index.rebuild(session.state, self.view, self.app.now())
        else:
            self.view_index.update(session.state, self.view, rows, self.app.now())
        self._show_view()

    def _show_view(self, force: bool = False) -> int:
        session, grid = self.session, self.query_one(EngineGrid)
        state, now = session.state, self.app.now()
        if not self.view.active and not self._view_shown and not force:
            return grid.row_count
        order = self.view_index.order()
        with self.app.batch_update():
            grid.show_rows(state, order, now)
        self._view_shown = self.view.active
        self._update_bar(len(order), self.view_index.total)
        if hasattr(self, "show_detail"):
            self.show_detail()
        return len(order)

    def visible_cells(self) -> set[CellKey] | None:
        """The cells the filter selects in the rows it shows; None when nothing is filtered (all cells)."""
        if not self.view.filtering or self.session is None:
            return None
        return {c.key for c in self.view_index.matched_cells(self.session.state)}

    def _update_bar(self, shown: int, total: int) -> None:
        extra = ""
        if self.view.filtering and self.session is not None and shown:
            cells = self.view_index.matched_cells(self.session.state)
            recent = changed_within(cells, HOUR, self.app.now())
            extra = f"{len(cells)} cells, {recent} changed in the last hour"
        self.query_one(FilterBar).summary(self.view.describe(), shown, total, extra, self.view.query.problems)

    def _age_tick(self) -> None:
        if self.view.needs_clock and self.session is not None and self.session.state.loaded:
            self.view_changed_rows((), full=True)

    # --- events from the core --------------------------------------------------------------------
    def monitor_engine_changed(self, event: EngineChanged) -> None:
        """After the main screen patched the grid: the view, the bell, the batch's end."""
        changes = event.changes
        rows = {k[0] for k in changes.cells} | set(changes.rows_added) | set(changes.rows_removed)
        self.view_changed_rows(rows, full=event.full)
        self._alert_terminal(changes.terminal)
        self.check_batch()

    def log_connection(self, event: ConnectionChanged) -> None:
        text = "connection ok" if event.state == "ok" else f"connection {event.state}: {event.reason}"
        self.activity_log.add(self.app.now(), text, "information" if event.state == "ok" else "warning")

    def note_other_spend(self) -> None:
        """A balance change gentui did not cause (the web app, a teammate, work started before): say so.

        Judged only on a new balance from the server and while none of this session's charges is
        still an estimate, so gentui's own pre-charges and reconciliations never look like "other".
        """
        ledger = self.session.ledger if self.session is not None else None
        other = ledger.other_spend if ledger is not None else None
        if other is None or ledger.session_estimated or (id(ledger), ledger.generic) == self._generic_seen:
            return
        before = self._other_seen if self._generic_seen[0] == id(ledger) else None
        self._generic_seen, self._other_seen = (id(ledger), ledger.generic), other
        if before is not None and other != before:
            delta = other - before
            verb = "spent" if delta > 0 else "refunded"
            self.activity_log.add(self.app.now(), f"credits: {fmt_credits(abs(delta))} {verb} outside this session "
                                  f"(balance {fmt_credits(ledger.generic)})", "warning" if delta > 0 else "information")

    def on_notice(self, event: Notice) -> None:
        """A notice in words: the activity feed always; a toast unless the `notify` setting says otherwise."""
        self.app.log_activity(event.text)
        self.activity_log.add(self.app.now(), event.text, event.severity)
        terminal = "terminal" in event.tags
        if event.toast and (not terminal or self.notifier.toasts):
            self.notify(Text(event.text).plain, severity=event.severity, markup=False)

    def _batch_generation_ids(self) -> set[str]:
        batch = getattr(self, "batch", None)
        ids = {i.generation_id for i in batch.plan.items if i.generation_id} if batch is not None else set()
        return ids | self._batch_ids

    def _alert_terminal(self, terminal: list[tuple[CellKey, JobView]]) -> None:
        session = self.session
        if not terminal or session is None or not self.notifier.rings:
            return
        in_batch = self._batch_generation_ids()
        for key, job in terminal:
            if job.status in ("completed", "failed") and session.ledger.owns(job.id) and job.id not in in_batch:
                self.notifier.alert(f"gentui: {job.status}", session.describe_terminal(key, job, None))

    def check_batch(self) -> None:
        """When a batch has sent everything, watch its generations; when all have ended, say so once."""
        batch, session = getattr(self, "batch", None), self.session
        if session is None:
            return
        if batch is not None and batch is not self._batch_tracked and batch.state in ("done", "cancelled"):
            self._batch_tracked = batch
            self._batch_ids = {i.generation_id for i in batch.plan.items if i.generation_id}
        if not self._batch_ids:
            return
        statuses: dict[str, int] = {}
        for gen_id in self._batch_ids:
            key = session.state.by_generation.get(gen_id)
            cell = session.state.cells.get(key) if key else None
            job = next((j for j in cell.jobs if j.id == gen_id), None) if cell else None
            if job is None or job.in_flight:
                return
            statuses[job.status] = statuses.get(job.status, 0) + 1
        count = len(self._batch_ids)
        self._batch_ids = set()
        words = ", ".join(f"{n} {status}" for status, n in sorted(statuses.items()))
        text = f"batch finished: {count} generations ended ({words})"
        severity = "warning" if statuses.get("failed") else "information"
        self.app.log_activity(text)
        self.activity_log.add(self.app.now(), text, severity)
        if self.notifier.toasts:
            self.notify(text, title="Batch", severity=severity, timeout=10, markup=False)
        self.notifier.alert("gentui: batch finished", text, force=True)

    # --- the feeds -------------------------------------------------------------------------------
    async def _do_activity(self, key: CellKey | None) -> None:
        panel = self.query_one(ActivityPanel)
        self._set_feeds(not panel.display, bool(self.query_one(ApiLogPanel).display))

    async def _do_api_log(self, key: CellKey | None) -> None:
        panel = self.query_one(ApiLogPanel)
        self._set_feeds(bool(self.query_one(ActivityPanel).display), not panel.display)

    def _set_feeds(self, activity: bool, api_log: bool, *, remember: bool = True) -> None:
        feeds = self.query_one(Feeds)
        feeds.set_shown(activity, api_log)
        for panel in (self.query_one(ActivityPanel), self.query_one(ApiLogPanel)):
            panel.invalidate()
        self.refresh_feeds()
        on_layout = getattr(self.app.launch, "on_layout", None)
        if remember and on_layout is not None:
            on_layout({"activity": activity, "api_log": api_log})

    def refresh_feeds(self) -> None:
        activity, api_log = self.query_one(ActivityPanel), self.query_one(ApiLogPanel)
        if activity.display:
            activity.show(self.activity_log)
        if api_log.display:
            api_log.show(self.api_calls)

    # --- export ----------------------------------------------------------------------------------
    async def _do_export(self, key: CellKey | None) -> None:
        from gentui.ui.screens.export import ExportScreen

        session = self.session
        folder = getattr(self.app.launch, "export_dir", None) or default_export_dir()

        def chosen(result) -> None:
            if result is None:
                return
            formats, target = result
            self.run_worker(self.export_history(formats, Path(target).expanduser()), group="export",
                            exit_on_error=False)

        self.app.push_screen(ExportScreen(session.state.title or f"engine {session.engine_id}", Path(folder),
                                          web=self.app.is_web), chosen)

    async def export_history(self, formats: tuple[str, ...], folder: Path) -> list[Path]:
        from gentui.core.export import file_name, history_records, render

        session = self.session
        try:
            engine = await session.client.get_engine(session.agent_id, session.engine_id, with_execution_cost=True)
        except GenApiError as exc:
            self.notify(f"export: {describe_error(exc)}", severity="error", timeout=10, markup=False)
            return []
        records = history_records(engine)
        stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(self.app.now()))
        written: list[Path] = []
        for fmt in formats:
            text = render(records, fmt)
            name = file_name(session.engine_id, stamp, fmt)
            if self.app.is_web:
                self.app.deliver_text(io.StringIO(text), save_filename=name, name="export")
                written.append(Path(name))
                continue
            path = folder / name
            try:
                await asyncio.to_thread(_write_file, path, text)
            except OSError as exc:
                self.notify(f"export: cannot write {path}: {exc.strerror or exc}", severity="error", timeout=10,
                            markup=False)
                return written
            written.append(path)
        self.exported.extend(written)
        where = ", ".join(str(p) for p in written)
        text = f"exported {len(records)} generations to {where}"
        self.app.log_activity(text)
        self.activity_log.add(self.app.now(), text)
        self.notify(text, title="Export", timeout=10, markup=False)
        return written

    # --- spend history ---------------------------------------------------------------------------
    def open_spend(self) -> None:
        from gentui.ui.screens.spend import SpendScreen

        journal = self.app.launch.journal
        rows, error = [], ""
        if journal is None:
            error = "No journal in this session: nothing is recorded."
        else:
            try:
                rows = journal.spend_by_day()
            except Exception as exc:  # noqa: BLE001 - a broken journal must not close the app
                error = f"The journal cannot be read: {exc}"
        names = dict(self.app.launch.engine_names)
        for recent in self.app.launch.recent_engines:
            names.setdefault(str(recent.get("id")), str(recent.get("title") or ""))
        if self.session is not None and self.session.state.title:
            names[self.session.engine_id] = self.session.state.title
        self.app.push_screen(SpendScreen(rows, names, error))


def _write_file(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def default_export_dir() -> Path:
    """The user's downloads folder when there is one, else the current folder."""
    from platformdirs import user_downloads_path

    try:
        folder = user_downloads_path()
    except (OSError, RuntimeError, KeyError):  # platformdirs may not know this platform
        folder = None
    return folder if folder is not None and folder.is_dir() else Path.cwd()
