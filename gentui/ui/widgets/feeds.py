"""The activity feed and the API call log: two panels under the grid, each toggled by its key.

`Feeds` owns both models (bounded, newest first) and redraws a panel at most a few times a second,
only while it is shown. Every string in them passes through `gentui.core.text` and enters a `Text`
as plain text.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass
from decimal import Decimal

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.message import Message
from textual.widgets import Static

from gentui.core.apilog import ApiCall, ApiLog
from gentui.core.formatting import fmt_credits
from gentui.core.text import one_line

FEED_REFRESH = 0.3  # seconds between redraws of a shown feed
SHOWN = 200  # lines drawn per panel (the models keep more)
CREDITS_WIDTH = 14  # "+1,234.5 cr est."-ish, so the paths line up
SEVERITY_STYLES = {"error": "bold red", "warning": "yellow", "information": ""}


@dataclass(frozen=True)
class ActivityEntry:
    at: float
    text: str
    severity: str = "information"


class ActivityLog:
    """Every event in words, newest first, bounded."""

    def __init__(self, cap: int = 500) -> None:
        self.entries: deque[ActivityEntry] = deque(maxlen=cap)
        self.version = 0

    def add(self, at: float, text: str, severity: str = "information") -> None:
        self.entries.appendleft(ActivityEntry(at, one_line(text, 400), severity))
        self.version += 1

    def texts(self) -> list[str]:
        return [e.text for e in self.entries]


def clock(at: float) -> str:
    return time.strftime("%H:%M:%S", time.localtime(at))


def activity_text(log: ActivityLog, limit: int = SHOWN) -> Text:
    out = Text(no_wrap=True, overflow="ellipsis")
    for index, entry in enumerate(list(log.entries)[:limit]):
        if index:
            out.append("\n")
        out.append(clock(entry.at) + "  ", style="dim")
        out.append(entry.text, style=SEVERITY_STYLES.get(entry.severity, ""))
    if not log.entries:
        out.append("Nothing yet: every generation that ends, every action and every connection change "
                   "shows up here, newest first.", style="dim")
    return out


def short_path(path: str, width: int = 64) -> str:
    path = one_line(path, 300)
    return path if len(path) <= width else "…" + path[-(width - 1):]


def credits_text(call: ApiCall) -> Text:
    if call.credits is None:
        return Text("")
    if call.credits == 0:
        return Text("±0 cr", style="dim")
    sign = "+" if call.credits > 0 else "−"
    text = f"{sign}{fmt_credits(abs(call.credits))} cr" + (" est." if call.estimated else "")
    return Text(text, style="bold yellow" if call.credits > 0 else "bold green")


def call_line(call: ApiCall) -> Text:
    rec = call.record
    line = Text(no_wrap=True, overflow="ellipsis")
    line.append(clock(rec.started_at) + "  ", style="dim")
    line.append(f"{rec.method:<6}", style="bold")
    status = str(rec.status) if rec.status is not None else "---"
    line.append(f"{status:>4} ", style="green" if call.ok else "bold red")
    line.append(f"{rec.elapsed_ms:>6.0f}ms ", style="dim")
    money = credits_text(call)
    money.pad_right(CREDITS_WIDTH - len(money.plain))
    line.append_text(money)
    line.append(" ")
    line.append(short_path(rec.path))
    if rec.error_code:
        line.append(f"  {one_line(rec.error_code, 60)}", style="red")
    if rec.attempt > 1:
        line.append(f"  (attempt {rec.attempt})", style="dim")
    return line


def api_log_text(log: ApiLog, limit: int = SHOWN) -> Text:
    calls = log.newest(limit)
    out = Text(no_wrap=True, overflow="ellipsis")
    for index, call in enumerate(calls):
        if index:
            out.append("\n")
        out.append_text(call_line(call))
    if not calls:
        out.append("No API call yet.", style="dim")
    return out


def api_log_title(log: ApiLog) -> str:
    calls = log.newest()
    errors = sum(1 for c in calls if not c.ok)
    moved = log.spent()
    title = f"API log · {len(calls)} calls · {errors} errors"
    if moved != Decimal(0):
        title += f" · credits moved {fmt_credits(moved, signed=True)}"
    return title


class FeedPanel(VerticalScroll):
    """A scrollable panel redrawn from a model when its version changes."""

    can_focus = True

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # the container's own keyword arguments
        self._drawn = -1

    def compose(self) -> ComposeResult:
        yield Static("", classes="feed-body")

    def draw(self, text: Text, version: int, title: str) -> None:
        if version == self._drawn:
            return
        self._drawn = version
        self.border_title = title
        self.query_one(".feed-body", Static).update(text)

    def invalidate(self) -> None:
        self._drawn = -1


class ActivityPanel(FeedPanel):
    HELP = """\
## Activity feed
Every event in words, newest first: generations that end (with their time and what they cost or
refunded), your actions, batches, connection changes. `a` hides it.
"""

    def show(self, log: ActivityLog) -> None:
        self.draw(activity_text(log), log.version, f"Activity · {len(log.entries)}")


class ApiLogPanel(FeedPanel):
    HELP = """\
## API call log
Every HTTP call, newest first: time, method, status (red when it failed), latency, the credits the
call moved for this session (pre-charge, refund, re-charge, reconciliation; `est.` while it is an
estimate), the path (the API key is never in it) and the error code. `L` hides it.
"""

    def show(self, log: ApiLog) -> None:
        log.settle()
        self.draw(api_log_text(log), log.version, api_log_title(log))


class Feeds(Horizontal):
    """The two panels side by side, and their models; hidden when both are off."""

    class LayoutChanged(Message):
        """The person toggled a panel: remember it for the next start."""

        def __init__(self, layout: dict[str, bool]) -> None:
            super().__init__()
            self.layout = layout

    def __init__(self, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]  # the container's own keyword arguments
        self.activity = ActivityLog()
        self.api_calls = ApiLog()

    def compose(self) -> ComposeResult:
        yield ActivityPanel(id="activity-panel")
        yield ApiLogPanel(id="api-log-panel")

    def on_mount(self) -> None:
        self.set_interval(FEED_REFRESH, self.redraw, name="feeds")

    def add(self, at: float, text: str, severity: str = "information") -> None:
        self.activity.add(at, text, severity)

    def set_shown(self, activity: bool, api_log: bool, *, remember: bool = True) -> None:
        self.query_one(ActivityPanel).display = activity
        self.query_one(ApiLogPanel).display = api_log
        self.set_class(activity and api_log, "both")
        self.display = activity or api_log
        for panel in (self.query_one(ActivityPanel), self.query_one(ApiLogPanel)):
            panel.invalidate()
        self.redraw()
        if remember:
            self.post_message(self.LayoutChanged({"activity": activity, "api_log": api_log}))

    def toggle(self, *, activity: bool = False, api_log: bool = False) -> None:
        shown_activity, shown_api = bool(self.query_one(ActivityPanel).display), bool(self.query_one(ApiLogPanel).display)
        self.set_shown(shown_activity ^ activity, shown_api ^ api_log)

    def redraw(self) -> None:
        activity, api_log = self.query_one(ActivityPanel), self.query_one(ApiLogPanel)
        if activity.display:
            activity.show(self.activity)
        if api_log.display:
            api_log.show(self.api_calls)
