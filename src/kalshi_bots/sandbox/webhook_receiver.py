"""A fake webhook receiver (Slack, Discord, Telegram or any JSON endpoint): records every POST.

``with FakeWebhookReceiver() as hooks:`` -> ``hooks.url("slack/T000/B000/secret")`` is a URL to give
``KALSHI_BOTS_ALERT_WEBHOOKS``; ``hooks.posts`` lists what arrived. ``answer`` sets the status code it
replies with (a receiver that refuses), ``delay_s`` makes it slow (a receiver that hangs).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from kalshi_bots.sandbox.server import FakeServer, Request, Response, ServedFake


@dataclass(frozen=True, slots=True)
class Post:
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any  # parsed JSON


class FakeWebhookReceiver(ServedFake):
    def __init__(self) -> None:
        self.server = FakeServer()
        self.posts: list[Post] = []
        self.answer = 200
        self.delay_s = 0.0
        self.server.route("POST", r"/.*", self._receive)

    def _receive(self, request: Request) -> Response:
        if self.delay_s:
            time.sleep(self.delay_s)
        with self.server.lock:
            self.posts.append(Post(request.path, request.query, request.headers, request.json()))
        return Response.json({"ok": self.answer < 300}, self.answer)

    def url(self, path: str = "hook") -> str:
        return f"{self.server.url}/{path.lstrip('/')}"
