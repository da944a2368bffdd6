"""``kalshi-bots dashboard``: the web dashboard (standard library ``http.server``, one page).

Security follows Jupyter's model:

- it binds 127.0.0.1 by default, and refuses any other address unless ``KALSHI_BOTS_DASHBOARD_TOKEN``
  is set (a generated token is only good enough for a page nobody else can reach);
- every request needs the token: ``?token=`` once (answered with an HttpOnly, SameSite=Strict cookie
  and a redirect that drops the token from the address bar), then the cookie, or an
  ``Authorization: Bearer`` header. Anything else is ``401`` with no data;
- state changes (halt, resume) are POST only and need a CSRF token (an HMAC of the access token)
  from the page's own form, and a same-origin ``Origin`` when the browser sends one;
- responses are ``no-store``, cannot be framed, send no referrer to other sites, and
  the Content-Security-Policy allows no script at all.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import threading
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from http.cookies import SimpleCookie
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kalshi_bots.app import risk
from kalshi_bots.app.alerts import notify_kill_switch
from kalshi_bots.app.schedule import JobName
from kalshi_bots.config import Settings
from kalshi_bots.entrypoints.api_routes import token_matches
from kalshi_bots.entrypoints.dashboard_data import DashboardSource
from kalshi_bots.entrypoints.dashboard_page import TradeFilter, render_page, render_unauthorized
from kalshi_bots.ports.clock import Clock
from kalshi_bots.ports.store import Store

log = logging.getLogger(__name__)

LOCAL_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
MAX_FORM_BYTES = 4096
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    # Not "no-referrer": with it a browser sends "Origin: null" on the page's own forms, which the
    # same-origin check would then refuse. "same-origin" still never sends a referrer elsewhere.
    "Referrer-Policy": "same-origin",
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    ),
}


class DashboardConfigError(ValueError):
    """The dashboard would start insecurely (a usage error, exit 2)."""


@dataclass(frozen=True, slots=True)
class Access:
    host: str
    port: int
    token: str
    generated: bool  # True = made up at start (printed once), False = from KALSHI_BOTS_DASHBOARD_TOKEN

    @property
    def csrf(self) -> str:
        return hmac.new(self.token.encode(), b"kalshi-bots-dashboard-csrf", hashlib.sha256).hexdigest()

    @property
    def cookie_name(self) -> str:
        # Cookies ignore ports: two dashboards on one host must not overwrite each other's.
        return f"kalshi_bots_{self.port}"

    def url(self, port: int | None = None) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "::", "") else self.host  # noqa: S104
        shown = f"[{host}]" if ":" in host else host
        return f"http://{shown}:{port or self.port}/?token={self.token}"


def make_access(host: str, port: int, token: str | None) -> Access:
    """Refuse a non-local bind without a configured token; generate one for localhost."""
    if token is not None and len(token) < 16:
        raise DashboardConfigError("KALSHI_BOTS_DASHBOARD_TOKEN is too short: use at least 16 characters")
    if token is None and host not in LOCAL_HOSTS:
        raise DashboardConfigError(
            f"refusing to serve the dashboard on {host} without KALSHI_BOTS_DASHBOARD_TOKEN: anyone who "
            "can reach that address could halt trading. Set a long random token, or keep 127.0.0.1"
        )
    if token is None:
        return Access(host, port, secrets.token_urlsafe(24), generated=True)
    return Access(host, port, token, generated=False)


def _same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


class Dashboard:
    """The HTTP server around a :class:`DashboardSource`. ``start()`` serves in a daemon thread."""

    def __init__(self, source: DashboardSource, access: Access) -> None:
        self.source = source
        self.access = access
        self._httpd = ThreadingHTTPServer((access.host, access.port), self._handler_class())
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """The address with its ``?token=`` (what a browser opens)."""
        return self.access.url(self.port)

    @property
    def shown_url(self) -> str:
        """What to print: a generated token is part of the URL (it is new and lives only in this
        process, as Jupyter does); a configured one is a secret the user already has, never printed."""
        if self.access.generated:
            return self.url
        return self.url.split("?", 1)[0] + " (open it with ?token=<KALSHI_BOTS_DASHBOARD_TOKEN>)"

    def start(self) -> Dashboard:
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.2}, name="dashboard", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._httpd.serve_forever(poll_interval=0.2)

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a serve loop: only ask a running one
            self._httpd.shutdown()
            self._thread.join(timeout=5)
        self._httpd.server_close()

    # --- requests -----------------------------------------------------------------------------------

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        dashboard = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "kalshi-bots-dashboard"
            sys_version = ""

            def log_message(self, format: str, *args: Any) -> None:
                return  # request lines would carry ?token=...: never log them

            def do_GET(self) -> None:
                dashboard.handle(self, "GET")

            def do_POST(self) -> None:
                dashboard.handle(self, "POST")

        return Handler

    def handle(self, request: BaseHTTPRequestHandler, method: str) -> None:
        try:
            self._route(request, method)
        except Exception as exc:
            log.warning("dashboard request failed", extra={"error": f"{type(exc).__name__}: {exc}"})
            self._send(
                request, HTTPStatus.INTERNAL_SERVER_ERROR, "text/plain", "dashboard error: see the log"
            )

    def _route(self, request: BaseHTTPRequestHandler, method: str) -> None:
        parts = urlsplit(request.path)
        query = parse_qs(parts.query)
        given = query.get("token", [None])[0]
        if method == "GET" and given is not None:
            if not _same(given, self.access.token):
                self._unauthorized(request)
                return
            # Trade the URL's token for a cookie, and drop it from the address bar (and history).
            rest = "&".join(p for p in parts.query.split("&") if not p.startswith("token="))
            cookie = f"{self.access.cookie_name}={self.access.token}; HttpOnly; SameSite=Strict; Path=/"
            # Always back to this server's one page: never a path from the request ("//host" would leave).
            self._redirect(request, "/" + (f"?{rest}" if rest else ""), cookie)
            return
        if not self._authorized(request):
            self._unauthorized(request)
            return
        if method == "GET" and parts.path == "/":
            self._page(request, query)
        elif method == "POST" and parts.path in ("/halt", "/resume"):
            self._kill_switch(request, parts.path == "/halt")
        else:
            self._send(request, HTTPStatus.NOT_FOUND, "text/plain", "not found")

    def _authorized(self, request: BaseHTTPRequestHandler) -> bool:
        if token_matches(request.headers.get("Authorization"), self.access.token):
            return True  # the API's bearer check (one implementation for every server)
        jar = SimpleCookie()
        try:
            jar.load(request.headers.get("Cookie", ""))
        except Exception:
            return False
        morsel = jar.get(self.access.cookie_name)
        return morsel is not None and _same(morsel.value, self.access.token)

    def _page(self, request: BaseHTTPRequestHandler, query: dict[str, list[str]]) -> None:
        notice = ""
        bot = query.get("bot", [""])[0].strip()
        day_text = query.get("day", [""])[0].strip()
        day = None
        if day_text:
            try:
                day = date.fromisoformat(day_text)
            except ValueError:
                notice = f"ignored day filter {day_text[:20]!r}: use YYYY-MM-DD"
        data = self.source.gather()
        if bot and bot not in {t.bot for t in data.portfolio.trades}:
            notice, bot = f"no trades by bot {bot[:30]!r}", ""
        html = render_page(data, csrf=self.access.csrf, selected=TradeFilter(bot, day), notice=notice)
        self._send(request, HTTPStatus.OK, "text/html; charset=utf-8", html)

    def _kill_switch(self, request: BaseHTTPRequestHandler, halt: bool) -> None:
        origin = request.headers.get("Origin")
        host = request.headers.get("Host", "")
        if origin is not None and urlsplit(origin).netloc != host:
            self._send(request, HTTPStatus.FORBIDDEN, "text/plain", "cross-origin request refused")
            return
        raw_length = request.headers.get("Content-Length") or "0"
        length = int(raw_length) if raw_length.isdigit() else -1
        if not 0 <= length <= MAX_FORM_BYTES:
            self._send(request, HTTPStatus.BAD_REQUEST, "text/plain", "form missing or too large")
            return
        form = parse_qs(request.rfile.read(length).decode("utf-8", "replace"))
        if not _same(form.get("csrf", [None])[0], self.access.csrf):
            self._send(
                request, HTTPStatus.FORBIDDEN, "text/plain", "missing or wrong CSRF token: reload the page"
            )
            return
        store, notifier = self.source.store, self.source.notifier
        if halt:
            reason = form.get("reason", [""])[0].strip()[:120] or "halted from the dashboard"
            stamped = f"{reason} ({self.source.clock.now():%Y-%m-%d %H:%M}Z)"
            risk.halt(store, stamped)
            notify_kill_switch(notifier, on=True, reason=stamped, source="dashboard")
        else:
            risk.resume(store)
            notify_kill_switch(notifier, on=False, reason="", source="dashboard")
        self._redirect(request, "/", None)

    # --- responses ------------------------------------------------------------------------------------

    def _unauthorized(self, request: BaseHTTPRequestHandler) -> None:
        self._send(request, HTTPStatus.UNAUTHORIZED, "text/html; charset=utf-8", render_unauthorized())

    def _redirect(self, request: BaseHTTPRequestHandler, location: str, cookie: str | None) -> None:
        request.send_response(HTTPStatus.SEE_OTHER)
        request.send_header("Location", location or "/")
        if cookie:
            request.send_header("Set-Cookie", cookie)
        for name, value in SECURITY_HEADERS.items():
            request.send_header(name, value)
        request.send_header("Content-Length", "0")
        request.end_headers()

    def _send(
        self, request: BaseHTTPRequestHandler, status: HTTPStatus, content_type: str, body: str
    ) -> None:
        data = body.encode("utf-8")
        request.send_response(status)
        request.send_header("Content-Type", content_type)
        for name, value in SECURITY_HEADERS.items():
            request.send_header(name, value)
        request.send_header("Content-Length", str(len(data)))
        request.end_headers()
        request.wfile.write(data)


# --- composition (CLI) ------------------------------------------------------------------------------------


def source_from_settings(
    settings: Settings, *, store: Store, clock: Clock, jobs: frozenset[JobName]
) -> DashboardSource:
    from kalshi_bots.bootstrap import build_notifier, display_market_data, job_params, snapshot_store_of
    from kalshi_bots.entrypoints.cli_output import store_label

    return DashboardSource(
        store=store,
        market=display_market_data(settings),
        clock=clock,
        limits=job_params(settings).budget,
        jobs=jobs,
        mode=settings.mode.value,
        store_label=store_label(settings),
        notifier=build_notifier(settings),
        snapshots=snapshot_store_of(store),
        # The period the edge gate judges on: everything the recorder still keeps.
        scorecard_days=settings.recorder.ttl_days,
    )


def start_dashboard(
    settings: Settings, source: DashboardSource, *, host: str | None = None, port: int | None = None
) -> Dashboard:
    """Check the access rules, bind and serve in a background thread. Raises DashboardConfigError (insecure)
    or OSError (port taken)."""
    token = settings.dashboard.token.get_secret_value() if settings.dashboard.token is not None else None
    access = make_access(
        host or settings.dashboard.host, settings.dashboard.port if port is None else port, token
    )
    return Dashboard(source, access).start()
