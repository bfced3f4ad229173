"""Reading and writing config.toml: strict TOML in, atomic 0600 writes out.

gentui rewrites config.toml only for `gentui config set`, `gentui login`, `gentui logout` and a theme
picked in the palette. It is rewritten whole from its parsed content, so **comments and formatting are not kept**
(tomllib has no round-trip mode); unrelated keys and tables are.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import tomllib
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import tomli_w
from pydantic import SecretStr

from gentui.settings.paths import Paths, display_path
from gentui.settings.schema import FIELDS, BadValue, ConfigError, check_value, parse_text, unknown_key

HEADER = ("# gentui settings (see `gentui config show`). gentui rewrites this file for `gentui config set`,\n"
          "# `gentui login`, `gentui logout` and a theme picked in the palette; comments are not kept when it does.\n\n")


def make_private_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents with mode 0700 (existing ones are left alone)."""
    missing: list[Path] = []
    while not directory.exists():
        missing.append(directory)
        if directory.parent == directory:
            break
        directory = directory.parent
    for path in reversed(missing):
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=0o700)


def atomic_write(path: Path, text: str, mode: int = 0o600) -> None:
    """Write `text` to a temporary file (mode set before any content), fsync it, then `os.replace` it.

    A symlinked file (dotfile managers) is written through: its target is replaced, not the link.
    """
    if path.is_symlink():
        path = path.resolve()
    make_private_dirs(path.parent)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


#: the most a settings, state or theme file may hold: they are a few kilobytes; a link to /dev/zero is not
MAX_TOML_BYTES = 1 << 20


def read_small_file(path: Path, limit: int = MAX_TOML_BYTES) -> bytes:
    """A regular file's bytes, at most `limit` of them, without ever blocking.

    Opened non-blocking and checked to be a regular file before a byte is read, so a FIFO does not
    hang and a link to a device (`/dev/zero`) is not read for ever. Raises FileNotFoundError, another
    OSError, or ValueError (not a regular file, or larger than `limit`) with a short reason.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise ValueError("not a regular file")
        chunks: list[bytes] = []
        size = 0
        while size <= limit:
            chunk = os.read(fd, min(1 << 16, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            raise ValueError(f"larger than {limit // 1024} KB")
        return b"".join(chunks)
    finally:
        os.close(fd)


def parse_toml(raw: bytes) -> dict[str, Any]:
    """TOML bytes as a dict. Raises UnicodeDecodeError, tomllib.TOMLDecodeError, or ValueError for
    nesting too deep to parse (tomllib recurses per level)."""
    text = raw.decode("utf-8")
    try:
        return tomllib.loads(text)
    except RecursionError:
        raise ValueError("nested too deeply") from None


def read_toml(path: Path, *, missing_ok: bool = True) -> dict[str, Any]:
    """A TOML file as a dict ({} when it does not exist); ConfigError naming the file otherwise."""
    where = display_path(path)
    try:
        raw = read_small_file(path)
    except FileNotFoundError:
        if missing_ok:
            return {}
        raise ConfigError(f"{where}: no such file") from None
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read ({exc.strerror or exc})") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: cannot read ({exc}); it must be a TOML file") from None
    try:
        return parse_toml(raw)
    except UnicodeDecodeError:
        raise ConfigError(f"{where}: not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None
    except ValueError as exc:
        raise ConfigError(f"{where}: invalid TOML: {exc}") from None


def read_config_dict(paths: Paths) -> dict[str, Any]:
    """config.toml as it is written ({} when absent); raises ConfigError on a syntax error."""
    return read_toml(paths.config)


def plain(value: Any) -> Any:
    """`value` in the types tomli-w writes: no None (dropped), SecretStr revealed, whole Decimals as int."""
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items() if v is not None}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value if v is not None]
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def dump_toml(data: Mapping[str, Any], header: str = "") -> str:
    return header + tomli_w.dumps(plain(data))


def write_config(data: Mapping[str, Any], paths: Paths) -> None:
    """Replace config.toml with `data` (atomically, mode 0600, directories 0700). Comments are not kept."""
    atomic_write(paths.config, dump_toml(data, HEADER))


def update_config(values: Mapping[str, Any], paths: Paths) -> bool:
    """Set (or, with None, remove) typed top-level keys, keeping every other key; checked before writing.

    Returns False when nothing changed (the file is then not rewritten). Comments are not kept.
    """
    where = display_path(paths.config)
    current = read_config_dict(paths)
    data = dict(current)
    for key, value in values.items():
        if key not in FIELDS:
            raise unknown_key(key, where)
        try:
            checked = check_value(key, value)
        except BadValue as bad:
            raise ConfigError(f"{where}: {bad.render(key)}") from None
        if checked is None:
            data.pop(key, None)
        else:
            data[key] = plain(checked)
    if data == current:
        return False
    write_config(data, paths)
    return True


def set_config_key(key: str, value: str, paths: Paths) -> None:
    """Write one top-level key into config.toml, `value` typed by the schema and checked first.

    `none` (or an empty value) removes an optional key. `keymap.ID` / `engines.ID` set one entry of
    those tables. Other keys are kept; comments are not (the file is rewritten). Mode 0600.
    """
    where = display_path(paths.config)
    table, _, entry = key.partition(".")
    if entry:
        if table not in FIELDS or not FIELDS[table].table:
            raise unknown_key(key, where)
        current = read_config_dict(paths).get(table, {})
        merged = {**(current if isinstance(current, dict) else {}), entry: value}
        others = {k: v for k, v in merged.items() if k != entry}
        try:  # the table as it will be, the new entry last: a keymap clash names the binding just set first
            checked = check_value(table, {**others, entry: value})
        except BadValue as bad:
            raise ConfigError(f"{where}: {bad.render(table)}") from None
        update_config({table: {k: checked[k] for k in merged}}, paths)
        return
    if key not in FIELDS:
        raise unknown_key(key, where)
    try:
        typed = parse_text(key, value)
    except BadValue as bad:
        raise ConfigError(f"{where}: {bad.render(key)}") from None
    update_config({key: typed}, paths)


def set_keymap(binding_id: str, keys: str, paths: Paths) -> None:
    """Remap one binding in config.toml's [keymap] (comments are not kept)."""
    set_config_key(f"keymap.{binding_id}", keys, paths)


def set_theme(name: str, paths: Paths) -> None:
    """Remember the theme picked in the palette (no write when config.toml already says so)."""
    set_config_key("theme", name, paths)
