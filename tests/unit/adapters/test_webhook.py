"""The webhook adapter: body by host, secrets scrubbed, URLs never logged whole."""

from __future__ import annotations

import logging

import pytest

from kalshi_bots.adapters.webhook import (
    WebhookFormat,
    WebhookNotifier,
    WebhookTarget,
    format_for,
    request_for,
    safe_name,
    scrub,
)
from kalshi_bots.ports.notifier import Alert
from kalshi_bots.sandbox.webhook_receiver import FakeWebhookReceiver

ALERT = Alert("trade.placed", "BUY NO 5 x T @ 81c", {"contract_ticker": "T", "quantity": 5})
PEM = "-----BEGIN " + "PRIVATE KEY-----\nMIIEabc\n-----END " + "PRIVATE KEY-----"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://hooks.slack.com/services/T0/B0/secret", WebhookFormat.SLACK),
        ("https://discord.com/api/webhooks/1/secret", WebhookFormat.DISCORD),
        ("https://discordapp.com/api/webhooks/1/secret", WebhookFormat.DISCORD),
        ("https://api.telegram.org/bot123:secret/sendMessage?chat_id=42", WebhookFormat.TELEGRAM),
        ("https://example.com/hooks/kalshi", WebhookFormat.JSON),
        ("https://hooks.slack.com.evil.example/x", WebhookFormat.JSON),
    ],
)
def test_the_format_follows_the_host(url, expected):
    assert format_for(url) is expected


def test_each_format_gets_its_body():
    slack = request_for(WebhookTarget.of("https://hooks.slack.com/services/T/B/s"), ALERT, ())
    assert slack == ("https://hooks.slack.com/services/T/B/s", {"text": ALERT.text})
    assert request_for(WebhookTarget.of("https://discord.com/api/webhooks/1/s"), ALERT, ())[1] == {
        "content": ALERT.text
    }
    url, body = request_for(
        WebhookTarget.of("https://api.telegram.org/bot1:s/sendMessage?chat_id=-100"), ALERT, ()
    )
    assert url == "https://api.telegram.org/bot1:s/sendMessage"
    assert body["chat_id"] == "-100" and body["text"] == ALERT.text
    generic = request_for(WebhookTarget.of("https://example.com/h"), ALERT, ())[1]
    assert generic == {"event": "trade.placed", "text": ALERT.text, "contract_ticker": "T", "quantity": 5}


def test_secrets_and_pem_keys_are_scrubbed_everywhere():
    alert = Alert("job.error", f"failed with tok-123 and {PEM}", {"detail": ["tok-123", {"k": PEM}]})
    _, body = request_for(WebhookTarget.of("https://example.com/h"), alert, ("tok-123",))
    text = str(body)
    assert "tok-123" not in text and "MIIE" not in text and "[redacted]" in text
    assert scrub(5, ("5",)) == 5


def test_a_webhook_url_is_shown_by_its_host_only():
    assert safe_name("https://hooks.slack.com/services/T0/B0/secret") == "https://hooks.slack.com/..."


def test_slack_discord_and_telegram_bodies_over_http_and_the_urls_never_leak(caplog):
    caplog.set_level(logging.DEBUG)
    with FakeWebhookReceiver() as hooks:
        targets = [
            WebhookTarget(hooks.url("services/T0/B0/slack-secret"), WebhookFormat.SLACK),
            WebhookTarget(hooks.url("api/webhooks/1/discord-secret"), WebhookFormat.DISCORD),
            WebhookTarget(hooks.url("botTG-secret/sendMessage?chat_id=7"), WebhookFormat.TELEGRAM),
        ]
        notifier = WebhookNotifier(targets)
        leaky = Alert("job.error", f"see {targets[0].url}", {})
        notifier.send(ALERT)
        notifier.send(leaky)
        hooks.answer = 500
        notifier.send(ALERT)  # refused: logged, muted, never raised
        notifier.send(ALERT)  # muted: not even tried
        notifier.close()
    bodies = [p.body for p in hooks.posts]
    telegram = {"chat_id": "7", "text": ALERT.text, "disable_web_page_preview": True}
    assert bodies[:3] == [{"text": ALERT.text}, {"content": ALERT.text}, telegram]
    assert "slack-secret" not in str(bodies[3:6]) and "[redacted]" in str(bodies[3])
    assert len(hooks.posts) == 9  # 3 + 3 + 3 refused, then nothing while muted
    logged = " ".join(f"{r.getMessage()} {getattr(r, 'fields', '')}" for r in caplog.records)
    assert "HTTP 500" in logged and "muted" in logged
    assert not any(secret in logged for secret in ("slack-secret", "discord-secret", "TG-secret"))
