"""Base URLs as the client sees them: schemes compared in any case, user names and passwords never kept,
and the proxy httpx would take from the environment (HTTP_PROXY, HTTPS_PROXY, ALL_PROXY, NO_PROXY)."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit, urlunsplit


def without_userinfo(url: str) -> str:
    """`url` with any `user:password@` removed (the rest as given); unparseable text is returned as is."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))


def scheme_of(url: str) -> str:
    """The URL's scheme in lower case (`HTTP://` is plain http too); empty when there is none."""
    try:
        return urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""


def environment_proxy(url: str) -> str | None:
    """The proxy httpx (with `trust_env`) would send a request for `url` through, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    proxies = urllib.request.getproxies_environment()
    proxy = proxies.get(parts.scheme.lower()) or proxies.get("all")
    if not proxy:
        return None
    bypass = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
    return None if parts.hostname and bypass(parts.hostname, proxies) else proxy
