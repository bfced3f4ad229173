"""gentui's settings, XDG paths and app state (its modules: paths, schema, files, loading, app_state).

- `Paths` / `default_paths()` / `Paths.temporary()`: where every file lives.
- `Settings` (CONTRACTS.md section 2), `load_settings()` -> `LoadedSettings` (settings, sources,
  paths, warnings); precedence command line > environment > config.toml > state.toml > defaults.
- `ConfigError`: one line naming the file (or variable, or option), the key and what was expected.
- `set_config_key()`, `set_keymap()`, `set_theme()`, `write_config()`, `read_config_dict()`: config.toml
  is rewritten atomically with mode 0600; **comments in it are not kept**.
- `AppState`, `load_state()`, `save_state()`, `remember_engine()`: state.toml.
- `check_base_url()` (no plain http:// off loopback unless allowed) and `redact()` for the key.
"""

from __future__ import annotations

from gentui.settings.app_state import AppState, load_state, remember_engine, save_state
from gentui.settings.files import (
    read_config_dict,
    set_config_key,
    set_keymap,
    set_theme,
    update_config,
    write_config,
)
from gentui.settings.loading import LoadedSettings, load_settings
from gentui.settings.paths import Paths, default_paths, display_path
from gentui.settings.schema import DEFAULT_BASE_URL, FIELDS, ConfigError, Settings, check_base_url, redact

__all__ = [
    "DEFAULT_BASE_URL",
    "FIELDS",
    "AppState",
    "ConfigError",
    "LoadedSettings",
    "Paths",
    "Settings",
    "check_base_url",
    "default_paths",
    "display_path",
    "load_settings",
    "load_state",
    "read_config_dict",
    "redact",
    "remember_engine",
    "save_state",
    "set_config_key",
    "set_keymap",
    "set_theme",
    "update_config",
    "write_config",
]
