"""Quitting the cockpit (`q`, ctrl+q, ctrl+c): at once, or after asking while a batch runs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from gentui.core.actions import Plan
from gentui.core.formatting import plural

if TYPE_CHECKING:
    from gentui.ui.app import GentuiApp


def quit_asking(app: GentuiApp) -> None:
    """Quit now; while a batch runs, first ask (saying what happens to its unsent cells)."""
    main = app.main
    runner = main.batch_bar.runner if main is not None else None
    if runner is not None and main is not None and main.batch_bar.running:
        from gentui.ui.screens.plan_dialogs import ConfirmScreen

        if isinstance(app.screen, ConfirmScreen) and app.screen.plan.action == "quit":
            return  # already asking
        p, kept = runner.progress(), runner.journalled_unsent()
        stays = f"{plural(kept, 'unsent cell')} {'stays' if kept == 1 else 'stay'} in the journal"
        plan = Plan("quit", "Quit while a batch runs?", lines=[
            f"{p.sent} of {p.total} sent, {p.queued} not yet sent.",
            f"{stays}: the next start offers to resume them." if kept else
            "Nothing unsent is in a journal: quitting drops the unsent cells."])
        app.push_screen(ConfirmScreen(plan), lambda ok: app._quit() if ok else None)
        return
    app._quit()
