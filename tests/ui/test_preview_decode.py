"""Decoding a preview (gentui.ui.widgets.preview.decode): a broken or hostile PNG is one line, never a crash."""

from __future__ import annotations

import pytest

from gentui.ui.graphics_probe import GraphicsProbe, kitty_environment, pixel_size, probe_graphics
from gentui.ui.widgets.preview import decode

from ..pngs import bomb_png, png


def test_a_good_png_is_decoded_and_shrunk() -> None:
    image = decode(png(1000, 500), box=(100, 100))
    assert image.size == (100, 50) and image.mode == "RGB"


@pytest.mark.parametrize(("data", "reason"), [
    (png(64, 64)[:120], "a broken image"),
    (bomb_png(), "too large to draw"),
    (bomb_png(7000, 7000), "7000×7000 pixels: too large to draw"),
    (b"\x89PNG\r\n\x1a\n" + b"\x00" * 50, "not an image Pillow can read"),
    (b"<svg/>", "not an image Pillow can read"),
])
def test_a_hostile_image_is_a_one_line_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ValueError) as info:
        decode(data)
    assert reason in str(info.value) and "\n" not in str(info.value)


def test_a_forced_mode_is_kept_and_auto_without_a_terminal_is_half_blocks() -> None:
    assert [probe_graphics(m) for m in ("kitty", "sixel", "blocks")] == ["kitty", "sixel", "blocks"]
    assert probe_graphics("auto") == "blocks"  # pytest's stdout is no terminal: nothing answers
    assert GraphicsProbe("sixel").start().result() == "sixel"


def test_only_a_terminal_that_tells_its_pixel_size_is_asked_and_kitty_comes_from_the_environment() -> None:
    import os
    import pty

    leader, follower = pty.openpty()
    try:
        with os.fdopen(os.dup(follower), "w") as stream:
            assert pixel_size(stream) is False  # a pseudo-terminal with nobody behind it: no questions
    finally:
        os.close(leader)
        os.close(follower)
    assert pixel_size(object()) is False
    assert kitty_environment({"TERM": "xterm-kitty"}) and kitty_environment({"KITTY_WINDOW_ID": "1"})
    assert not kitty_environment({"TERM": "xterm-256color", "TERM_PROGRAM": "tmux"})
