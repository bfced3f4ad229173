"""The settings schema (CONTRACTS.md section 2): each key's type, default and checks, and the errors.

One table, `FIELDS`, says per key what is expected and how text (an environment variable, a
`config set` argument) becomes a typed value. The pydantic model `Settings` runs the same checks, so a
value is judged the same way whichever way it arrives, and an error always reads
`WHERE: 'key' must be EXPECTED, got VALUE`.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import math
import shlex
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal
from urllib.parse import urlsplit, urlunsplit

from pydantic import BaseModel, SecretStr, ValidationError, field_validator

from gentui.action_table import BINDING_IDS, KeymapError, check_keymap
from gentui.api.urls import without_userinfo

DEFAULT_BASE_URL = "https://api.gen.pro/v1"
POLL_FLOOR = 1.0
POLL_CEILING = 3600.0  # an hour between polls is already no monitor
CONCURRENCY_RANGE = (1, 16)
MEDIA_CACHE_MAX_MB = 100_000  # 100 GB: any larger is a typo
MAX_CREDITS = Decimal(10) ** 12  # far above any balance; keeps every credit setting a plain number


class ConfigError(Exception):
    """A settings problem, in one line naming the file (or variable, or option), the key and what was expected."""


class BadValue(ValueError):
    """A value that does not fit its key; `render` words it, with or without the key's name."""

    def __init__(self, expected: str, value: Any = None, *, detail: str | None = None, secret: bool = False) -> None:
        super().__init__(detail or expected)
        self.expected, self.value, self.detail, self.secret = expected, value, detail, secret

    def render(self, key: str | None) -> str:
        if self.detail:
            return self.detail
        got = type_name(self.value) if self.secret else show_value(self.value)
        return f"{f'{key!r} ' if key else ''}must be {self.expected}, got {got}"


def show_value(value: Any, limit: int = 60) -> str:
    """A value as it would look in TOML, cut to `limit` characters."""
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, str):
        text = json.dumps(value, ensure_ascii=False)
    elif isinstance(value, Mapping):
        text = "{" + ", ".join(f"{toml_key(str(k))} = {show_value(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(show_value(v, limit) for v in value) + "]"
    elif isinstance(value, SecretStr):
        text = "***"
    else:
        text = str(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def type_name(value: Any) -> str:
    """What TOML calls the value's type, with its article."""
    for kind, name in ((bool, "a boolean"), (int, "an integer"), (float, "a float"), (str, "a string"),
                       (Mapping, "a table"), (list, "an array")):
        if isinstance(value, kind):
            return name
    return f"a {type(value).__name__}"


def toml_key(key: str) -> str:
    """A TOML key: bare when it can be, quoted otherwise."""
    if key and all(c.isascii() and (c.isalnum() or c in "-_") for c in key):
        return key
    return json.dumps(key, ensure_ascii=False)


def suggest(word: str, choices: Any) -> str:
    """` (did you mean 'x'?)` when a choice is close to `word`, else empty."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


# --- checks: a value from TOML (or already typed) -> the value the model holds; BadValue otherwise --------
Check = Callable[[Any], Any]


def _text(expected: str = "a non-empty string") -> Check:
    def check(value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise BadValue(expected, value)
        return value.strip()

    return check


def _open_command(value: Any) -> str:
    """A command line with `{url}` where the URL goes (run without a shell)."""
    expected = 'a command with {url} in it (e.g. "xdg-open {url}")'
    if not isinstance(value, str) or not value.strip():
        raise BadValue(expected, value)
    if "{url}" not in value:
        raise BadValue(expected, value)
    try:
        shlex.split(value)
    except ValueError as exc:
        raise BadValue(expected, value, detail=f"'open_command' cannot be split into words ({exc}), "
                                               f"got {show_value(value)}") from None
    return value.strip()


def _id(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    raise BadValue("an id (a string or an integer)", value)


def _secret(value: Any) -> SecretStr:
    if isinstance(value, SecretStr):
        return value
    if isinstance(value, str) and value.strip():
        return SecretStr(value.strip())
    raise BadValue("a non-empty string", value, secret=True)


def _base_url(value: Any) -> str:
    """The API root, its scheme and host in lower case (`HTTP://` is plain http too), without a trailing
    slash; a user name or password in it is refused (it would be sent, and stored wherever the URL is)."""
    expected = "an http:// or https:// URL (the API root, including /v1)"
    if not isinstance(value, str):
        raise BadValue(expected, value)
    url = value.strip().rstrip("/")
    shown = without_userinfo(url)
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a port that is not a number
    except ValueError:
        raise BadValue(expected, shown) from None
    if shown != url:
        raise BadValue(expected, detail=f"a base URL must not carry a user name or password (got {show_value(shown)} "
                                        "with them removed; the key goes in api_key)")
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise BadValue(expected, shown)
    return urlunsplit(parts._replace(scheme=scheme, netloc=parts.netloc.lower()))


def _choice(*choices: str) -> Check:
    expected = "one of " + ", ".join(json.dumps(c) for c in choices)

    def check(value: Any) -> str:
        if value not in choices or not isinstance(value, str):
            raise BadValue(expected, value)
        return value

    return check


def _number(minimum: float, maximum: float) -> Check:
    expected = f"a number from {minimum:g} to {maximum:g}"

    def check(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
            raise BadValue(expected, value)
        try:
            number = float(value)
        except OverflowError:  # an int beyond any float
            raise BadValue(expected, value) from None
        if not math.isfinite(number) or not minimum <= number <= maximum:
            raise BadValue(expected, value)
        return number

    return check


def _integer(low: int, high: int) -> Check:
    expected = f"an integer from {low} to {high}"

    def check(value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise BadValue(expected, value)
        return value

    return check


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise BadValue("true or false", value)
    return value


def _credits(value: Any) -> Decimal:
    expected = f"a number of credits from 0 to {MAX_CREDITS}"
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal, str)):
        raise BadValue(expected, value)
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise BadValue(expected, value) from None
    if not amount.is_finite() or not 0 <= amount <= MAX_CREDITS:
        raise BadValue(expected, value)
    return amount


def _engines(value: Any) -> dict[str, str]:
    if not isinstance(value, Mapping):
        raise BadValue('a table of engine id = "display name"', value)
    names: dict[str, str] = {}
    for key, name in value.items():
        if not isinstance(name, str):
            raise BadValue("", name, detail=f"'engines.{key}' must be a string (the engine's display name), "
                                            f"got {show_value(name)}")
        names[str(key)] = name
    return names


def _keymap(value: Any) -> dict[str, str]:
    """The user's [keymap] as given (each entry's keys stripped), after `check_keymap` accepted it with the
    defaults: an unknown binding id or key name, or a clash, is refused in one line naming both bindings."""
    if not isinstance(value, Mapping):
        raise BadValue('a table of binding id = "keys"', value)
    keymap: dict[str, str] = {}
    for binding_id, keys in value.items():
        binding_id = str(binding_id)
        if binding_id not in BINDING_IDS:
            hint = suggest(binding_id, BINDING_IDS) or " (`gentui keys` lists them)"
            raise BadValue("", binding_id, detail=f"unknown binding id {binding_id!r} in [keymap]{hint}")
        if isinstance(keys, (list, tuple)) and all(isinstance(k, str) for k in keys):
            keys = ",".join(keys)
        parts = [k.strip() for k in keys.split(",")] if isinstance(keys, str) else []
        if not parts or not all(parts):
            raise BadValue("", keys, detail=f"'keymap.{binding_id}' must be keys separated by commas "
                                            f"(e.g. \"z\" or \"ctrl+s,z\"), got {show_value(keys)}")
        keymap[binding_id] = ",".join(parts)
    try:
        check_keymap(keymap)
    except KeymapError as exc:
        raise BadValue("", keymap, detail=str(exc)) from None
    return keymap


def _optional(check: Check) -> Check:
    def optional(value: Any) -> Any:
        return None if value is None else check(value)

    return optional


# --- text (environment, command line) -> a value for the checks -------------------------------------------
Parse = Callable[[str], Any]

_TRUE, _FALSE = {"true", "1", "yes", "on"}, {"false", "0", "no", "off"}


def _parse_bool(text: str) -> Any:
    word = text.strip().lower()
    return True if word in _TRUE else False if word in _FALSE else text


def _parse_float(text: str) -> Any:
    try:
        return float(text)
    except ValueError:
        return text


def _parse_int(text: str) -> Any:
    try:
        return int(text.strip())
    except ValueError:
        return text


def _parse_table(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except (tomllib.TOMLDecodeError, RecursionError):
        return text


@dataclass(frozen=True)
class Field:
    """One top-level key: its check, how text becomes a value, and whether it may be absent (None)."""

    check: Check
    parse: Parse = str
    optional: bool = False
    table: bool = False


FIELDS: dict[str, Field] = {
    "api_key": Field(_secret, optional=True),
    "base_url": Field(_base_url),
    "agent_id": Field(_id, optional=True),
    "engine_id": Field(_id, optional=True),
    "engine_prefix": Field(_choice("auto", "vidsheet", "autocontentengine")),
    "generation_types": Field(_choice("internal", "canonical")),
    "poll_interval": Field(_number(POLL_FLOOR, POLL_CEILING), _parse_float),
    "batch_concurrency": Field(_integer(*CONCURRENCY_RANGE), _parse_int),
    "theme": Field(_text()),
    "readonly": Field(_bool, _parse_bool),
    "mouse": Field(_bool, _parse_bool),
    "log_level": Field(_choice("warning", "info", "debug")),  # the log file `config path` names; --debug: debug
    "confirm": Field(_choice("always", "costly")),
    "confirm_above": Field(_credits),
    "spend_cap": Field(_credits, optional=True),
    "low_balance_warning": Field(_credits),
    "notify": Field(_choice("toast", "bell", "both", "off")),
    "allow_insecure_http": Field(_bool, _parse_bool),
    "previews": Field(_choice("auto", "kitty", "sixel", "blocks", "off")),
    "media_cache_mb": Field(_integer(0, MEDIA_CACHE_MAX_MB), _parse_int),
    "open_command": Field(_open_command, optional=True),
    "engines": Field(_engines, _parse_table, table=True),
    "keymap": Field(_keymap, _parse_table, table=True),
}


def check_value(key: str, value: Any) -> Any:
    """The typed value of a top-level key (raises BadValue); None only where the key is optional."""
    spec = FIELDS[key]
    if value is None and spec.optional:
        return None
    return spec.check(value)


def parse_text(key: str, text: str) -> Any:
    """The typed value of a top-level key given as text (`none` or empty unsets an optional key)."""
    spec = FIELDS[key]
    if spec.optional and text.strip().lower() in ("", "none"):
        return None
    return check_value(key, spec.parse(text))


def unknown_key(key: str, where: str) -> ConfigError:
    return ConfigError(f"{where}: unknown key {key!r}{suggest(key, FIELDS)}")


class Settings(BaseModel, extra="forbid"):
    """The effective settings. The API key is a SecretStr: no repr, str or dump shows it."""

    api_key: SecretStr | None = None
    base_url: str = DEFAULT_BASE_URL
    agent_id: str | None = None
    engine_id: str | None = None
    engine_prefix: Literal["auto", "vidsheet", "autocontentengine"] = "auto"
    generation_types: Literal["internal", "canonical"] = "internal"
    poll_interval: float = 2.0
    batch_concurrency: int = 4
    theme: str = "gentui-dark"
    readonly: bool = False
    mouse: bool = True
    log_level: Literal["warning", "info", "debug"] = "warning"
    confirm: Literal["always", "costly"] = "always"
    confirm_above: Decimal = Decimal(50)
    spend_cap: Decimal | None = None
    low_balance_warning: Decimal = Decimal(500)
    notify: Literal["toast", "bell", "both", "off"] = "toast"
    allow_insecure_http: bool = False
    previews: Literal["auto", "kitty", "sixel", "blocks", "off"] = "auto"
    media_cache_mb: int = 200
    open_command: str | None = None
    engines: dict[str, str] = {}
    keymap: dict[str, str] = {}

    @field_validator("*", mode="before")
    @classmethod
    def _check(cls, value: Any, info: Any) -> Any:
        try:
            return check_value(info.field_name, value)
        except BadValue as bad:
            raise ValueError(bad.render(info.field_name)) from None

    def api_key_value(self) -> str | None:
        """The key itself, for the one place that sends it."""
        return self.api_key.get_secret_value() if self.api_key is not None else None

    @classmethod
    def checked(cls, values: Mapping[str, Any], where: str) -> Settings:
        """`Settings(**values)`, with a pydantic error turned into a ConfigError naming `where`."""
        try:
            return cls.model_validate(dict(values))
        except ValidationError as exc:
            err = exc.errors()[0]
            key = str(err["loc"][0]) if err["loc"] else "?"
            if err["type"] == "extra_forbidden":
                raise unknown_key(key, where) from None
            cause = (err.get("ctx") or {}).get("error")
            raise ConfigError(f"{where}: {cause if cause is not None else err['msg']}") from None


# --- the base URL and the key ---------------------------------------------------------------------------
def is_loopback(host: str) -> bool:
    host = host.strip("[]").rstrip(".").lower()
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_base_url(url: str, allow_insecure_http: bool) -> str:
    """The URL without its trailing slash; http:// to a host that is not loopback is refused unless allowed."""
    try:
        url = _base_url(url)
    except BadValue as bad:
        raise ConfigError(f"base_url: {bad.render(None)}") from None
    parts = urlsplit(url)
    host = parts.hostname or ""
    if parts.scheme.lower() == "http" and not allow_insecure_http and not is_loopback(host):
        raise ConfigError(f"refusing http:// to non-loopback host {host}; pass --allow-insecure-http")
    return url


def redact(secret: str | SecretStr | None) -> str:
    """`***` and at most the last 4 characters (`***` alone for keys shorter than 12); empty for no key."""
    if secret is None:
        return ""
    if isinstance(secret, SecretStr):
        secret = secret.get_secret_value()
    return "***" + secret[-4:] if len(secret) >= 12 else "***"
