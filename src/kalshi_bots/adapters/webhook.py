"""Alerts over HTTP webhooks (implements :class:`kalshi_bots.ports.notifier.Notifier`).

The body follows the host: Slack incoming webhooks (``{"text"}``), Discord webhooks (``{"content"}``),
the Telegram bot API (``.../bot<token>/sendMessage?chat_id=<id>`` -> ``{"chat_id", "text"}``), and for
any other receiver a generic JSON object: ``event``, ``text`` and the alert's fields.

Delivery never gets in the way of trading:

- one attempt per alert and URL, with a short timeout (default 3 s, 2 s to connect);
- a URL that failed is muted for ``mute_s`` (5 minutes), so a dead receiver costs one timeout, not
  one per alert (no retry storm);
- :meth:`WebhookNotifier.send` never raises; failures are logged with the URL's host only.

Secrets: a webhook URL carries its own token (Slack and Discord paths, the Telegram bot token), so a
URL is never logged whole and never put in a payload. Before sending, every text in the alert is
scrubbed of the configured secret values and of anything that looks like a PEM key.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx

from kalshi_bots.app.logs import log_event
from kalshi_bots.ports.notifier import Alert

logger = logging.getLogger(__name__)

REDACTED = "[redacted]"
PEM_BLOCK = re.compile(r"-----BEGIN [A-Z ]+-----.*?(-----END [A-Z ]+-----|$)", re.DOTALL)
DISCORD_LIMIT = 2000  # characters of "content"
TELEGRAM_LIMIT = 4096


class WebhookFormat(StrEnum):
    SLACK = "slack"
    DISCORD = "discord"
    TELEGRAM = "telegram"
    JSON = "json"


def format_for(url: str) -> WebhookFormat:
    host = (urlsplit(url).hostname or "").lower()
    if host == "hooks.slack.com" or host.endswith(".slack.com"):
        return WebhookFormat.SLACK
    if host in ("discord.com", "discordapp.com", "ptb.discord.com", "canary.discord.com"):
        return WebhookFormat.DISCORD
    if host == "api.telegram.org":
        return WebhookFormat.TELEGRAM
    return WebhookFormat.JSON


def safe_name(url: str) -> str:
    """What a log may say about a webhook: its scheme and host (the path and query hold tokens)."""
    parts = urlsplit(url)
    port = f":{parts.port}" if parts.port else ""
    return f"{parts.scheme}://{parts.hostname}{port}/..."


@dataclass(frozen=True, slots=True)
class WebhookTarget:
    url: str
    format: WebhookFormat

    @classmethod
    def of(cls, url: str) -> WebhookTarget:
        return cls(url, format_for(url))


def scrub(value: Any, secrets: Sequence[str]) -> Any:
    """``value`` with every secret replaced by ``[redacted]`` (strings inside containers too)."""
    if isinstance(value, str):
        text = PEM_BLOCK.sub(REDACTED, value)
        for secret in secrets:
            text = text.replace(secret, REDACTED)
        return text
    if isinstance(value, Mapping):
        return {str(k): scrub(v, secrets) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(v, secrets) for v in value]
    return value


def request_for(target: WebhookTarget, alert: Alert, secrets: Sequence[str]) -> tuple[str, dict[str, Any]]:
    """(URL to POST to, JSON body) for one target."""
    text = scrub(alert.text, secrets)
    if target.format is WebhookFormat.SLACK:
        return target.url, {"text": text}
    if target.format is WebhookFormat.DISCORD:
        return target.url, {"content": text[:DISCORD_LIMIT]}
    if target.format is WebhookFormat.TELEGRAM:
        parts = urlsplit(target.url)
        chat = parse_qs(parts.query).get("chat_id", [""])[0]
        base = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
        return base, {"chat_id": chat, "text": text[:TELEGRAM_LIMIT], "disable_web_page_preview": True}
    fields = scrub(alert.fields, secrets)
    return target.url, {**fields, "event": alert.event, "text": text}


class WebhookNotifier:
    def __init__(
        self,
        urls: Iterable[str | WebhookTarget],
        *,
        secrets: Sequence[str] = (),
        timeout: httpx.Timeout | None = None,
        mute_s: float = 300.0,
        monotonic: Callable[[], float] = time.monotonic,
        http: httpx.Client | None = None,
    ) -> None:
        self.targets = tuple(u if isinstance(u, WebhookTarget) else WebhookTarget.of(u) for u in urls)
        # The URLs themselves are secret-ish: never echo one back in a payload.
        self._secrets = tuple(sorted({*secrets, *(t.url for t in self.targets)}, key=len, reverse=True))
        self._http = http or httpx.Client(timeout=timeout or httpx.Timeout(3.0, connect=2.0))
        self._mute_s = mute_s
        self._monotonic = monotonic
        self._muted_until: dict[str, float] = {}
        # httpx logs every request line with its full URL at INFO (httpcore at DEBUG): for a webhook
        # that is the token. Keep those loggers at WARNING whoever configured logging.
        for name in ("httpx", "httpcore"):
            library = logging.getLogger(name)
            if library.getEffectiveLevel() < logging.WARNING:
                library.setLevel(logging.WARNING)

    def close(self) -> None:
        self._http.close()

    def send(self, alert: Alert) -> None:
        for target in self.targets:
            try:
                self._send_one(target, alert)
            except Exception as exc:  # a notifier must never break the caller
                self._failed(target, alert, type(exc).__name__)

    def _send_one(self, target: WebhookTarget, alert: Alert) -> None:
        now = self._monotonic()
        if self._muted_until.get(target.url, 0.0) > now:
            log_event(logger, "alert.skipped", f"alert {alert.event} not sent: {safe_name(target.url)} muted",
                      logging.DEBUG, alert_event=alert.event, webhook=safe_name(target.url))  # fmt: skip
            return
        url, body = request_for(target, alert, self._secrets)
        try:
            response = self._http.post(url, json=body)
        except httpx.HTTPError as exc:
            # Only the exception's type: httpx messages can contain the URL (and so its token).
            self._failed(target, alert, type(exc).__name__)
            return
        if response.status_code >= 300:
            self._failed(target, alert, f"HTTP {response.status_code}")
            return
        self._muted_until.pop(target.url, None)
        log_event(logger, "alert.sent", f"alert {alert.event} sent to {safe_name(target.url)}",
                  logging.DEBUG, alert_event=alert.event, webhook=safe_name(target.url))  # fmt: skip

    def _failed(self, target: WebhookTarget, alert: Alert, why: str) -> None:
        self._muted_until[target.url] = self._monotonic() + self._mute_s
        log_event(
            logger,
            "alert.failed",
            f"alert {alert.event} not sent to {safe_name(target.url)}: {why} "
            f"(muted for {self._mute_s:.0f} s)",
            logging.WARNING,
            alert_event=alert.event,
            webhook=safe_name(target.url),
            error=why,
        )
