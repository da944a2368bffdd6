"""The edge gate as a pure rule: live orders only on evidence; paper and demo never gated; fail closed."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from kalshi_bots.domain.edge_gate import DEFAULT_MIN_DECISIONS, EdgeEvidence, edge_gate
from kalshi_bots.domain.models import Bot, Mode
from kalshi_bots.domain.reasons import NoTradeReason

GOOD = EdgeEvidence(
    bot=Bot.BTC_HOURLY,
    decisions=240,
    contracts=240,
    model_log_loss=0.2500,
    market_log_loss=0.2600,
    log_loss_difference=-0.0100,
    log_loss_difference_se=0.0040,
    settled_trades=12,
    realized_pnl=Decimal("1.25"),
)


def test_the_reason_is_the_last_of_the_enum_so_existing_values_keep_their_order() -> None:
    assert list(NoTradeReason)[-1] is NoTradeReason.NO_EDGE_EVIDENCE
    assert NoTradeReason.NO_EDGE_EVIDENCE.value == "no_edge_evidence"
    assert DEFAULT_MIN_DECISIONS == 200


def test_passes_with_evidence() -> None:
    verdict = edge_gate(Mode.LIVE, GOOD)
    assert verdict.allowed and verdict.refusal is None and verdict.gated and not verdict.overridden
    assert "240 scored decisions" in verdict.detail


@pytest.mark.parametrize(
    ("evidence", "says"),
    [
        (replace(GOOD, decisions=199), "needs at least 200 scored decisions"),
        (replace(GOOD, decisions=0, contracts=0, log_loss_difference=None, model_log_loss=None), "no scored"),
        (replace(GOOD, log_loss_difference=0.0), "does not beat the market mid"),
        (replace(GOOD, log_loss_difference=0.002, model_log_loss=0.262), "does not beat the market mid"),
        (replace(GOOD, realized_pnl=Decimal("-0.01")), "realised P&L after fees is negative"),
    ],
)
def test_refuses_without_evidence_and_says_what_the_scorecard_shows(
    evidence: EdgeEvidence, says: str
) -> None:
    verdict = edge_gate(Mode.LIVE, evidence)
    assert not verdict.allowed
    assert verdict.refusal is not None and verdict.refusal.reason is NoTradeReason.NO_EDGE_EVIDENCE
    assert says in verdict.refusal.detail
    assert f"{evidence.decisions} scored decisions" in verdict.refusal.detail
    assert f"${evidence.realized_pnl:.2f}" in verdict.refusal.detail


def test_no_settled_trade_counts_as_zero_pnl_which_is_not_negative() -> None:
    assert edge_gate(Mode.LIVE, replace(GOOD, settled_trades=0, realized_pnl=Decimal(0))).allowed


def test_the_minimum_is_configurable() -> None:
    few = replace(GOOD, decisions=20)
    assert not edge_gate(Mode.LIVE, few).allowed
    assert edge_gate(Mode.LIVE, few, min_decisions=20).allowed


def test_fails_closed_when_the_scorecard_cannot_be_computed() -> None:
    verdict = edge_gate(Mode.LIVE, None, unavailable="StoreError: table unreachable")
    assert not verdict.allowed and verdict.refusal is not None
    assert verdict.refusal.reason is NoTradeReason.NO_EDGE_EVIDENCE
    assert "could not be computed (StoreError: table unreachable)" in verdict.refusal.detail


def test_override_lets_live_orders_through_and_says_so() -> None:
    for evidence in (None, replace(GOOD, decisions=0), replace(GOOD, realized_pnl=Decimal(-50))):
        verdict = edge_gate(Mode.LIVE, evidence, override=True)
        assert verdict.allowed and verdict.overridden and verdict.refusal is None
        assert "KALSHI_BOTS_LIVE_WITHOUT_EDGE" in verdict.detail


@pytest.mark.parametrize("mode", [Mode.PAPER, Mode.DEMO])
def test_paper_and_demo_are_never_gated(mode: Mode) -> None:
    for evidence in (None, replace(GOOD, decisions=0), replace(GOOD, log_loss_difference=1.0)):
        verdict = edge_gate(mode, evidence)
        assert verdict.allowed and not verdict.gated and not verdict.overridden
