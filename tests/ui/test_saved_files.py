"""Screenshots and exports go to one folder by one rule, and the toast says where (issue 15.17)."""

from __future__ import annotations

from pathlib import Path

import pytest

from gentui.core.export import output_dir
from gentui.ui.screens.export import ExportScreen

from .pilot import SIZE, loaded, make_app, wait_for


def test_downloads_first_then_the_current_folder_then_the_state_folder(tmp_path: Path) -> None:
    downloads, here, state = tmp_path / "Downloads", tmp_path / "here", tmp_path / "state"
    here.mkdir()
    assert output_dir(state, downloads=downloads, cwd=here) == here  # no ~/Downloads: the current folder
    downloads.mkdir()
    assert output_dir(state, downloads=downloads, cwd=here) == downloads
    downloads.rmdir()
    gone = tmp_path / "removed"  # a current folder that was deleted (or cannot be written)
    assert output_dir(state, downloads=downloads, cwd=gone) == state


@pytest.fixture
def no_downloads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import platformdirs

    monkeypatch.setattr(platformdirs, "user_downloads_path", lambda: tmp_path / "missing" / "Downloads")
    here = tmp_path / "cwd"
    here.mkdir()
    monkeypatch.chdir(here)
    return here


async def test_a_screenshot_without_downloads_goes_to_the_current_folder_and_says_so(quiet_world,
                                                                                      no_downloads: Path) -> None:
    app = make_app(quiet_world, state_dir=no_downloads.parent / "state")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        app.deliver_screenshot()
        await wait_for(pilot, lambda: any(p.suffix == ".svg" for p in no_downloads.iterdir()), what="the file")
        saved = next(p for p in no_downloads.iterdir() if p.suffix == ".svg")
        await wait_for(pilot, lambda: any(f"screenshot saved to {saved}" == str(n.message) for n in app._notifications),
                       what="a toast with the full path")


async def test_a_failed_screenshot_says_why(quiet_world, tmp_path: Path) -> None:
    app = make_app(quiet_world)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        app.deliver_screenshot(path=str(tmp_path / "no" / "such" / "folder"))
        await wait_for(pilot, lambda: any("screenshot not saved in" in str(n.message) and "No such file" in
                                          str(n.message) for n in app._notifications), what="the reason")


async def test_export_offers_the_same_folder_and_says_the_full_path(quiet_world, no_downloads: Path) -> None:
    app = make_app(quiet_world, state_dir=no_downloads.parent / "state")
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(pilot, lambda: loaded(app), what="engine and credits")
        await pilot.press("x")
        await wait_for(pilot, lambda: isinstance(app.screen, ExportScreen), what="the export dialog")
        assert app.screen.folder == no_downloads
        await pilot.press("c")
        await wait_for(pilot, lambda: any(p.suffix == ".csv" for p in no_downloads.iterdir()), what="the CSV")
        csv_file = next(p for p in no_downloads.iterdir() if p.suffix == ".csv")
        await wait_for(pilot, lambda: any(str(csv_file) in str(n.message) for n in app._notifications),
                       what="a toast with the full path")
