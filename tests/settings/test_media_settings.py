"""The media settings (CONTRACTS.md section 2: `previews`, `media_cache_mb`, `open_command`) and the scope of
the history table's keys in the [keymap] check (`open` shares `o` with `sort`, each in its own scope)."""

from __future__ import annotations

import pytest

from gentui.action_table import KeymapError, check_keymap
from gentui.settings.schema import BadValue, ConfigError, Settings, check_value, parse_text


def test_the_media_settings_have_their_defaults() -> None:
    settings = Settings()
    assert (settings.previews, settings.media_cache_mb, settings.open_command) == ("auto", 200, None)


@pytest.mark.parametrize(("key", "value", "expected"), [
    ("previews", "sixels", "'previews' must be one of \"auto\", \"kitty\", \"sixel\", \"blocks\", \"off\", got \"sixels\""),
    ("media_cache_mb", -1, "'media_cache_mb' must be an integer from 0 to 100000, got -1"),
    ("media_cache_mb", "lots", "'media_cache_mb' must be an integer from 0 to 100000, got \"lots\""),
    ("open_command", "firefox", "'open_command' must be a command with {url} in it (e.g. \"xdg-open {url}\"), "
                                "got \"firefox\""),
    ("open_command", "open '{url}", "'open_command' cannot be split into words (No closing quotation), "
                                    "got \"open '{url}\""),
])
def test_a_bad_media_setting_is_one_line_naming_the_key(key: str, value: object, expected: str) -> None:
    with pytest.raises(BadValue) as info:
        check_value(key, value)
    assert info.value.render(key) == expected


def test_media_settings_from_text_and_in_the_model() -> None:
    assert parse_text("media_cache_mb", "0") == 0
    assert parse_text("previews", "blocks") == "blocks"
    assert parse_text("open_command", "none") is None
    assert parse_text("open_command", " xdg-open {url} ") == "xdg-open {url}"
    with pytest.raises(ConfigError, match="media_cache_mb"):
        Settings.checked({"media_cache_mb": 1.5}, "config.toml")


def test_a_history_key_may_share_a_screen_key_but_not_another_history_key_or_a_global_one() -> None:
    keys = check_keymap({})
    assert keys["open"] == keys["sort"] == "o"  # the defaults: open on the history table, sort elsewhere
    assert check_keymap({"open": "O"})["open"] == "O"
    assert check_keymap({"open": "a"})["open"] == "a"  # `a` toggles the activity elsewhere: another scope
    with pytest.raises(KeymapError) as info:
        check_keymap({"open": "q"})
    assert str(info.value) == "keymap: 'q' for open clashes with quit (global); choose another key, or remap quit too"
    with pytest.raises(KeymapError) as info:
        check_keymap({"sort": "v"})  # preview is on the screen too: one scope, one key
    assert str(info.value) == "keymap: 'v' for sort clashes with preview; choose another key, or remap preview too"
    with pytest.raises(KeymapError) as info:
        check_keymap({"compare": "enter"})
    assert "clashes with navigation (into the detail)" in str(info.value)
