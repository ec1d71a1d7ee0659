"""A folder served over HTTP on loopback, the only network these machines allow: the wheels
of an offline build, or a password-protected private index standing in for a mirror.
"""

from __future__ import annotations

import base64
import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _QuietHandler(SimpleHTTPRequestHandler):
    """Static file handler that does not print a line per request into the test output."""

    def log_message(self, format: str, *args: object) -> None:
        pass


class _PasswordHandler(_QuietHandler):
    """Like _QuietHandler, but answers 401 unless the request carries ``expected_auth``."""

    expected_auth = ""

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == self.expected_auth:
            return True
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="wheels"')
        self.send_header("Content-Length", "0")
        self.end_headers()
        return False

    def do_GET(self) -> None:
        if self._authorized():
            super().do_GET()

    def do_HEAD(self) -> None:
        if self._authorized():
            super().do_HEAD()


@contextmanager
def serve_directory(directory: Path, credentials: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve ``directory`` over HTTP on 127.0.0.1 (a free port) and yield its URL.

    Loopback is the only network allowed here; builds run with ``--network host`` and reach
    it as ``--build-arg PIP_FIND_LINKS=<url>`` (the Dockerfile must declare that ARG). With
    ``credentials`` (login, password) it stands in for a private index: requests without them
    get 401, which is how tests prove that a build's credentials really reached pip.
    """
    handler_class: type[_QuietHandler] = _QuietHandler
    if credentials is not None:
        token = base64.b64encode(":".join(credentials).encode()).decode()
        handler_class = type("Handler", (_PasswordHandler,), {"expected_auth": f"Basic {token}"})
    handler = functools.partial(handler_class, directory=str(directory))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
