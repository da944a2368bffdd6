"""The volatility HTTP API: ``GET /volatility/{asset}`` -> VOL/LATEST as JSON with its age.

- ``Authorization: Bearer <token>`` is checked with :func:`hmac.compare_digest` (constant time), so the
  reply time does not leak how much of a guess was right.
- With no token configured the server refuses to start, unless told ``--open`` *and* bound to a
  loopback address: an open API on a network interface is never an accident.
- Errors are JSON: 401 (missing/wrong token), 404 (unknown path or asset, no data yet), 405 (not GET),
  503 (store unreadable).

Standard library only (``ThreadingHTTPServer``): nothing to install, starts in milliseconds.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import logging
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from pydantic import SecretStr

from kalshi_bots.domain.models import Asset
from kalshi_bots.ports.errors import StoreError

if TYPE_CHECKING:
    from kalshi_bots.config import Settings

log = logging.getLogger(__name__)

# asset -> the JSON payload, or None when there is no VOL/LATEST yet. Raises StoreError when unreadable.
VolatilityQuery = Callable[[Asset], dict[str, Any] | None]
_PATH = re.compile(r"^/volatility/([A-Za-z]+)/?$")


class ApiConfigError(ValueError):
    """The server would start insecurely; the message says how to start it safely."""


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


def token_matches(header: str | None, token: SecretStr) -> bool:
    """Whether an ``Authorization`` header carries ``token``, compared in constant time."""
    if header is None:
        return False
    scheme, _, given = header.strip().partition(" ")
    if scheme.lower() != "bearer":
        return False
    return hmac.compare_digest(given.strip().encode(), token.get_secret_value().encode())


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
    ) -> None:
        check_exposure(token, host, open_access)
        self._query = query
        self._token = token
        self._server = ThreadingHTTPServer((host, port), self._handler_class())
        self._server.daemon_threads = True
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

    def respond(self, method: str, path: str, authorization: str | None) -> tuple[int, dict[str, Any]]:
        """(status, JSON body) for one request. Pure of sockets, so tests can call it directly."""
        if method != "GET":
            return 405, {"error": "method_not_allowed", "message": f"{method} is not supported; use GET"}
        if self._token is not None and not token_matches(authorization, self._token):
            why = "missing" if not authorization else "wrong"
            return 401, {"error": "unauthorized", "message": f"{why} bearer token"}
        match = _PATH.match(path.split("?", 1)[0])
        if match is None:
            return 404, {"error": "not_found", "message": "use GET /volatility/{asset}, asset BTC or ETH"}
        try:
            asset = Asset(match.group(1).upper())
        except ValueError:
            return 404, {"error": "unknown_asset", "message": f"no asset {match.group(1)!r}; use BTC or ETH"}
        try:
            payload = self._query(asset)
        except StoreError as exc:
            log.error("volatility query failed", extra={"asset": asset.value, "reason": str(exc)})
            return 503, {"error": "store_unavailable", "message": "the store cannot be read right now"}
        if payload is None:
            return 404, {"error": "no_data", "message": f"no volatility for {asset.value} yet"}
        return 200, payload

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            server_version = "kalshi-bots"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:  # JSON logs only, below
                return

            def _reply(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, body = api.respond(self.command, self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Cache-Control", "no-store")
                if status == 401:
                    self.send_header("WWW-Authenticate", 'Bearer realm="kalshi-bots"')
                if status == 405:
                    self.send_header("Allow", "GET")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data)
                log.info("api request", extra={"method": self.command, "path": self.path, "status": status})

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _reply  # noqa: N815

        return _Handler


def serve_from_settings(
    settings: Settings, *, host: str | None = None, port: int | None = None, open_access: bool = False
) -> int:
    """``kalshi-bots serve``: serve until Ctrl-C or SIGTERM."""
    from kalshi_bots import bootstrap
    from kalshi_bots.entrypoints.scheduler import install_stop_signals
    from kalshi_bots.entrypoints.volatility_view import volatility_payload

    store = bootstrap.open_configured_store(settings)
    clock = bootstrap.system_clock()
    api = VolatilityApi(
        lambda asset: volatility_payload(store, asset, clock.now()),
        token=settings.api_token,
        host=host or settings.api_host,
        port=port if port is not None else settings.api_port,
        open_access=open_access,
    )
    stop = threading.Event()
    install_stop_signals(stop)
    api.start()
    access = "open (no token, localhost only)" if settings.api_token is None else "bearer token required"
    print(f"serving GET {api.url}/volatility/{{asset}}, {access}; Ctrl-C to stop", flush=True)
    log.info("api started", extra={"url": api.url})
    try:
        while not stop.wait(1.0):
            pass
    finally:
        api.stop()
        log.info("api stopped")
    return 0
