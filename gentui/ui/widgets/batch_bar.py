"""The batch bar above the footer: it owns the running batch (start, pause, resume, cancel) and shows its progress."""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import ProgressBar, Static

from gentui.action_table import display_key
from gentui.api.errors import GenApiError
from gentui.core.actions import Actions
from gentui.core.batch import BatchPlan, BatchRunner
from gentui.core.events import BatchProgress
from gentui.core.formatting import describe_error, format_duration
from gentui.core.session import Session

HIDE_AFTER = 8.0  # seconds a finished batch's bar stays


def progress_text(p: BatchProgress) -> Text:
    text = Text(f"batch {p.state}: {p.sent}/{p.total} sent", style="bold")
    if p.failed:
        text.append(f", {p.failed} failed", style="red")
    if p.queued:
        text.append(f", {p.queued} to go")
    if p.skipped:
        text.append(f", {p.skipped} skipped")
    if p.rate:
        text.append(f"  {p.rate * 60:.0f}/min")
    if p.eta is not None:
        text.append(f"  ETA {format_duration(p.eta)}")
    if p.reason and p.state != "running":
        text.append(f"\n{p.reason}", style="yellow")
    return text


class BatchBar(Horizontal):
    """Above the footer while a batch exists (in the flow, not docked: a docked bar hid under the footer)."""

    DEFAULT_CSS = """
    BatchBar { height: auto; max-height: 3; display: none; padding: 0 1; background: $boost; }
    BatchBar.active { display: block; }
    BatchBar ProgressBar { width: 40; }
    BatchBar Static { width: 1fr; }
    """

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # the container's own keyword arguments
        self.runner: BatchRunner | None = None
        self.key = "m"  # the mass_regenerate key, shown in the bar's hint
        self._after: Callable[[], None] = lambda: None

    def compose(self) -> ComposeResult:
        yield ProgressBar(total=1, show_eta=False, id="batch-progress")
        yield Static("", id="batch-text")

    # --- the batch ------------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.runner is not None and self.runner.state in ("running", "paused")

    def start(self, session: Session, actions: Actions, plan: BatchPlan, *, concurrency: int,
              after: Callable[[], None]) -> BatchRunner:
        """Run this plan; `after` is called whenever a run stops (done, paused, failed)."""
        self.runner = BatchRunner(session, actions, plan, concurrency=concurrency)
        self._after = after
        self.show(self.runner.progress())
        self._run(self.runner)
        return self.runner

    def control(self, choice: str | None) -> None:
        """pause | resume | cancel (from the batch controls); resume sends what is left."""
        runner = self.runner
        if runner is None or choice is None:
            return
        {"pause": runner.pause, "resume": runner.resume, "cancel": runner.cancel}[choice]()
        if choice == "resume":
            self._run(runner)

    def _run(self, runner: BatchRunner) -> None:
        """Run (or, after a resume, go on with) the batch in a worker; a pause ends the worker."""

        async def run() -> None:
            try:
                await runner.run()
            except GenApiError as exc:
                self.notify(f"batch: {describe_error(exc)}", severity="error", markup=False)
            finally:
                self._after()

        self.run_worker(run(), group="batch", exit_on_error=False)

    def generation_ids(self) -> set[str]:
        runner = self.runner
        return {i.generation_id for i in runner.plan.items if i.generation_id} if runner is not None else set()

    # --- the bar --------------------------------------------------------------------------------
    def show(self, p: BatchProgress) -> None:
        self.add_class("active")
        bar = self.query_one(ProgressBar)
        bar.update(total=max(1, p.total), progress=p.sent + p.failed)
        text = progress_text(p)
        if p.state in ("running", "paused"):
            text.append(f"  ({display_key(self.key)}: {'resume' if p.state == 'paused' else 'pause'} or cancel)",
                        style="dim")
        self.query_one("#batch-text", Static).update(text)
        if p.state in ("done", "cancelled"):
            self.set_timer(HIDE_AFTER, lambda: self.remove_class("active"))

