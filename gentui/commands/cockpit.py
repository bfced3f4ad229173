"""`gentui` itself: settle the settings, build the client (or the embedded simulator), run the app."""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import os
import sys
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from gentui.commands.exit_codes import EXIT_USAGE
from gentui.logs import start_from_settings
from gentui.settings import (
    ConfigError,
    Paths,
    check_base_url,
    default_paths,
    display_path,
    load_settings,
    load_state,
    remember_engine,
    save_state,
)

DEMO_BASE_URL = "http://demo.sim/v1"


def cli_overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("base_url", "agent_id", "engine_id", "readonly", "theme", "allow_insecure_http")
    return {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}


#: settings `--demo` never takes from config.toml or the environment: the simulator is the server
DEMO_IGNORES = ("api_key", "base_url", "agent_id", "engine_id", "allow_insecure_http")


def demo_paths() -> Paths:
    """The user's config.toml and themes (read, never written) with a throwaway state, journal and log."""
    user = default_paths()
    return dataclasses.replace(Paths.temporary(), config=user.config, themes=user.themes)


def demo_env() -> dict[str, str]:
    """The environment without the connection variables (`GEN_API_KEY`, `GENTUI_BASE_URL`, ...)."""
    skip = {"GEN_API_KEY", "GEN_API_BASE_URL", *(f"GENTUI_{key.upper()}" for key in DEMO_IGNORES)}
    return {var: value for var, value in os.environ.items() if var not in skip}


def open_journal(paths: Paths, *, readonly: bool) -> tuple[Any, str | None]:
    """The journal and no warning; in `--readonly`, when it cannot be used, None and a one-line warning
    (nothing spends, so nothing needs it). Otherwise such a journal is a ConfigError: one line naming the
    file and what to do."""
    from gentui.core.journal import Journal, JournalError

    try:
        return Journal(paths.journal), None
    except JournalError as exc:
        where = f"journal {display_path(exc.path)}: {exc.problem}"
        if readonly:
            return None, f"{where}; running read-only without it (nothing is recorded)"
        raise ConfigError(f"{where}; {exc.advice}") from None


def build_launch(args: argparse.Namespace, *, demo_options: Any = None):
    """The app's Launch from the command line and the settings (raises ConfigError)."""
    from gentui.core.actions import Guards
    from gentui.core.poller import PollPolicy
    from gentui.ui.launch import Launch
    from gentui.ui.themes import load_themes

    demo = bool(getattr(args, "demo", False))
    paths = demo_paths() if demo else None
    loaded = load_settings(cli_overrides(args), paths=paths, env=demo_env() if demo else None)
    settings, paths = loaded.settings, loaded.paths
    start_from_settings(settings, paths.log, debug=bool(getattr(args, "debug", False)), demo=demo)
    for warning in loaded.warnings:
        print(f"gentui: warning: {warning}", file=sys.stderr)
    state = load_state(paths)
    themes, theme_errors = load_themes(paths.themes)
    for error in theme_errors:
        print(f"gentui: theme skipped: {error}", file=sys.stderr)

    agent_id, engine_id = settings.agent_id, settings.engine_id
    made: list[Any] = []  # the client, once the app has made it (after its first frame)
    media_transport: Callable[[], Any] | None = None  # real runs: a plain transport of the media client's own
    if demo:
        from gentui.sim.options import SimOptions
        from gentui.sim.seed import demo_ids

        options = demo_options or SimOptions()
        demo_agent, demo_engine = demo_ids(options)  # the simulator itself is built on the first request
        agent_id = getattr(args, "agent_id", None) or demo_agent  # the simulator's, not config's
        engine_id = getattr(args, "engine_id", None) or demo_engine

        sim: list[Any] = []

        def demo_transport() -> Any:  # one simulator in-process: the API and its media (`/_sim/media/`)
            if not sim:
                from gentui.sim.lazy import LazySimTransport

                sim.append(LazySimTransport(options))
            return sim[0]

        media_transport = demo_transport

        def make_client():
            from gentui.api.client import GenClient

            return GenClient(DEMO_BASE_URL, options.api_key, transport=demo_transport(),
                             engine_prefix=settings.engine_prefix, generation_types=settings.generation_types)
    else:
        from gentui.api.answers import check_key

        base_url = check_base_url(settings.base_url, settings.allow_insecure_http)
        try:
            check_key(settings.api_key_value())
        except ValueError as exc:
            raise ConfigError(f"api_key: {exc}") from None

        def make_client():
            from gentui.api.client import GenClient

            client = GenClient(base_url, settings.api_key_value(), engine_prefix=settings.engine_prefix,
                               generation_types=settings.generation_types,
                               allow_insecure_http=settings.allow_insecure_http)
            if state.engine_prefix and settings.engine_prefix == "auto" and state.last_base_url == base_url:
                client.prefix = state.engine_prefix
            return client

    def client_factory():
        made.append(make_client())
        return made[-1]

    def on_engine(agent: str, engine: str, title: str) -> None:
        remember_engine(state, engine, title, agent, settings.base_url)
        state.last_agent_id, state.last_engine_id, state.last_base_url = agent, engine, settings.base_url
        state.engine_prefix = made[-1].prefix if made else state.engine_prefix
        with contextlib.suppress(OSError):
            save_state(state, paths)

    def on_theme(name: str) -> None:
        from gentui.settings import set_theme

        if demo:  # the demo reads the user's config.toml but never writes it
            return
        with contextlib.suppress(OSError, ConfigError):
            set_theme(name, paths)

    guards = Guards(
        readonly=settings.readonly,
        confirm=settings.confirm,
        confirm_above=Decimal(str(settings.confirm_above)),
        spend_cap=Decimal(str(settings.spend_cap)) if settings.spend_cap is not None else None,
        low_balance_warning=Decimal(str(settings.low_balance_warning)),
    )

    def on_layout(layout: dict[str, Any]) -> None:
        state.layout = {**state.layout, **layout}
        with contextlib.suppress(OSError):
            save_state(state, paths)

    from gentui.core.engine_cache import EngineCache

    journal, journal_warning = open_journal(paths, readonly=settings.readonly)
    if journal_warning:
        print(f"gentui: warning: {journal_warning}", file=sys.stderr)
    return Launch(
        client_factory=client_factory,
        journal=journal,
        base_url=DEMO_BASE_URL if demo else settings.base_url,
        agent_id=agent_id,
        engine_id=engine_id,
        guards=guards,
        policy=PollPolicy(interval=settings.poll_interval),
        batch_concurrency=settings.batch_concurrency,
        keymap=dict(settings.keymap),
        theme=settings.theme,
        demo=demo,
        state_dir=paths.state.parent,
        no_key=not demo and not (settings.api_key_value() or "").strip(),
        mouse=settings.mouse,
        recent_engines=list(state.recent_engines),
        engine_names=dict(settings.engines),
        on_engine=on_engine,
        on_theme=on_theme,
        themes=themes,
        notify=settings.notify,
        layout=dict(state.layout),
        on_layout=on_layout,
        engine_cache=None if demo else EngineCache(paths.cache_dir),
        previews=settings.previews,
        media_cache_mb=settings.media_cache_mb,
        media_cache_dir=paths.cache_dir / "media",
        media_transport=media_transport,
        open_command=settings.open_command,
        warnings=[*loaded.warnings, *(f"theme skipped: {error}" for error in theme_errors),
                  *([journal_warning] if journal_warning else [])],
    )


def stdin_closed() -> bool:
    """True when standard input is closed (`gentui <&-`): the cockpit cannot read a key."""
    if sys.__stdin__ is None:
        return True
    try:
        os.fstat(sys.__stdin__.fileno())
    except (OSError, ValueError):
        return True
    return False


def no_terminal() -> bool:
    """True when the cockpit has no terminal to draw on and read keys from (`gentui < /dev/null`,
    `gentui | less`, `gentui 2> log`): Textual would spin on the closed input forever, or draw into a file.
    A browser session of `gentui serve` (Textual's web driver) talks through pipes on purpose and is not refused."""
    if os.environ.get("TEXTUAL_DRIVER", "").endswith(":WebDriver"):
        return False
    # keys come from stdin; Textual draws on stderr (stdout on Windows); stdout is where a pipe would take it
    streams = (sys.__stdin__, sys.__stdout__, sys.__stderr__)
    try:
        return not all(stream is not None and stream.isatty() for stream in streams)
    except (OSError, ValueError):
        return True


def run(args: argparse.Namespace) -> int:
    if stdin_closed():
        print("gentui: standard input is closed: the cockpit needs a terminal to read keys "
              "(scripts: gentui status --json, gentui export)", file=sys.stderr)
        return EXIT_USAGE
    try:
        launch = build_launch(args)
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if no_terminal():  # after the settings: a broken config.toml or journal is the first thing to fix
        if launch.journal is not None:
            launch.journal.close()
        print("gentui: gentui needs a terminal (standard input, output and error must be one; "
              "scripts: gentui status --json, gentui export)", file=sys.stderr)
        return EXIT_USAGE
    probe = None
    if launch.previews != "off":  # the terminal answers only before Textual reads it: asked while the app loads
        from gentui.ui.graphics_probe import GraphicsProbe

        probe = GraphicsProbe(launch.previews).start()
    from gentui.ui.app import GentuiApp
    from gentui.ui.lifetime import ExitGuard

    if probe is not None:
        launch.graphics = probe.result()

    app = GentuiApp(launch)
    journal = launch.journal
    tty = sys.__stdin__.fileno() if sys.__stdin__ is not None and sys.__stdin__.isatty() else None
    with ExitGuard(app, close=journal.close if journal is not None else None, terminal_fd=tty) as guard:
        app.run(mouse=launch.mouse)  # SIGTERM, SIGHUP, a lost terminal: a clean exit within 5 s
    return guard.return_code or app.return_code or 0
