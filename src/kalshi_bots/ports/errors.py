"""The one error tree every adapter maps its failures onto.

Jobs catch these, never library exceptions: a ``TransientError`` may be retried (by the platform or
the next scheduled run); everything else means "do not trade, say why".
"""

from __future__ import annotations


class ExternalServiceError(Exception):
    """Base for failures of an outside service. ``service`` names it (kalshi, coinbase, nws, store)."""

    def __init__(self, service: str, message: str) -> None:
        super().__init__(f"{service}: {message}")
        self.service = service
        self.message = message


class TransientError(ExternalServiceError):
    """Timeouts, connection errors, 5xx, 429 after the retry budget: try again later."""


class RejectedError(ExternalServiceError):
    """The service understood the request and refused it (4xx with a code)."""

    def __init__(self, service: str, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(service, message)
        self.code = code
        self.status = status


class AuthError(ExternalServiceError):
    """Credentials missing, malformed or refused (401/403, unreadable key file)."""


class NotFoundError(ExternalServiceError):
    """The thing asked for does not exist (404, missing market or event)."""


class MalformedResponseError(ExternalServiceError):
    """The reply could not be parsed into what we need (bad JSON, missing field, wrong type)."""


class StaleDataError(ExternalServiceError):
    """The reply parsed but is too old to act on (e.g. an NWS forecast past its update window)."""


class OrderOutcomeUnknownError(ExternalServiceError):
    """An order POST got no definite answer and the lookup by client_order_id found nothing yet.

    The order may or may not exist: never resend; reconciliation settles it later.
    """

    def __init__(self, service: str, message: str, client_order_id: str) -> None:
        super().__init__(service, message)
        self.client_order_id = client_order_id


class StoreError(ExternalServiceError):
    """The store could not be read or written. Money paths treat this as "do not trade"."""

    def __init__(self, message: str) -> None:
        super().__init__("store", message)


class ConflictError(StoreError):
    """A conditional write lost (claim taken, budget exhausted)."""
