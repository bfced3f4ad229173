"""Serving the simulator over real HTTP: uvicorn in a background thread, stoppable and restartable.

    with serve_in_thread(SimOptions(quiet=True)) as server:
        httpx.get(server.base_url + "/me", headers={"X-API-Key": "sim-key"})
        server.stop(); server.start()    # "the server went away and came back", same port
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from gentui.sim.app import create_app
from gentui.sim.options import SimOptions

_DROP_MESSAGE = "ASGI callable returned without completing response."


class _QuietDrops(logging.Filter):
    """A dropped connection is what the simulator meant to do: not worth an error line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return _DROP_MESSAGE not in record.getMessage()


def quiet_drop_logs() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _QuietDrops) for f in logger.filters):
        logger.addFilter(_QuietDrops())


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready socket on host:port (port 0 = a free port), reusable after a restart."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # listening now: the address `gentui sim` prints takes connections before uvicorn starts
    sock.set_inheritable(True)
    return sock


def uvicorn_server(app: Starlette, log_level: str = "warning") -> uvicorn.Server:
    config = uvicorn.Config(app, log_level=log_level, lifespan="off", access_log=False,
                            timeout_graceful_shutdown=2, timeout_keep_alive=5)
    return uvicorn.Server(config)


class SimServer:
    """One simulator app served on 127.0.0.1 by uvicorn in a daemon thread."""

    def __init__(self, app: Starlette, host: str = "127.0.0.1", port: int = 0) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None
        app.state.sim.real_http = True
        quiet_drop_logs()

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return self.root_url + "/v1"

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, timeout: float = 10.0) -> SimServer:
        if self.running:
            return self
        self._sock = bind(self.host, self.port)
        self.port = self._sock.getsockname()[1]
        self._server = uvicorn_server(self.app)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._sock]},
                                        name=f"gentui-sim-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"the simulator did not start on {self.root_url}")
            time.sleep(0.005)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout)
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        self._server = self._thread = self._sock = None


@contextlib.contextmanager
def serve_in_thread(options: SimOptions | None = None, *, app: Starlette | None = None,
                    port: int = 0) -> Iterator[SimServer]:
    """Serve a simulator (a new one from `options`, or `app`) on 127.0.0.1 for the `with` block."""
    server = SimServer(app if app is not None else create_app(options or SimOptions(quiet=True)), port=port)
    server.start()
    try:
        yield server
    finally:
        server.stop()
