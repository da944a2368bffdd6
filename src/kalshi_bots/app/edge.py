"""Applying the edge gate (:mod:`kalshi_bots.domain.edge_gate`) in the trading jobs.

``edge_gate_refusal(deps, bot, now)`` is asked right before a live order would be placed (after the decision,
so a gated live bot still records its decisions as evidence). Paper and demo return at once without
reading anything. With the override it logs a loud warning on every order it lets through. Without it,
it computes the bot's scorecard over everything the recorder keeps; a store that fails, or no snapshot
store at all, means no figures and so no live order.
"""

from __future__ import annotations

import logging
from datetime import datetime

from kalshi_bots.app.deps import Deps
from kalshi_bots.app.logs import log_event
from kalshi_bots.domain.decision import Refusal
from kalshi_bots.domain.edge_gate import EdgeEvidence, edge_gate
from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.models import Bot, Mode
from kalshi_bots.ports.errors import StoreError

logger = logging.getLogger(__name__)


def edge_gate_refusal(deps: Deps, bot: Bot, now: datetime) -> Refusal | None:
    """None = the order may go ahead; a ``no_edge_evidence`` refusal otherwise (live mode only)."""
    params = deps.params
    if params.mode is not Mode.LIVE:
        return None
    override = params.edge.live_without_edge
    evidence, unavailable = (None, "") if override else _evidence(deps, bot, now)
    verdict = edge_gate(
        params.mode,
        evidence,
        min_decisions=params.edge.min_decisions,
        override=override,
        unavailable=unavailable,
    )
    if verdict.overridden:
        log_event(
            logger,
            "edge_gate.overridden",
            f"!!! {bot}: LIVE ORDER WITHOUT EVIDENCE OF AN EDGE ({verdict.detail}) !!!",
            logging.WARNING,
            bot=bot,
        )
    elif verdict.allowed:
        log_event(logger, "edge_gate.passed", f"{bot}: {verdict.detail}", bot=bot)
    return verdict.refusal


def _evidence(deps: Deps, bot: Bot, now: datetime) -> tuple[EdgeEvidence | None, str]:
    # Imported here: only a live order asks for the scorecard, and a paper or demo cold start (every
    # trading Lambda by default) should not pay for its modules (issue 13's import budget).
    from kalshi_bots.app.scorecard import scorecard
    from kalshi_bots.domain.scorecard import edge_evidence

    if deps.snapshots is None:
        return None, "this store records no decisions"
    try:
        card = scorecard(deps.store, deps.snapshots, now=now, days=deps.params.recorder.ttl_days, bots=(bot,))
    except (StoreError, DomainError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return edge_evidence(card.bots[0].total), ""
