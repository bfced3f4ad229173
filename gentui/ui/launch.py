"""What the app is started with: the command line and the settings, as one `Launch`."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from gentui.core.actions import Guards
from gentui.core.poller import PollPolicy

if TYPE_CHECKING:
    from gentui.api.client import GenClient


@dataclass
class Launch:
    """Everything the app needs from the command line and the settings."""

    client: GenClient | None = None  # or, so that the first frame does not wait for the HTTP stack:
    client_factory: Callable[[], GenClient] | None = None  # called once, by the start worker
    agent_id: str | None = None
    engine_id: str | None = None
    guards: Guards = field(default_factory=Guards)
    policy: PollPolicy = field(default_factory=PollPolicy)
    keymap: dict[str, str] = field(default_factory=dict)
    theme: str | None = None
    demo: bool = False
    no_key: bool = False  # no API key anywhere: the app says how to get one instead of calling the server
    mouse: bool = True
    recent_engines: list[dict[str, Any]] = field(default_factory=list)
    engine_names: dict[str, str] = field(default_factory=dict)
    on_engine: Callable[[str, str, str], None] | None = None  # (agent id, engine id, title): remember it
    on_theme: Callable[[str], None] | None = None
    clock: Callable[[], float] = time.time
    monotonic: Callable[[], float] = time.monotonic
    start_poller: bool = True
    tick_interval: float | None = 1.0  # the elapsed-time ticker; None freezes it (snapshot tests)
    batch_concurrency: int = 4
    journal: Any = None  # gentui.core.journal.Journal, or None (memory only)
    base_url: str = ""
    themes: list[Any] = field(default_factory=list)
    notify: str = "toast"  # toast | bell | both | off (gentui.ui.notify)
    layout: dict[str, Any] = field(default_factory=dict)  # remembered panel toggles (state.toml)
    on_layout: Callable[[dict[str, Any]], None] | None = None
    export_dir: str | None = None  # where `x` writes (default: gentui.core.export.output_dir)
    state_dir: Path | None = None  # the last resort for screenshots and exports (no downloads, cwd read-only)
    engine_cache: Any = None  # gentui.core.engine_cache.EngineCache: the last engine seen, for offline starts
    #: previews of outputs (gentui.ui.widgets.preview): `off` unless the settings say (tests fetch nothing)
    previews: str = "off"  # auto | kitty | sixel | blocks | off
    graphics: str = "blocks"  # what `auto` found the terminal answers for, asked before the app starts
    media_cache_mb: int = 0
    media_cache_dir: Any = None  # a Path: $XDG_CACHE_HOME/gentui/media
    media_transport: Callable[[], Any] | None = None  # the media client's httpx transport (demo: the simulator)
    open_command: str | None = None
    warnings: list[str] = field(default_factory=list)  # from start-up (a skipped theme file...): shown as toasts
