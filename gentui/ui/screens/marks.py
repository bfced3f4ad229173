"""The main screen's marks, mass regenerate and bulk stop (a mixin, to keep main.py small)."""

from __future__ import annotations

import contextlib
from decimal import Decimal

from gentui.api.errors import GenApiError
from gentui.core.actions import READONLY_REASON, Plan, Refusal
from gentui.core.batch import BatchRunner, CostBook, Progress, plan_batch
from gentui.core.formatting import describe_error, fmt_credits
from gentui.core.views import CellKey
from gentui.ui.screens.batch import BatchBar, BatchControl, BatchDialog
from gentui.ui.screens.modals import ConfirmScreen
from gentui.ui.widgets.grid import EngineGrid


class MarksMixin:
    """Needs: self.app, self.session, self.query_one, self.notify, self.run_worker, self.update_header."""

    batch: BatchRunner | None = None

    # --- marks ---------------------------------------------------------------------------------------
    def _set_marks(self, keys: set[CellKey]) -> None:
        grid = self.query_one(EngineGrid)
        changed = grid.marks ^ keys
        grid.marks = set(keys)
        for key in changed:
            grid.patch_cell(self.session.state, key, self.app.now())
        self.update_header()

    async def _do_mark(self, key: CellKey | None) -> None:
        if key is None:
            raise Refusal("mark: no cell selected")
        marks = set(self.query_one(EngineGrid).marks)
        marks ^= {key}
        self._set_marks(marks)

    async def _do_mark_column(self, key: CellKey | None) -> None:
        if key is None:
            raise Refusal("mark_column: no cell selected")
        column = self.column_cells(key)
        if not column:
            raise Refusal("mark_column: no cell of this column matches the filter")
        marks = set(self.query_one(EngineGrid).marks)
        self._set_marks(marks - set(column) if set(column) <= marks else marks | set(column))

    async def _do_mark_failed(self, key: CellKey | None) -> None:
        failed = {k for k, c in self.session.state.cells.items() if c.status == "failed"}
        visible = self.visible_cells()
        if visible is not None:  # "in view": a filter narrows it
            failed &= visible
        if not failed:
            raise Refusal("mark_failed: no failed cell in view")
        self._set_marks(set(self.query_one(EngineGrid).marks) | failed)
        self.notify(f"{len(failed)} failed cells marked", timeout=3)

    async def _do_clear_marks(self, key: CellKey | None) -> None:
        self._set_marks(set())

    def column_cells(self, key: CellKey) -> list[CellKey]:
        """The cells of the cursor's column in sheet order; with a filter, only those it selects."""
        cells = self.session.state.cells
        column = [k for k in ((r, key[1]) for r in self.session.state.rows) if k in cells]
        visible = self.visible_cells()
        return column if visible is None else [k for k in column if k in visible]

    def targets(self, key: CellKey | None) -> list[CellKey]:
        """What `m` and `S` act on: the marked cells, else the cursor's column (as far as the filter shows it)."""
        marks = self.query_one(EngineGrid).marks
        if marks:
            order = {row: i for i, row in enumerate(self.session.state.rows)}
            return sorted(marks, key=lambda k: (order.get(k[0], 0), k[1]))
        if key is None:
            return []
        return self.column_cells(key)

    # --- mass regenerate -------------------------------------------------------------------------------
    async def _do_mass_regenerate(self, key: CellKey | None) -> None:
        if self.batch is not None and self.batch.state in ("running", "paused"):
            self.app.push_screen(BatchControl(self.batch.progress()), self._batch_control)
            return
        actions = self.app.actions
        actions._writable("mass_regenerate")
        keys = self.targets(key)
        if not keys:
            raise Refusal("mass_regenerate: no cells (mark some, or put the cursor in a column"
                          f"{' with cells the filter shows' if self.visible_cells() is not None else ''})")
        state = self.session.state
        types = {state.card(k).generation_type for k in keys}
        costs = CostBook()
        costs.learn(state, self.session.generation_models)
        marks = bool(self.query_one(EngineGrid).marks)
        what = "marked cells" if marks else "cells of " + self.session.where(keys[0]).split(" ", 2)[-1]
        shown = "" if marks or self.visible_cells() is None else " (those the filter shows)"
        title = f"Mass regenerate {len(keys)} {what}{shown}"

        def make_plan(overrides: dict):
            return plan_batch(self.session, actions, keys, overrides=overrides, costs=costs)

        make_plan({})  # refuses at once when nothing can run

        def decided(result) -> None:
            if result is None:
                self.notify("mass regenerate: cancelled, nothing spent", timeout=3)
                return
            overrides, choice = result
            plan = make_plan(overrides)
            if choice == "fit":
                plan.truncate(plan.fitting())
            self.start_batch(plan)

        self.app.push_screen(BatchDialog(title, types.pop() if len(types) == 1 else None, make_plan,
                                         dict(state.global_variables)), decided)

    def start_batch(self, plan) -> None:
        bar = self.query_one(BatchBar)
        self.batch = BatchRunner(self.session, self.app.actions, plan, concurrency=self.app.launch.batch_concurrency,
                                 on_progress=bar.show)
        bar.show(self.batch.progress())
        self.run_batch(self.batch)

    def run_batch(self, runner: BatchRunner) -> None:
        """Run (or, after a resume, go on with) a batch in a worker; a pause ends the worker."""

        async def run() -> None:
            try:
                await runner.run()
            except GenApiError as exc:
                self.notify(f"batch: {describe_error(exc)}", severity="error", markup=False)
            finally:
                self.app.wake_poller(credits=True)

        self.run_worker(run(), group="batch", exit_on_error=False)

    def _batch_control(self, choice: str | None) -> None:
        if self.batch is None or choice is None:
            return
        {"pause": self.batch.pause, "resume": self.batch.resume, "cancel": self.batch.cancel}[choice]()
        if choice == "resume":
            self.run_batch(self.batch)

    def batch_running(self) -> bool:
        return self.batch is not None and self.batch.state in ("running", "paused")

    def on_batch_progress(self, p: Progress) -> None:
        self.query_one(BatchBar).show(p)

    # --- resume after a crash ------------------------------------------------------------------------------
    def offer_resume(self, orphans: list) -> None:
        """Intents left by a process that is gone: watch the sent ones, offer to resend the others."""
        session, journal = self.session, self.app.launch.journal
        sent = [i for i in orphans if i.generation_id]
        unsent = [i for i in orphans if not i.generation_id and i.key in session.state.cells and i.card]
        for intent in sent:
            journal.claim(intent.idempotency_key)
            self.app.poller.watch(intent.generation_id)
        if sent:
            self.notify(f"re-attached {len(sent)} generations started by an earlier gentui", timeout=5)
        if not unsent:
            return
        if self.app.guards.readonly:  # resending spends: not in monitor mode; they stay in the journal
            self.notify(f"{len(unsent)} unsent generations from an earlier gentui were not resent: {READONLY_REASON}",
                        severity="warning", timeout=8, markup=False)
            return
        from gentui.core.batch import BatchItem, BatchPlan

        items = [BatchItem(i.key, i.cell_id, i.card, i.estimate or i.card.estimate(), idempotency_key=i.idempotency_key)
                 for i in unsent]
        plan = BatchPlan(items, session.ledger.generic)
        confirm = Plan("resume", f"Resume {len(items)} unsent generations?", amount=plan.total, lines=[
            "An earlier gentui stopped before the server confirmed these.",
            ("They are sent again with their original Idempotency-Keys: any the server already took is "
             "answered from its memory, not charged twice.")])
        confirm.needs_confirm = True

        def decided(ok: bool | None) -> None:
            if ok:
                for i in unsent:
                    journal.claim(i.idempotency_key)
                self.start_batch(plan)
            else:
                self.notify("not resumed: they stay in the journal for next time", timeout=5)

        async def ask() -> None:
            if session.ledger.generic is None:  # the engine came first: read the balance for the prompt
                with contextlib.suppress(GenApiError):  # asked without the balance line
                    await session.load_credits()
            confirm.balance = plan.balance = session.ledger.generic
            self.app.push_screen(ConfirmScreen(confirm), decided)

        self.run_worker(ask(), group="resume", exit_on_error=False)

    # --- bulk stop ---------------------------------------------------------------------------------------
    async def _do_bulk_stop(self, key: CellKey | None) -> None:
        actions = self.app.actions
        actions._writable("bulk_stop")
        session = self.session
        jobs = [(k, j) for k in self.targets(key) for j in session.state.cells[k].in_flight]
        if not jobs:
            raise Refusal("bulk_stop: nothing in flight in the column or the marked cells")
        refund = sum((session.estimate_for(k, j) for k, j in jobs), Decimal(0))
        plan = Plan("bulk_stop", f"Stop {len(jobs)} generations", amount=-refund,
                    lines=[f"{len(jobs)} in-flight generations will be stopped and refunded in full."])
        plan = actions._finish(plan)
        plan.needs_confirm = True

        async def stop_all() -> None:
            done = 0
            for k, job in jobs:
                single = Plan("stop", "", key=k, amount=-session.estimate_for(k, job), generation_id=job.id)
                try:
                    await actions.stop(single, toast=False)  # one summary toast below
                    done += 1
                except GenApiError as exc:
                    self.notify(f"stop {job.id}: {describe_error(exc)}", severity="error", markup=False)
            self.notify(f"bulk stop: {done} of {len(jobs)} stopped, ~{fmt_credits(refund)} refunded")

        def decided(ok: bool | None) -> None:
            if ok:
                self.run_action_worker(stop_all(), "bulk_stop")

        self.app.push_screen(ConfirmScreen(plan), decided)
