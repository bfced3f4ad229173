"""Settings: XDG paths, precedence and sources, strict validation with one-line errors, safe writes, state."""

from __future__ import annotations

import stat
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from pydantic import SecretStr

from gentui.settings import (
    AppState,
    ConfigError,
    Paths,
    Settings,
    check_base_url,
    default_paths,
    load_settings,
    load_state,
    read_config_dict,
    redact,
    remember_engine,
    save_state,
    set_config_key,
    set_keymap,
    set_theme,
    write_config,
)

KEY = "gen-live-0123456789abcdefWXYZ"


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """An environment whose every XDG directory is under tmp_path (the user's files are never touched)."""
    return {
        "HOME": str(tmp_path / "home"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }


@pytest.fixture
def paths(env: dict[str, str]) -> Paths:
    return default_paths(env)


def write(path: Path, text: str, mode: int = 0o600) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)


def load_error(paths: Paths, env: dict[str, str] | None = None, cli: dict | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_settings(cli, env=env if env is not None else {}, paths=paths)
    message = str(info.value)
    assert "\n" not in message, "a config error is one line"
    return message


# --- paths ------------------------------------------------------------------------------------------------
def test_paths_follow_the_xdg_variables(tmp_path: Path, env: dict[str, str]) -> None:
    paths = default_paths(env)
    assert paths.config == tmp_path / "config" / "gentui" / "config.toml"
    assert paths.themes == tmp_path / "config" / "gentui" / "themes"
    assert paths.state == tmp_path / "state" / "gentui" / "state.toml"
    assert paths.log == tmp_path / "state" / "gentui" / "gentui.log"
    assert paths.data_dir == tmp_path / "data" / "gentui"
    assert paths.journal == tmp_path / "data" / "gentui" / "journal.sqlite3"
    assert paths.cache_dir == tmp_path / "cache" / "gentui"


def test_paths_default_under_home_and_ignore_relative_xdg_values(tmp_path: Path) -> None:
    paths = default_paths({"HOME": str(tmp_path), "XDG_CONFIG_HOME": "relative/dir"})
    assert paths.config == tmp_path / ".config" / "gentui" / "config.toml"
    assert paths.state == tmp_path / ".local" / "state" / "gentui" / "state.toml"
    assert paths.journal == tmp_path / ".local" / "share" / "gentui" / "journal.sqlite3"
    assert paths.cache_dir == tmp_path / ".cache" / "gentui"


def test_temporary_paths_are_fresh_and_private_to_the_run() -> None:
    first, second = Paths.temporary(), Paths.temporary()
    root = first.config.parents[2]
    assert root.is_dir() and Path(tempfile.gettempdir()) in root.parents
    assert second.config.parents[2] != root
    for path in (first.config, first.state, first.journal, first.themes, first.log, first.cache_dir):
        assert path.is_relative_to(root)
    assert not first.config.exists()


# --- defaults, precedence, sources -------------------------------------------------------------------------
def test_defaults_are_the_contracts(paths: Paths) -> None:
    loaded = load_settings(env={}, paths=paths)
    s = loaded.settings
    assert s.api_key is None and s.api_key_value() is None
    assert s.base_url == "https://api.gen.pro/v1"
    assert (s.agent_id, s.engine_id, s.spend_cap) == (None, None, None)
    assert (s.engine_prefix, s.generation_types, s.confirm, s.notify) == ("auto", "internal", "always", "toast")
    assert (s.poll_interval, s.batch_concurrency, s.theme) == (2.0, 4, "gentui-dark")
    assert (s.readonly, s.mouse, s.allow_insecure_http) == (False, True, False)
    assert (s.confirm_above, s.low_balance_warning) == (Decimal(50), Decimal(500))
    assert (s.engines, s.keymap) == ({}, {})
    assert set(loaded.sources.values()) == {"default"}
    assert loaded.paths == paths and loaded.warnings == []


def test_precedence_is_cli_then_env_then_config_then_state_then_default(paths: Paths) -> None:
    write(paths.config, 'base_url = "http://127.0.0.1:9/v1"\nagent_id = 7\ntheme = "from-config"\n'
                        'poll_interval = 3\nbatch_concurrency = 8\nreadonly = true\n')
    state = AppState()
    remember_engine(state, "55", "Saved engine", "7", "http://127.0.0.1:9/v1")
    save_state(state, paths)
    env = {"GENTUI_THEME": "from-env", "GENTUI_POLL_INTERVAL": "4.5", "GENTUI_READONLY": "no"}
    loaded = load_settings({"theme": "from-cli", "agent_id": None, "readonly": None}, env=env, paths=paths)
    s, sources = loaded.settings, loaded.sources
    assert (s.theme, sources["theme"]) == ("from-cli", "cli")
    assert (s.poll_interval, sources["poll_interval"]) == (4.5, "env")
    assert (s.readonly, sources["readonly"]) == (False, "env")  # a None on the command line is "not given"
    assert (s.batch_concurrency, sources["batch_concurrency"]) == (8, "config")
    assert (s.agent_id, sources["agent_id"]) == ("7", "config")
    assert (s.engine_id, sources["engine_id"]) == ("55", "state")
    assert (s.notify, sources["notify"]) == ("toast", "default")


def test_state_engine_is_only_a_fallback_for_the_same_server_and_agent(paths: Paths) -> None:
    state = AppState()
    remember_engine(state, "55", "Saved", "7", "https://api.gen.pro/v1")
    save_state(state, paths)
    loaded = load_settings(env={}, paths=paths)
    assert (loaded.settings.agent_id, loaded.settings.engine_id) == ("7", "55")
    assert loaded.sources["agent_id"] == loaded.sources["engine_id"] == "state"

    assert load_settings({"engine_id": "9"}, env={}, paths=paths).settings.engine_id == "9"
    other_agent = load_settings({"agent_id": "8"}, env={}, paths=paths).settings
    assert other_agent.engine_id is None
    other_server = load_settings({"base_url": "http://localhost:8765/v1"}, env={}, paths=paths).settings
    assert (other_server.agent_id, other_server.engine_id) == (None, None)


def test_environment_variables_are_typed_and_gentui_ones_win(paths: Paths) -> None:
    env = {"GEN_API_KEY": "official-key-000000", "GENTUI_API_KEY": KEY, "GEN_API_BASE_URL": "https://x.test/v1/",
           "GENTUI_BATCH_CONCURRENCY": "16", "GENTUI_SPEND_CAP": "2000.5", "GENTUI_MOUSE": "0",
           "GENTUI_KEYMAP": '{stop = "z"}', "GENTUI_ENGINE_ID": "", "GENTUI_ALLOW_INSECURE_HTTP": "YES"}
    loaded = load_settings(env=env, paths=paths)
    s = loaded.settings
    assert s.api_key_value() == KEY and loaded.sources["api_key"] == "env"
    assert s.base_url == "https://x.test/v1"
    assert (s.batch_concurrency, s.spend_cap, s.mouse, s.allow_insecure_http) == (16, Decimal("2000.5"), False, True)
    assert s.keymap == {"stop": "z"}
    assert s.engine_id is None and loaded.sources["engine_id"] == "default"  # empty means unset


@pytest.mark.parametrize(("text", "value"), [("true", True), ("1", True), ("yes", True), ("On", True),
                                             ("false", False), ("0", False), ("no", False), ("OFF", False)])
def test_env_booleans(paths: Paths, text: str, value: bool) -> None:
    assert load_settings(env={"GENTUI_READONLY": text}, paths=paths).settings.readonly is value


def test_ids_may_be_toml_integers_and_base_url_loses_its_trailing_slash(paths: Paths) -> None:
    write(paths.config, 'base_url = "https://api.example.test/v1/"\nagent_id = 42\nengine_id = 100\n'
                        '[engines]\n100 = "Main sheet"\n')
    s = load_settings(env={}, paths=paths).settings
    assert (s.agent_id, s.engine_id, s.base_url) == ("42", "100", "https://api.example.test/v1")
    assert s.engines == {"100": "Main sheet"}


def test_keymap_accepts_a_list_of_keys(paths: Paths) -> None:
    write(paths.config, '[keymap]\nstop = ["z", "ctrl+s"]\nfilter = " / "\n')
    assert load_settings(env={}, paths=paths).settings.keymap == {"stop": "z,ctrl+s", "filter": "/"}


# --- errors: one line naming the file (or variable, or option) and the key -------------------------------------
def test_unknown_key_is_named_with_a_suggestion(paths: Paths) -> None:
    write(paths.config, "pol_interval = 3\n")
    message = load_error(paths)
    assert message == f"{paths.config}: unknown key 'pol_interval' (did you mean 'poll_interval'?)"


def test_unknown_key_without_a_close_match(paths: Paths) -> None:
    write(paths.config, "zzz = 3\n")
    assert load_error(paths) == f"{paths.config}: unknown key 'zzz'"


def test_the_file_is_shown_with_a_tilde_under_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    paths = default_paths({"HOME": str(tmp_path)})
    write(paths.config, "pol_interval = 3\n")
    assert load_error(paths).startswith("~/.config/gentui/config.toml: unknown key 'pol_interval'")


@pytest.mark.parametrize(("line", "expected"), [
    ('poll_interval = "fast"', "'poll_interval' must be a number from 1 to 3600, got \"fast\""),
    ("poll_interval = 0.5", "'poll_interval' must be a number from 1 to 3600, got 0.5"),
    ("poll_interval = true", "'poll_interval' must be a number from 1 to 3600, got true"),
    ("batch_concurrency = 0", "'batch_concurrency' must be an integer from 1 to 16, got 0"),
    ("batch_concurrency = 17", "'batch_concurrency' must be an integer from 1 to 16, got 17"),
    ("batch_concurrency = 2.5", "'batch_concurrency' must be an integer from 1 to 16, got 2.5"),
    ('readonly = "yes"', "'readonly' must be true or false, got \"yes\""),
    ('confirm = "never"', "'confirm' must be one of \"always\", \"costly\", got \"never\""),
    ('engine_prefix = "v2"', "'engine_prefix' must be one of \"auto\", \"vidsheet\", \"autocontentengine\""),
    ("spend_cap = -5", "'spend_cap' must be a number of credits from 0 to 1000000000000, got -5"),
    ('base_url = "ftp://x/v1"', "'base_url' must be an http:// or https:// URL"),
    ("agent_id = 1.5", "'agent_id' must be an id (a string or an integer), got 1.5"),
    ('theme = ""', "'theme' must be a non-empty string, got \"\""),
    ('keymap = "stop=z"', "'keymap' must be a table of binding id = \"keys\""),
    ("[engines]\n100 = 3", "'engines.100' must be a string (the engine's display name), got 3"),
    ('[keymap]\nstpo = "z"', "unknown binding id 'stpo' in [keymap] (did you mean 'stop'?)"),
    ('[keymap]\nstop = ""', "'keymap.stop' must be keys separated by commas"),
])
def test_each_wrong_value_names_file_key_and_expectation(paths: Paths, line: str, expected: str) -> None:
    write(paths.config, line + "\n")
    message = load_error(paths)
    assert message.startswith(f"{paths.config}: ")
    assert expected in message


def test_a_wrongly_typed_key_is_never_echoed(paths: Paths) -> None:
    write(paths.config, "api_key = 123456789012345\n")
    message = load_error(paths)
    assert "123456789012345" not in message
    assert message == f"{paths.config}: 'api_key' must be a non-empty string, got an integer"


def test_bad_toml_syntax_names_the_line(paths: Paths) -> None:
    write(paths.config, 'theme = "gentui-dark"\npoll_interval = \n')
    message = load_error(paths)
    assert message.startswith(f"{paths.config}: invalid TOML")
    assert "line 2" in message


@pytest.mark.parametrize(("var", "text", "expected"), [
    ("GENTUI_POLL_INTERVAL", "fast", 'GENTUI_POLL_INTERVAL: must be a number from 1 to 3600, got "fast"'),
    ("GENTUI_POLL_INTERVAL", "0.2", "GENTUI_POLL_INTERVAL: must be a number from 1 to 3600, got 0.2"),
    ("GENTUI_READONLY", "maybe", 'GENTUI_READONLY: must be true or false, got "maybe"'),
    ("GENTUI_BATCH_CONCURRENCY", "lots", 'GENTUI_BATCH_CONCURRENCY: must be an integer from 1 to 16, got "lots"'),
    ("GEN_API_BASE_URL", "api.gen.pro", "GEN_API_BASE_URL: must be an http:// or https:// URL"),
    ("GENTUI_KEYMAP", "{nope = 'x'}", "GENTUI_KEYMAP: unknown binding id 'nope' in [keymap]"),
])
def test_bad_environment_variable_is_named(paths: Paths, var: str, text: str, expected: str) -> None:
    assert load_error(paths, env={var: text}).startswith(expected)


def test_bad_command_line_value_names_the_option(paths: Paths) -> None:
    assert load_error(paths, cli={"base_url": "nope"}).startswith("--base-url: must be an http:// or https:// URL")


def test_a_misspelt_gentui_variable_is_a_warning(paths: Paths) -> None:
    loaded = load_settings(env={"GENTUI_POLL_INTERVALL": "3", "GENTUI_SOMETHING_ELSE": "x"}, paths=paths)
    hint = "GENTUI_POLL_INTERVALL is not a gentui setting (did you mean GENTUI_POLL_INTERVAL?); ignored"
    assert loaded.warnings == [hint]
    assert loaded.settings.poll_interval == 2.0


def test_settings_model_rejects_bad_values_directly() -> None:
    with pytest.raises(ValueError, match="poll_interval"):
        Settings(poll_interval=0.5)
    with pytest.raises(ValueError, match="extra"):
        Settings(pol_interval=3)


def test_settings_never_show_the_key() -> None:
    s = Settings(api_key=KEY)
    for text in (repr(s), str(s), s.model_dump_json(), repr(s.model_dump())):
        assert KEY not in text
    assert s.api_key_value() == KEY
    assert isinstance(s.api_key, SecretStr)


# --- permissions -------------------------------------------------------------------------------------------
def test_group_readable_config_with_a_key_warns_to_chmod_600(paths: Paths) -> None:
    write(paths.config, f'api_key = "{KEY}"\n', mode=0o644)
    warnings = load_settings(env={}, paths=paths).warnings
    assert len(warnings) == 1
    assert "readable by other users (mode 0644)" in warnings[0]
    assert warnings[0].endswith(f"chmod 600 {paths.config}")
    assert KEY not in warnings[0]


def test_group_writable_config_warns_even_without_a_key(paths: Paths) -> None:
    write(paths.config, 'theme = "gentui-dark"\n', mode=0o664)
    assert "writable by other users" in load_settings(env={}, paths=paths).warnings[0]


def test_private_config_gives_no_warning(paths: Paths) -> None:
    write(paths.config, f'api_key = "{KEY}"\n', mode=0o600)
    assert load_settings(env={}, paths=paths).warnings == []


# --- writing ------------------------------------------------------------------------------------------------
def test_set_config_key_creates_a_private_file_in_private_dirs(paths: Paths) -> None:
    set_config_key("poll_interval", "3", paths)
    assert stat.S_IMODE(paths.config.stat().st_mode) == 0o600
    assert stat.S_IMODE(paths.config.parent.stat().st_mode) == 0o700
    assert read_config_dict(paths) == {"poll_interval": 3.0}
    assert [p.name for p in paths.config.parent.iterdir()] == ["config.toml"]  # no temporary file left


def test_set_config_key_keeps_unrelated_keys_and_types_values(paths: Paths) -> None:
    write(paths.config, '# my notes\ntheme = "gentui-light"\nagent_id = 7\n[keymap]\nstop = "z"\n', mode=0o644)
    set_config_key("readonly", "yes", paths)
    set_config_key("spend_cap", "2000", paths)
    set_config_key("engine_id", "100", paths)
    set_keymap("quit", "ctrl+q", paths)
    assert read_config_dict(paths) == {"theme": "gentui-light", "agent_id": 7, "readonly": True, "spend_cap": 2000,
                                       "engine_id": "100", "keymap": {"stop": "z", "quit": "ctrl+q"}}
    assert stat.S_IMODE(paths.config.stat().st_mode) == 0o600  # rewritten: private from now on
    s = load_settings(env={}, paths=paths).settings
    assert (s.readonly, s.spend_cap, s.engine_id) == (True, Decimal(2000), "100")


def test_set_config_key_none_removes_an_optional_key(paths: Paths) -> None:
    set_config_key("spend_cap", "100", paths)
    set_config_key("spend_cap", "none", paths)
    assert "spend_cap" not in read_config_dict(paths)


def test_set_config_key_refuses_unknown_keys_and_bad_values_without_writing(paths: Paths) -> None:
    write(paths.config, 'theme = "gentui-light"\n')
    before = paths.config.read_bytes()
    with pytest.raises(ConfigError, match=r"unknown key 'pol_interval' \(did you mean 'poll_interval'\?\)"):
        set_config_key("pol_interval", "3", paths)
    with pytest.raises(ConfigError, match=r"'poll_interval' must be a number from 1 to 3600, got 0.5"):
        set_config_key("poll_interval", "0.5", paths)
    with pytest.raises(ConfigError, match="unknown binding id 'nope'"):
        set_keymap("nope", "z", paths)
    with pytest.raises(ConfigError, match="unknown key 'theme.x'"):
        set_config_key("theme.x", "z", paths)
    assert paths.config.read_bytes() == before


def test_set_config_key_refuses_to_overwrite_a_file_it_cannot_parse(paths: Paths) -> None:
    write(paths.config, "theme = \n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        set_config_key("poll_interval", "3", paths)
    assert paths.config.read_text() == "theme = \n"


def test_setting_the_same_value_does_not_rewrite_the_file(paths: Paths) -> None:
    write(paths.config, '# chosen with care\ntheme = "gentui-light"\n')
    set_theme("gentui-light", paths)
    assert paths.config.read_text().startswith("# chosen with care")


def test_a_symlinked_config_is_written_through(paths: Paths, tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "gentui.toml"
    write(target, 'theme = "gentui-light"\n')
    paths.config.parent.mkdir(parents=True)
    paths.config.symlink_to(target)
    set_config_key("mouse", "false", paths)
    assert paths.config.is_symlink()
    assert read_config_dict(paths) == {"theme": "gentui-light", "mouse": False}


def test_write_config_round_trips_and_drops_none(paths: Paths) -> None:
    write_config({"api_key": SecretStr(KEY), "confirm_above": Decimal("12.5"), "spend_cap": None,
                  "keymap": {"stop": "z"}}, paths)
    assert read_config_dict(paths) == {"api_key": KEY, "confirm_above": 12.5, "keymap": {"stop": "z"}}
    assert "comments are not kept" in paths.config.read_text()


# --- state.toml ----------------------------------------------------------------------------------------------
def test_state_round_trips_privately(paths: Paths) -> None:
    state = AppState(layout={"activity": True})
    remember_engine(state, "100", "Main", "7", "https://api.gen.pro/v1", now=0)
    state.engine_prefix = "vidsheet"
    save_state(state, paths)
    assert stat.S_IMODE(paths.state.stat().st_mode) == 0o600
    again = load_state(paths)
    assert again.last_engine_id == "100" and again.last_agent_id == "7"
    assert again.engine_prefix == "vidsheet" and again.layout == {"activity": True}
    assert again.recent_engines == [{"id": "100", "title": "Main", "agent_id": "7",
                                     "base_url": "https://api.gen.pro/v1", "seen_at": "1970-01-01T00:00:00Z"}]


def test_recent_engines_are_most_recent_first_unique_and_capped(paths: Paths) -> None:
    state = AppState()
    for n in range(25):
        remember_engine(state, str(n), f"E{n}", "1", "https://a/v1", now=n)
    remember_engine(state, "10", "E10 again", "1", "https://a/v1", now=100)
    remember_engine(state, "10", "E10 elsewhere", "1", "https://b/v1", now=101)
    ids = [(e["id"], e["base_url"]) for e in state.recent_engines]
    assert len(ids) == 20
    assert ids[:3] == [("10", "https://b/v1"), ("10", "https://a/v1"), ("24", "https://a/v1")]
    assert len(set(ids)) == 20


def test_missing_state_gives_defaults(paths: Paths) -> None:
    state = load_state(paths)
    assert state == AppState() and state.warnings == []


def test_broken_state_gives_defaults_and_a_warning(paths: Paths) -> None:
    write(paths.state, "last_engine_id = [unclosed\n")
    state = load_state(paths)
    assert state.last_engine_id is None and state.recent_engines == []
    assert len(state.warnings) == 1 and "invalid TOML" in state.warnings[0]
    assert load_settings(env={}, paths=paths).warnings == state.warnings  # reported, never fatal


def test_partly_broken_state_keeps_what_it_can(paths: Paths) -> None:
    write(paths.state, 'last_engine_id = 100\nlast_agent_id = 7\nlayout = "wide"\nfuture_key = 1\n')
    state = load_state(paths)
    assert (state.last_engine_id, state.last_agent_id, state.layout) == ("100", "7", {})
    assert state.warnings and "layout" in state.warnings[0]


# --- the base URL and the key --------------------------------------------------------------------------------
@pytest.mark.parametrize("url", ["http://127.0.0.1:8765/v1", "http://127.8.9.10/v1/", "http://localhost:8765/v1",
                                 "http://[::1]:8765/v1", "https://api.gen.pro/v1/", "https://10.0.0.1/v1"])
def test_https_and_loopback_http_are_accepted(url: str) -> None:
    assert check_base_url(url, False) == url.rstrip("/")


@pytest.mark.parametrize("url", ["http://api.gen.pro/v1", "http://10.0.0.5:8000/v1", "http://[2001:db8::1]/v1"])
def test_http_to_a_non_loopback_host_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigError, match="refusing http:// to non-loopback host .*; pass --allow-insecure-http"):
        check_base_url(url, False)
    assert check_base_url(url + "/", True) == url


def test_a_url_that_is_not_http_is_refused() -> None:
    with pytest.raises(ConfigError, match="base_url: must be an http:// or https:// URL"):
        check_base_url("api.gen.pro/v1", True)


def test_a_base_url_without_a_path_warns(paths: Paths) -> None:
    warnings = load_settings({"base_url": "https://api.gen.pro"}, env={}, paths=paths).warnings
    assert warnings == ["base_url https://api.gen.pro has no path: the API root usually ends in /v1"]


@pytest.mark.parametrize(("secret", "shown"), [(KEY, "***WXYZ"), ("123456789012", "***9012"),
                                               ("12345678901", "***"), ("", "***"), (None, "")])
def test_redact_shows_at_most_the_last_four(secret: str | None, shown: str) -> None:
    assert redact(secret) == shown
