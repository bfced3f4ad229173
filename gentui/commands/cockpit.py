"""`gentui` itself: settle the settings, build the client (or the embedded simulator), run the app."""

from __future__ import annotations

import argparse
import sys
from decimal import Decimal
from typing import Any

from gentui.config import ConfigError, Paths, check_base_url, load_settings, load_state, remember_engine, save_state

DEMO_BASE_URL = "http://demo.sim/v1"


def cli_overrides(args: argparse.Namespace) -> dict[str, Any]:
    keys = ("base_url", "agent_id", "engine_id", "readonly", "theme", "allow_insecure_http")
    return {k: getattr(args, k, None) for k in keys if getattr(args, k, None) is not None}


def build_launch(args: argparse.Namespace, *, demo_options: Any = None):
    """The app's Launch from the command line and the settings (raises ConfigError)."""
    from gentui.api.client import GenClient
    from gentui.core.actions import Guards
    from gentui.core.poller import PollPolicy
    from gentui.ui.app import Launch
    from gentui.ui.themes import load_themes

    demo = bool(getattr(args, "demo", False))
    paths = Paths.temporary() if demo else None
    loaded = load_settings(cli_overrides(args), paths=paths, env=None if not demo else {})
    settings, paths = loaded.settings, loaded.paths
    for warning in loaded.warnings:
        print(f"gentui: warning: {warning}", file=sys.stderr)
    state = load_state(paths)
    themes, theme_errors = load_themes(paths.themes)
    for error in theme_errors:
        print(f"gentui: theme skipped: {error}", file=sys.stderr)

    agent_id, engine_id = settings.agent_id, settings.engine_id
    if demo:
        import httpx

        from gentui.sim.app import create_app
        from gentui.sim.options import SimOptions

        sim = create_app(demo_options or SimOptions())
        world = sim.state.sim.world_info()
        client = GenClient(DEMO_BASE_URL, world["api_key"], transport=httpx.ASGITransport(app=sim),
                           engine_prefix=settings.engine_prefix, generation_types=settings.generation_types)
        agent_id = agent_id or str(world["agent_id"])
        engine_id = engine_id or str(world["engine_ids"][0])
    else:
        base_url = check_base_url(settings.base_url, settings.allow_insecure_http)
        client = GenClient(base_url, settings.api_key_value(), engine_prefix=settings.engine_prefix,
                           generation_types=settings.generation_types)
        if state.engine_prefix and settings.engine_prefix == "auto" and state.last_base_url == base_url:
            client.prefix = state.engine_prefix

    def on_engine(agent: str, engine: str, title: str) -> None:
        remember_engine(state, engine, title, agent, settings.base_url)
        state.last_agent_id, state.last_engine_id, state.last_base_url = agent, engine, settings.base_url
        state.engine_prefix = client.prefix
        try:
            save_state(state, paths)
        except OSError:
            pass

    def on_theme(name: str) -> None:
        from gentui.config import set_theme

        try:
            set_theme(name, paths)
        except (OSError, ConfigError):
            pass

    guards = Guards(
        readonly=settings.readonly,
        confirm=settings.confirm,
        confirm_above=Decimal(str(settings.confirm_above)),
        spend_cap=Decimal(str(settings.spend_cap)) if settings.spend_cap is not None else None,
        low_balance_warning=Decimal(str(settings.low_balance_warning)),
    )

    def on_layout(layout: dict[str, Any]) -> None:
        state.layout = {**state.layout, **layout}
        try:
            save_state(state, paths)
        except OSError:
            pass

    from gentui.core.journal import Journal

    return Launch(
        client=client,
        journal=Journal(paths.journal),
        base_url=DEMO_BASE_URL if demo else settings.base_url,
        agent_id=agent_id,
        engine_id=engine_id,
        guards=guards,
        policy=PollPolicy(interval=settings.poll_interval),
        batch_concurrency=settings.batch_concurrency,
        keymap=dict(settings.keymap),
        theme=settings.theme,
        demo=demo,
        mouse=settings.mouse,
        recent_engines=list(state.recent_engines),
        engine_names=dict(settings.engines),
        on_engine=on_engine,
        on_theme=on_theme,
        themes=themes,
        notify=settings.notify,
        layout=dict(state.layout),
        on_layout=on_layout,
    )


def run(args: argparse.Namespace) -> int:
    try:
        launch = build_launch(args)
    except ConfigError as exc:
        print(f"gentui: {exc}", file=sys.stderr)
        return 2
    from gentui.ui.app import GentuiApp

    app = GentuiApp(launch)
    app.run(mouse=launch.mouse)
    return app.return_code or 0
