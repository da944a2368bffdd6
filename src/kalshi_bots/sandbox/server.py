"""A tiny real HTTP server for fakes: routes ``(METHOD, regex)`` to handlers, runs in a thread.

Standard library only (``http.server``), so the sandbox starts in milliseconds and ships with the
package. Every fake (Kalshi, Coinbase, NWS) is one of these with its own routes and state.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit


@dataclass(frozen=True, slots=True)
class Request:
    method: str
    path: str  # without the query string
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    match: re.Match[str]

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def arg(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[0] if values else default


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
        merged = {"Content-Type": "application/json"} | (headers or {})
        return cls(status, json.dumps(payload).encode(), merged)

    @classmethod
    def text(cls, text: str, status: int = 200, content_type: str = "text/plain") -> Response:
        return cls(status, text.encode(), {"Content-Type": content_type})


Handler = Callable[[Request], Response]


class DropConnection(Exception):  # noqa: N818 - a signal, not an error
    """Raise from a handler to close the socket without answering (a server crashing mid-request)."""


class FakeServer:
    """Start with ``with FakeServer() as srv:`` or ``start()``/``stop()``; ``srv.url`` is the base."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._routes: list[tuple[str, re.Pattern[str], Handler]] = []
        self._host, self._port = host, port
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.requests: list[Request] = []  # every request seen, for assertions
        self.lock = threading.RLock()  # handlers share state: hold this while touching it

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method.upper(), re.compile(f"^{pattern}$"), handler))

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeServer:
        fake = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out as separate writes; with Nagle on, a keep-alive client waits
            # for the delayed ACK (~40 ms per request). TCP_NODELAY makes a request take ~1 ms.
            disable_nagle_algorithm = True

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read .requests
                return

            def _dispatch(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                try:
                    response = fake.dispatch(self.command, parts.path, parts.query, self.headers, body)
                except DropConnection:
                    self.close_connection = True
                    return
                self.send_response(response.status)
                for name, value in response.headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(response.body)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            # http.server looks handlers up by these names.
            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _dispatch  # noqa: N815

        self._httpd = ThreadingHTTPServer((self._host, self._port), _Handler)
        self._httpd.daemon_threads = True
        # A short poll interval: stop() waits for the loop to notice, and the default 0.5 s per fake adds
        # up across the suite.
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, name="fake-server", daemon=True
        )
        self._thread.start()
        return self

    def dispatch(self, method: str, path: str, query: str, headers: Any, body: bytes) -> Response:
        for route_method, pattern, handler in self._routes:
            match = pattern.match(path)
            if match and route_method == method:
                request = Request(
                    method=method,
                    path=path,
                    query=parse_qs(query, keep_blank_values=True),
                    headers={k.lower(): v for k, v in headers.items()},
                    body=body,
                    match=match,
                )
                with self.lock:
                    self.requests.append(request)
                return handler(request)
        return Response.json({"error": {"code": "not_found", "message": f"no route {method} {path}"}}, 404)

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> FakeServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


class ServedFake:
    """A fake service on its own :class:`FakeServer`: ``with Fake() as fake:`` or ``start()``/``stop()``.

    Subclasses set ``self.server`` in ``__init__`` and add their routes; ``stop`` may be extended to
    release what a handler is waiting on before the server goes."""

    server: FakeServer

    def start(self) -> Self:
        self.server.start()
        return self

    def stop(self) -> None:
        self.server.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
