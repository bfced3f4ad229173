"""The gate in front of textual-serve for `gentui serve`: the server's own Host and Origin only, and a
per-run secret token on every request (page, static files, downloads and the WebSocket).

textual-serve itself checks neither: any web page the user visits could open `ws://127.0.0.1:8000/ws`
and type into the app (which spends credits). Its files are not patched; `GuardedServer` subclasses
its `Server`, adds an aiohttp middleware in front of every route, and renders the page with URLs on
the host the browser actually used, so the token cookie set by the page reaches the static files and
the WebSocket. The token comes in the query string (`?token=...`, the URL `gentui serve` prints) or
in the cookie the page sets (HttpOnly, SameSite=Strict, per port).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Awaitable, Callable, Iterable
from typing import Any
from urllib.parse import urlsplit

import aiohttp_jinja2
from aiohttp import web
from textual_serve.server import Server, to_int

log = logging.getLogger("gentui.serve")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

SECURITY_HEADERS = {
    "X-Frame-Options": "DENY",  # no other page may frame the app and click in it
    "Content-Security-Policy": "frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",  # the page's URL carries the token; its font comes from elsewhere
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
}


class HideToken(logging.Filter):
    """The access log without the token: its request lines carry `?token=...` from the printed URL."""

    PATTERN = re.compile(r"token=[^&\s\"]+")

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "token=" in record.msg:
            record.msg = self.PATTERN.sub("token=***", record.msg)
        return True


def new_token() -> str:
    return secrets.token_urlsafe(32)


def url_host(host: str) -> str:
    """A host as it appears in a URL or a Host header: IPv6 literals in brackets, lower case."""
    host = host.strip().lower()
    if ":" in host and not host.startswith("["):
        return f"[{host}]"
    return host


def split_netloc(netloc: str) -> tuple[str, int | None] | None:
    """`host[:port]` as (host, port), or None when it is not one; the host as `url_host` spells it."""
    try:
        parts = urlsplit("//" + netloc)
        port = parts.port
    except ValueError:
        return None
    if not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    return url_host(parts.hostname), port


class GuardedServer(Server):
    """textual-serve's Server with Host, Origin and token checks on every request."""

    def __init__(
        self,
        command: str,
        *,
        host: str,
        port: int,
        title: str,
        token: str,
        names: Iterable[str] = (),
        public_url: str | None = None,
    ) -> None:
        super().__init__(command, host=host, port=port, title=title, public_url=public_url)
        if not public_url:  # textual-serve's own spelling leaves an IPv6 host unbracketed (`http://::1:8000`)
            self.public_url = f"http://{url_host(host)}:{port}"
        self.token = token
        self.fixed_public_url = public_url.rstrip("/") if public_url else None
        self.names = {url_host(n) for n in (host, *names) if n}
        self.public_netloc: tuple[str, int | None] | None = None
        if self.fixed_public_url:
            parts = urlsplit(self.fixed_public_url)
            self.public_netloc = split_netloc(parts.netloc)
            self.public_scheme = (parts.scheme or "http").lower()

    @property
    def cookie_name(self) -> str:
        return f"gentui_serve_{self.port}"

    def url(self, port: int | None = None) -> str:
        """The URL to open: the public URL, else this host and port, with the token."""
        if self.fixed_public_url:
            base = self.fixed_public_url
        else:
            base = f"http://{url_host(self.host)}:{port or self.port}"
        return f"{base}/?token={self.token}"

    # --- the checks ----------------------------------------------------------------------------------
    def _own(self, netloc: str, scheme: str, request: web.Request) -> bool:
        """True when `netloc` (from Host or Origin) names this server."""
        split = split_netloc(netloc)
        if split is None:
            return False
        host, port = split
        if self.public_netloc is not None:
            public_host, public_port = self.public_netloc
            default = 443 if self.public_scheme == "https" else 80
            if host == public_host and (port or default) == (public_port or default):
                return True
        sockname = request.transport.get_extra_info("sockname") if request.transport else None
        local_port = sockname[1] if sockname else self.port
        names = set(self.names)
        if sockname:
            names.add(url_host(str(sockname[0]).split("%")[0]))  # a wildcard bind: the address reached
        default = 443 if scheme == "https" else 80
        return host in names and (port or default) == local_port

    def refusal(self, request: web.Request) -> str | None:
        """Why this request is refused, or None."""
        host = request.headers.get("Host", "")
        if not self._own(host, "http", request):
            return "the Host header does not name this server"
        origin = request.headers.get("Origin")
        if origin is not None:
            parts = urlsplit(origin)
            if parts.scheme.lower() not in ("http", "https") or not self._own(parts.netloc, parts.scheme.lower(),
                                                                               request):
                return "the request comes from another origin"
        given = request.query.get("token") or request.cookies.get(self.cookie_name)
        if not given:
            return "the token is missing: open the URL `gentui serve` printed"
        if not secrets.compare_digest(given.encode(), self.token.encode()):
            return "the token is wrong: open the URL `gentui serve` printed"
        return None

    @web.middleware
    async def guard(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        problem = self.refusal(request)
        if problem is not None:
            log.warning("refused %s %s: %s", request.method, request.path, problem)
            raise web.HTTPForbidden(text=f"gentui serve: {problem}\n", headers=SECURITY_HEADERS)
        response = await handler(request)
        if not response.prepared:  # a WebSocket or a download has already sent its headers
            response.headers.update(SECURITY_HEADERS)
            if request.query.get("token"):
                response.set_cookie(self.cookie_name, self.token, httponly=True, samesite="Strict", path="/",
                                    secure=request.secure)
        return response

    def initialize_logging(self) -> None:
        super().initialize_logging()
        access = logging.getLogger("aiohttp.access")
        if not any(isinstance(f, HideToken) for f in access.filters):
            access.addFilter(HideToken())

    # --- textual-serve's app, with the gate in front -------------------------------------------------
    async def _make_app(self) -> web.Application:
        app = await super()._make_app()
        app.middlewares.insert(0, self.guard)
        return app

    async def handle_index(self, request: web.Request) -> web.StreamResponse:
        """The page, with its static and WebSocket URLs on the host the browser used (already checked),
        so the token cookie reaches both; the public URL instead when one was given."""
        if self.fixed_public_url:
            base, secure = self.fixed_public_url, self.public_scheme == "https"
        else:
            base, secure = f"{request.scheme}://{request.host}", request.secure
        router = request.app.router
        ws_path = router["websocket"].url_for()
        static_path = str(router["static"].url_for(filename="/")).rstrip("/") + "/"
        ws_base = ("wss:" if secure else "ws:") + base.split(":", 1)[1]
        context: dict[str, Any] = {
            "font_size": to_int(request.query.get("fontsize", "16"), 16),
            "app_websocket_url": f"{ws_base}{ws_path}",
            "config": {"static": {"url": f"{base}{static_path}"}},
            "application": {"name": self.title},
        }
        return aiohttp_jinja2.render_template("app_index.html", request, context)

    async def on_startup(self, app: web.Application) -> None:
        self.console.print(f"gentui serve: open {self.url()}", highlight=False, markup=False, soft_wrap=True)
        self.console.print("Every page and WebSocket needs this token (kept in a cookie once the page is open); "
                           "requests from other origins are refused. Press Ctrl+C to quit.",
                           highlight=False, markup=False)
