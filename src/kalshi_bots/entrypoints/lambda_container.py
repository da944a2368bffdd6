"""What one Lambda container builds once and reuses across invocations: the settings (with the SSM
secrets), the job dependencies and the API token.

Built lazily on the first invocation, not at import: the first call pays for pydantic and botocore, and
:func:`kalshi_bots.bootstrap.build_deps` defers each adapter until the job first uses it, so a collector
never loads the Kalshi client. Later invocations in the same container reuse everything.
"""

from __future__ import annotations

import os
import threading
from typing import TYPE_CHECKING

from kalshi_bots.entrypoints.lambda_secrets import read_ssm_secure_string, secret_environ

if TYPE_CHECKING:
    from kalshi_bots.app.deps import Deps
    from kalshi_bots.ports.clock import Clock


class Container:
    """The container's dependencies and API token, built on first use (thread-safe)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._deps: Deps | None = None
        self._api_token: str | None = None
        self._clock: Clock | None = None  # None = the system clock

    def deps(self) -> Deps:
        with self._lock:
            if self._deps is None:
                self._build()
            assert self._deps is not None
            return self._deps

    def api_token(self) -> str | None:
        self.deps()
        return self._api_token

    def reset(self, clock: Clock | None = None) -> None:
        with self._lock:
            self._deps = None
            self._api_token = None
            self._clock = clock

    def _build(self) -> None:
        from kalshi_bots.bootstrap import build_deps
        from kalshi_bots.config import Settings

        environ = dict(os.environ)
        environ.update(secret_environ(environ, read_ssm_secure_string))
        settings = Settings.from_env(environ)
        _route_logs(settings.log_level)
        self._deps = build_deps(settings, clock=self._clock, defer_adapters=True)
        token = settings.api.token
        self._api_token = token.get_secret_value() if token is not None else None


CONTAINER = Container()


def _route_logs(level: str) -> None:
    """Job events as one JSON line each. On Lambda the runtime's own root handler would print every
    record a second time in its text format, so it is removed there (and only there)."""
    import logging

    from kalshi_bots.entrypoints.logs import setup_logging

    if "AWS_LAMBDA_FUNCTION_NAME" in os.environ:
        root = logging.getLogger()
        for handler in list(root.handlers):
            root.removeHandler(handler)
    setup_logging(level)


def reset_container(clock: Clock | None = None) -> None:
    """Forget the cached dependencies, optionally running the next ones on ``clock`` (tests; a real
    container never needs this)."""
    CONTAINER.reset(clock)
