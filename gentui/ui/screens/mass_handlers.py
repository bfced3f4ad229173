"""What the main screen's keys for many cells do: marks, mass regenerate, bulk stop; and the resume offer."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

from gentui.action_table import ActionId
from gentui.api import vocab
from gentui.api.errors import GenApiError
from gentui.core.actions import Plan, Refusal
from gentui.core.batch import BatchPlan, CostBook, plan_batch
from gentui.core.events import Notice
from gentui.core.formatting import describe_error, fmt_credits, plural
from gentui.core.recovery import ResumeOffer
from gentui.core.views import CellKey
from gentui.ui.screens.batch import BatchControl, BatchDialog
from gentui.ui.screens.cell_handlers import CellHandlers, Handler
from gentui.ui.screens.plan_dialogs import Choice, ConfirmScreen, ResumeDialog

if TYPE_CHECKING:
    pass


class MassHandlers(CellHandlers):
    """The mass actions of the action table, for one main screen (the grid holds the marks, the bar the batch)."""

    def handlers(self) -> dict[ActionId, Handler]:
        A = ActionId
        return {A.MARK: self.mark, A.MARK_COLUMN: self.mark_column, A.MARK_FAILED: self.mark_failed,
                A.CLEAR_MARKS: self.clear_marks, A.MASS_REGENERATE: self.mass_regenerate, A.BULK_STOP: self.bulk_stop}

    # --- marks ---------------------------------------------------------------------------------------
    async def mark(self, key: CellKey | None) -> None:
        if key is None:
            raise Refusal("mark: no cell selected")
        grid = self.screen.grid
        grid.set_marks(grid.marks ^ {key})

    async def mark_column(self, key: CellKey | None) -> None:
        if key is None:
            raise Refusal("mark_column: no cell selected")
        grid = self.screen.grid
        column = set(grid.column_cells(key))
        if not column:
            raise Refusal("mark_column: no cell of this column matches the filter")
        grid.set_marks(grid.marks - column if column <= grid.marks else grid.marks | column)

    async def mark_failed(self, key: CellKey | None) -> None:
        grid = self.screen.grid
        failed = {k for k, c in self.session.state.cells.items() if c.status == vocab.FAILED}
        visible = grid.visible_cells()
        if visible is not None:  # "in view": a filter narrows it
            failed &= visible
        if not failed:
            raise Refusal("mark_failed: no failed cell in view")
        grid.set_marks(grid.marks | failed)
        self.screen.notify(f"{plural(len(failed), 'failed cell')} marked", timeout=3)

    async def clear_marks(self, key: CellKey | None) -> None:
        self.screen.grid.set_marks(set())

    # --- mass regenerate -------------------------------------------------------------------------------
    async def mass_regenerate(self, key: CellKey | None) -> None:
        bar, grid, screen = self.screen.batch_bar, self.screen.grid, self.screen
        if bar.running and bar.runner is not None:
            screen.app.push_screen(BatchControl(bar.runner.progress()), bar.control)
            return
        actions, session = self.actions, self.session
        actions.check_writable("mass_regenerate")
        keys = grid.targets()
        filtered = grid.visible_cells() is not None
        if not keys:
            raise Refusal("mass_regenerate: no cells (mark some, or put the cursor in a column"
                          f"{' with cells the filter shows' if filtered else ''})")
        state = session.state
        types = {state.card(k).generation_type for k in keys}
        costs = CostBook()
        costs.learn(state, session.generation_models)
        marks = bool(grid.marks)
        what = "marked cells" if marks else "cells of " + session.where(keys[0]).split(" ", 2)[-1]
        shown = "" if marks or not filtered else " (those the filter shows)"
        title = f"Mass regenerate {len(keys)} {what if len(keys) != 1 else what.replace('cells', 'cell')}{shown}"

        def make_plan(overrides: dict[str, Any]) -> BatchPlan:
            return plan_batch(session, actions, keys, overrides=overrides, costs=costs)

        make_plan({})  # refuses at once when nothing can run

        def decided(result: tuple[dict[str, Any], str] | None) -> None:
            if result is None:
                screen.notify("mass regenerate: cancelled, nothing spent", timeout=3)
                return
            overrides, choice = result
            plan = make_plan(overrides)
            if choice == "fit":
                plan.truncate(plan.fitting())
            self.start_batch(plan)
            if marks:
                self.release_marks(plan)

        screen.app.push_screen(BatchDialog(title, types.pop() if len(types) == 1 else None, make_plan,
                                           dict(state.global_variables), session.where), decided)

    def start_batch(self, plan: BatchPlan) -> None:
        app = self.screen.app
        self.screen.batch_bar.start(self.session, self.actions, plan, concurrency=app.launch.batch_concurrency,
                                    after=lambda: app.wake_poller(credits=True))

    def release_marks(self, plan: BatchPlan) -> None:
        """A batch took the marked cells: unmark them, so the next `m` does not plan them again unawares."""
        grid = self.screen.grid
        taken = grid.marks & {i.key for i in plan.items}
        if not taken:
            return
        left = grid.marks - taken
        grid.set_marks(left)
        rest = f"; {len(left)} still marked (not in the batch)" if left else ""
        self.session.emit(Notice(f"marks cleared: the batch took them ({plural(len(taken), 'cell')}){rest}", toast=False))

    # --- resume after a crash ------------------------------------------------------------------------------
    def offer_resume(self, offer: ResumeOffer) -> None:
        """Unsent generations of an earlier gentui (the core's `Recovery` found them): ask, then resend or keep."""
        screen = self.screen

        def decided(choice: Choice | None) -> None:
            if choice == "resume":
                self.start_batch(offer.accept())
            elif choice == "discard":
                offer.discard()
            else:
                offer.decline()

        async def ask() -> None:
            await offer.prepare()
            screen.app.push_screen(ResumeDialog(offer.confirm), decided)

        screen.run_worker(ask(), group="resume", exit_on_error=False)

    # --- bulk stop ---------------------------------------------------------------------------------------
    async def bulk_stop(self, key: CellKey | None) -> None:
        actions, session, screen = self.actions, self.session, self.screen
        actions.check_writable("bulk_stop")
        jobs = [(k, j) for k in screen.grid.targets() for j in session.state.cells[k].in_flight]
        if not jobs:
            raise Refusal("bulk_stop: nothing in flight in the column or the marked cells")
        refund = sum((session.estimate_for(k, j) for k, j in jobs), Decimal(0))
        plan = actions.finish(Plan("bulk_stop", f"Stop {plural(len(jobs), 'generation')}", amount=-refund,
                                    lines=[f"{plural(len(jobs), 'in-flight generation')} will be stopped "
                                           "and refunded in full."]))
        plan.needs_confirm = True

        async def stop_all() -> None:
            done = finished = 0
            refunded = Decimal(0)
            for k, job in jobs:
                single = Plan("stop", "", key=k, amount=-session.estimate_for(k, job), generation_id=job.id)
                try:
                    await actions.stop(single, toast=False)  # one summary toast below
                    done, refunded = done + 1, refunded - single.amount
                except GenApiError as exc:
                    if exc.refused:  # it ended meanwhile (the server will not stop a finished one): not an error
                        finished += 1
                        screen.feeds.add(screen.app.now(), f"stop {job.id}: already finished ({exc.message})")
                        continue
                    screen.notify(f"stop {job.id}: {describe_error(exc)}", severity="error", markup=False)
            ended = f", {finished} had already finished" if finished else ""
            screen.notify(f"bulk stop: {done} of {len(jobs)} stopped{ended}, ~{fmt_credits(refunded)} refunded")

        def decided(ok: bool | None) -> None:
            if ok:
                self.run(stop_all(), "bulk_stop")

        screen.app.push_screen(ConfirmScreen(plan), decided)
