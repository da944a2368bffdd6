"""The volatility HTTP API served by ``kalshi-bots serve``: ``GET /volatility/{asset}`` -> VOL/LATEST.

What is answered is decided by :mod:`.api_routes` (shared with the Lambda function URL handler):
token first, then method, path and asset. This module is the transport, built so that a client
without the token can make the server spend next to nothing:

- The request head is parsed by `h11 <https://h11.readthedocs.io>`_ (the HTTP/1.1 state machine
  under httpx, already installed with it), capped at :attr:`ServerLimits.max_head_bytes`. Malformed
  framing (``Content-Length: -1``, ``abc``, conflicting lengths, a bad request line) is a 400 from
  the parser, an oversized head a 431.
- The head must arrive within :attr:`ServerLimits.head_timeout_s` *in total* (a client trickling a
  byte at a time is cut off, not waited for byte by byte); an idle keep-alive connection is closed
  after :attr:`ServerLimits.idle_timeout_s`; a client that does not read its reply, after
  :attr:`ServerLimits.write_timeout_s`.
- No request body is ever read: the API takes none. A request that announces one is answered from
  its headers (401 without the token, else 405/404, or 413 for a GET with a body) and the connection
  closed; at most :attr:`ServerLimits.drain_bytes` are read and discarded so the client sees the reply.
  A 300 MB upload therefore costs socket buffers, not memory.
- At most :attr:`ServerLimits.max_connections` connections are served at once; the next ones get an
  immediate 503 and are closed.
- Every reply is JSON, errors included, whatever the method (OPTIONS and TRACE too). A failure in a
  connection is logged as one JSON line (exception type, no traceback, no request data but the path).

With no token configured the server refuses to start, unless told ``--open`` *and* bound to a
loopback address: an open API on a network interface is never an accident.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import socket
import socketserver
import sys
import threading
import time
from dataclasses import dataclass
from http import HTTPStatus
from typing import TYPE_CHECKING, Any

import h11

from kalshi_bots.entrypoints import api_routes
from kalshi_bots.entrypoints.api_routes import ApiReply, VolatilityQuery

if TYPE_CHECKING:
    from pydantic import SecretStr

    from kalshi_bots.config import Settings
    from kalshi_bots.domain.models import Asset
    from kalshi_bots.ports.clock import Clock
    from kalshi_bots.ports.store import PriceStore

log = logging.getLogger(__name__)


class ApiConfigError(ValueError):
    """The server would start insecurely; the message says how to start it safely."""


@dataclass(frozen=True, slots=True)
class ServerLimits:
    """What one client may cost. Defaults suit a small JSON API on a laptop or a small VM."""

    max_head_bytes: int = 8 * 1024  # request line + headers
    head_timeout_s: float = 10.0  # from the first byte of a request to the end of its head
    idle_timeout_s: float = 15.0  # a connection with no request in progress
    write_timeout_s: float = 10.0  # a client that does not read its reply
    max_connections: int = 32
    drain_bytes: int = 256 * 1024  # read and discarded after refusing a body, so the reply is seen
    drain_timeout_s: float = 1.0


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(token: SecretStr | None, host: str, open_access: bool) -> None:
    """Refuse to serve without a token unless explicitly open and only reachable from this machine."""
    if token is not None:
        return
    if not open_access:
        raise ApiConfigError(
            "no API token configured: set KALSHI_BOTS_API_TOKEN (clients send 'Authorization: Bearer "
            "<token>'), or run `kalshi-bots serve --open` to serve without one on localhost only"
        )
    if not is_loopback(host):
        raise ApiConfigError(
            f"refusing to serve without a token on {host!r}: --open is allowed only on 127.0.0.1, ::1 "
            "or localhost; set KALSHI_BOTS_API_TOKEN to serve on other addresses"
        )


class _HeadTimeoutError(Exception):
    def __init__(self, partial: bool) -> None:
        super().__init__("request head not received in time")
        self.partial = partial  # some bytes arrived: answer 408; none: just close


class VolatilityApi:
    """``VolatilityApi(query, token=..., host=..., port=...).start()``; ``.url``; ``.stop()``."""

    def __init__(
        self,
        query: VolatilityQuery,
        *,
        token: SecretStr | None,
        host: str = "127.0.0.1",
        port: int = 8080,
        open_access: bool = False,
        limits: ServerLimits | None = None,
    ) -> None:
        check_exposure(token, host, open_access)
        self._query = query
        self._token = None if token is None else token.get_secret_value()
        self._open = open_access and token is None
        self.limits = limits or ServerLimits()
        self._server = _Server((host, port), self)
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        shown = f"[{host!s}]" if ":" in str(host) else str(host)
        return f"http://{shown}:{port}"

    def start(self) -> VolatilityApi:
        # A short poll interval makes stop() prompt (shutdown waits for the next poll).
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="volatility-api",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # --- one connection ---------------------------------------------------------------------------

    def serve_connection(self, sock: socket.socket) -> None:
        """Requests on one connection until it closes, times out or must close."""
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        conn = h11.Connection(h11.SERVER, max_incomplete_event_size=self.limits.max_head_bytes)
        while True:
            try:
                event = self._read_head(sock, conn)
            except _HeadTimeoutError as timeout:
                if timeout.partial:
                    self._send(sock, conn, api_routes.error(408, "request_timeout", "request head too slow"))
                return
            except h11.RemoteProtocolError as exc:
                status = exc.error_status_hint
                code = "headers_too_large" if status == 431 else "bad_request"
                self._send(sock, conn, api_routes.error(status, code, f"malformed request: {exc}"))
                log.info("api request", extra={"status": status, "reason": code})
                return
            except OSError:  # reset by the client: nothing to answer, nothing worth an error line
                return
            if not isinstance(event, h11.Request):  # the client closed the connection
                return
            if not self._answer(sock, conn, event):
                return

    def _read_head(self, sock: socket.socket, conn: h11.Connection) -> object:
        """Receive until a complete request head (or the connection's end), within the idle and head
        timeouts; returns h11's event."""
        started = time.monotonic()
        first_byte_at: float | None = None
        while True:
            event = conn.next_event()
            if event is not h11.NEED_DATA:
                return event
            if first_byte_at is None:
                left = started + self.limits.idle_timeout_s - time.monotonic()
            else:
                left = first_byte_at + self.limits.head_timeout_s - time.monotonic()
            if left <= 0:
                raise _HeadTimeoutError(partial=first_byte_at is not None)
            sock.settimeout(left)
            try:
                data = sock.recv(4096)
            except TimeoutError:
                raise _HeadTimeoutError(partial=first_byte_at is not None) from None
            if data and first_byte_at is None:
                first_byte_at = time.monotonic()
            conn.receive_data(data)

    def _answer(self, sock: socket.socket, conn: h11.Connection, request: h11.Request) -> bool:
        """Reply to one request; True when the connection may carry another."""
        headers = {name: value for name, value in request.headers}  # lower-cased names (h11)
        method = request.method.decode("ascii", "replace")
        target = request.target.decode("ascii", "replace")
        authorization = headers.get(b"authorization")
        try:
            reply = api_routes.handle(
                method,
                target,
                None if authorization is None else authorization.decode("latin-1"),
                token=self._token,
                open_access=self._open,
                query=self._query,
            )
        except Exception as exc:  # a bug, not the client's fault: one log line, a JSON 500
            log.error("api request failed", extra={"error": type(exc).__name__})
            reply = api_routes.error(500, "internal_error", "the request could not be answered")
        announces_body = b"transfer-encoding" in headers or int(headers.get(b"content-length", b"0")) > 0
        if announces_body and not reply.is_error:
            reply = api_routes.error(413, "body_not_allowed", "this API takes no request body")
        keep_alive = not announces_body and conn.their_http_version == b"1.1"
        self._send(sock, conn, reply, head_only=method == "HEAD", close=not keep_alive)
        path = target.split("?", 1)[0][:200]  # never the query string: it could carry anything
        log.info("api request", extra={"method": method[:16], "path": path, "status": reply.status})
        if announces_body:
            self._drain(sock)
            return False
        if conn.our_state is not h11.DONE:
            return False
        if not isinstance(conn.next_event(), h11.EndOfMessage):
            return False
        conn.start_next_cycle()
        return True

    def _send(
        self, sock: socket.socket, conn: h11.Connection, reply: ApiReply, *, head_only: bool = False,
        close: bool = True,
    ) -> None:  # fmt: skip
        data = json.dumps(reply.body).encode()
        headers = [
            ("Content-Type", "application/json"),
            ("Cache-Control", "no-store"),
            ("Content-Length", str(len(data))),
            ("Server", "kalshi-bots"),
            *reply.headers.items(),
        ]
        if close:
            headers.append(("Connection", "close"))
        reason = HTTPStatus(reply.status).phrase.encode()
        sock.settimeout(self.limits.write_timeout_s)
        try:
            out = conn.send(h11.Response(status_code=reply.status, headers=headers, reason=reason))
            if not head_only:
                out = (out or b"") + (conn.send(h11.Data(data=data)) or b"")
            out = (out or b"") + (conn.send(h11.EndOfMessage()) or b"")
            sock.sendall(out)
        except (OSError, h11.LocalProtocolError):
            return  # the client went away, or the connection is past answering: nothing to add

    def _drain(self, sock: socket.socket) -> None:
        """Stop sending, then read and discard a little of what the client still sends, so that closing
        the socket does not reset the connection before the client has read the reply."""
        try:
            sock.shutdown(socket.SHUT_WR)
            deadline = time.monotonic() + self.limits.drain_timeout_s
            left = self.limits.drain_bytes
            while left > 0 and (remaining := deadline - time.monotonic()) > 0:
                sock.settimeout(remaining)
                chunk = sock.recv(min(left, 65536))
                if not chunk:
                    return
                left -= len(chunk)
        except OSError:
            return


class _Server(socketserver.ThreadingTCPServer):
    """Thread per connection, at most ``limits.max_connections`` at once."""

    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def __init__(self, address: tuple[str, int], api: VolatilityApi) -> None:
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self._api = api
        self._slots = threading.BoundedSemaphore(api.limits.max_connections)
        super().__init__(address, socketserver.BaseRequestHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self._slots.acquire(blocking=False):
            self._refuse_busy(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self._slots.release()
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self._slots.release()

    def finish_request(self, request: Any, client_address: Any) -> None:
        self._api.serve_connection(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # socketserver would print a traceback to stderr; one JSON line says enough.
        exc = sys.exc_info()[1]
        log.error("api connection failed", extra={"error": type(exc).__name__})

    @staticmethod
    def _refuse_busy(sock: socket.socket) -> None:
        body = json.dumps({"error": "busy", "message": "too many connections; try again shortly"}).encode()
        head = (
            "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\n"
            f"Connection: close\r\nContent-Length: {len(body)}\r\n\r\n"
        ).encode()
        try:
            sock.settimeout(1.0)
            sock.sendall(head + body)
        except OSError:
            pass


def query_from_store(store: PriceStore, clock: Clock) -> VolatilityQuery:
    """VOL/LATEST of ``store`` with its age on ``clock``."""
    from kalshi_bots.entrypoints.volatility_view import volatility_payload

    def query(asset: Asset) -> dict[str, Any] | None:
        return volatility_payload(store, asset, clock.now())

    return query


def serve_from_settings(
    settings: Settings,
    *,
    host: str | None = None,
    port: int | None = None,
    open_access: bool = False,
    clock: Clock | None = None,
) -> int:
    """``kalshi-bots serve``: serve until Ctrl-C or SIGTERM."""
    from kalshi_bots import bootstrap
    from kalshi_bots.entrypoints.scheduler import install_stop_signals

    store = bootstrap.open_configured_store(settings)
    api = VolatilityApi(
        query_from_store(store, clock or bootstrap.system_clock()),
        token=settings.api.token,
        host=host or settings.api.host,
        port=port if port is not None else settings.api.port,
        open_access=open_access,
    )
    stop = threading.Event()
    install_stop_signals(stop)
    api.start()
    access = "open (no token, localhost only)" if settings.api.token is None else "bearer token required"
    print(f"serving GET {api.url}/volatility/{{asset}}, {access}; Ctrl-C to stop", flush=True)
    log.info("api started", extra={"url": api.url})
    try:
        while not stop.wait(1.0):
            pass
    finally:
        api.stop()
        log.info("api stopped")
    return 0


__all__ = ["ApiConfigError", "ServerLimits", "VolatilityApi", "check_exposure", "serve_from_settings"]
