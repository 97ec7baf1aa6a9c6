"""Serving WSGI applications on a local port from a thread, for the
development server and for tests that need real HTTP between the service
and the carrier."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator

from werkzeug.serving import BaseWSGIServer, make_server


@contextlib.contextmanager
def serve(app, host: str = "127.0.0.1") -> Iterator[str]:
    """Serve ``app`` on a free port of ``host`` in a thread; yield its base URL."""
    with serve_built(lambda base: app, host) as base:
        yield base


@contextlib.contextmanager
def serve_built(build: Callable[[str], Callable], host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Like ``serve`` for an app that must know its own base URL (the
    service builds absolute callback URLs from it): ``build(base)`` makes it
    once the port is bound."""
    server = bind(build, host, port)
    # A short poll interval lets a test's server stop at once when it ends.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name=f"serve-{server.port}", daemon=True)
    thread.start()
    try:
        yield base_url(server)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def bind(build: Callable[[str], Callable], host: str, port: int) -> BaseWSGIServer:
    """A threaded server on ``host:port`` (0: any free port) running ``build(base)``."""
    server = make_server(host, port, _unavailable, threaded=True)
    server.app = build(base_url(server))
    return server


def base_url(server: BaseWSGIServer) -> str:
    return f"http://{server.host}:{server.port}"


def _unavailable(environ, start_response):
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
