"""In --demo the media client goes to the same in-process simulator as the API client (offline previews);
elsewhere it gets a plain transport of its own (None: httpx's default), never the API client's."""

from __future__ import annotations

import argparse

import httpx

from gentui.commands.cockpit import build_launch
from gentui.core.media import MediaFetcher


def isolate(monkeypatch, tmp_path) -> None:
    for name in ("XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        monkeypatch.setenv(name, str(tmp_path / name.lower()))
    monkeypatch.setenv("HOME", str(tmp_path))
    for name in ("GEN_API_KEY", "GEN_API_BASE_URL", "GENTUI_PREVIEWS"):
        monkeypatch.delenv(name, raising=False)


async def test_the_demo_media_client_reaches_the_in_process_simulator(monkeypatch, tmp_path) -> None:
    isolate(monkeypatch, tmp_path)
    launch = build_launch(argparse.Namespace(demo=True))
    assert launch.previews == "auto" and launch.media_cache_mb == 200
    assert launch.media_cache_dir.name == "media"  # the demo's own throwaway cache: it writes nothing of yours
    assert tmp_path not in launch.media_cache_dir.parents
    assert launch.media_transport is not None
    transport = launch.media_transport()
    assert launch.media_transport() is transport  # one simulator for the API and its media
    client = launch.client_factory()
    info = await client.me()  # the API client builds the same simulator on its first request
    assert info is not None and transport.app is not None
    fetcher = MediaFetcher(transport=transport)
    media = await fetcher.fetch("http://demo.sim/_sim/no-such-media.png")
    assert media.problem == "the media host answered 404"  # the simulator answered, offline
    await fetcher.aclose()
    await client.aclose()


def test_a_real_run_has_no_media_transport_of_the_api(monkeypatch, tmp_path) -> None:
    isolate(monkeypatch, tmp_path)
    monkeypatch.setenv("GEN_API_KEY", "gen_" + "k" * 40)
    monkeypatch.setenv("GENTUI_PREVIEWS", "blocks")
    monkeypatch.setenv("GENTUI_MEDIA_CACHE_MB", "0")
    launch = build_launch(argparse.Namespace(demo=False))
    assert (launch.previews, launch.media_cache_mb, launch.media_transport) == ("blocks", 0, None)
    assert launch.media_cache_dir == tmp_path / "xdg_cache_home" / "gentui" / "media"
    assert isinstance(MediaFetcher().client, httpx.AsyncClient)
