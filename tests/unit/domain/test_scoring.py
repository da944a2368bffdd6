"""The scoring math every report and the live scorecard share (domain/scoring.py)."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest

from kalshi_bots.domain.errors import DomainError
from kalshi_bots.domain.fees import edge_after_fee
from kalshi_bots.domain.scoring import (
    LOG_LOSS_CLIP,
    TradeResult,
    brier,
    calibration_table,
    compare,
    log_loss,
    log_losses,
    paired_difference,
    pnl_summary,
    score,
)


def test_log_loss_and_brier_by_hand() -> None:
    ps, ys = [0.9, 0.2, 0.6], [1, 0, 0]
    assert log_loss(ps, ys) == pytest.approx(-(math.log(0.9) + math.log(0.8) + math.log(0.4)) / 3)
    assert brier(ps, ys) == pytest.approx((0.01 + 0.04 + 0.36) / 3)
    assert log_losses([0.0], [1]) == [pytest.approx(-math.log(LOG_LOSS_CLIP))]  # a sure miss is capped


@pytest.mark.parametrize(
    ("ps", "ys", "match"),
    [
        ([0.5], [1, 0], "2 outcomes"),
        ([], [], "no forecasts"),
        ([1.2], [1], "outside"),
        ([0.5], [2], "not 0 or 1"),
    ],
)
def test_bad_inputs_say_what_is_wrong(ps: list[float], ys: list[int], match: str) -> None:
    with pytest.raises(DomainError, match=match):
        score(ps, ys)


def test_calibration_deciles_put_one_in_the_top_bin() -> None:
    table = calibration_table([0.05, 0.07, 0.95, 1.0], [0, 1, 1, 1])
    assert table[0].count == 2 and table[0].frequency == 0.5 and table[0].mean_p == pytest.approx(0.06)
    assert table[9].count == 2 and table[9].frequency == 1.0
    assert sum(b.count for b in table) == 4


def test_paired_difference_without_clusters_is_the_usual_standard_error() -> None:
    a, b = [0.3, 0.5, 0.2, 0.4], [0.2, 0.5, 0.1, 0.1]
    d = [0.1, 0.0, 0.1, 0.3]
    mean = sum(d) / 4
    sd = math.sqrt(sum((x - mean) ** 2 for x in d) / 3)
    got = paired_difference(a, b)
    assert got.difference == pytest.approx(mean) and got.standard_error == pytest.approx(sd / 2)
    assert got.mean_a == pytest.approx(0.35) and got.mean_b == pytest.approx(0.225)
    assert got.ratio == pytest.approx(0.35 / 0.225) and got.clusters == 4


def test_clustered_standard_error_treats_each_cluster_as_one_draw() -> None:
    """Two clusters with identical rows inside: four rows carry only two draws of information."""
    a, b = [0.3, 0.3, 0.1, 0.1], [0.0, 0.0, 0.0, 0.0]
    clustered = paired_difference(a, b, ["h1", "h1", "h2", "h2"])
    # centred diffs +0.1, +0.1, -0.1, -0.1 -> cluster sums +0.2, -0.2; se = sqrt(2/1 * 0.08) / 4 = 0.1
    assert clustered.standard_error == pytest.approx(0.1)
    naive = paired_difference(a, b)
    assert naive.standard_error is not None and naive.standard_error < clustered.standard_error
    assert paired_difference([0.1], [0.2]).standard_error is None
    with pytest.raises(DomainError, match="cluster keys"):
        paired_difference(a, b, ["x"])


def test_compare_scores_both_on_the_same_rows() -> None:
    c = compare([0.9, 0.8], [0.7, 0.6], [1, 0], ["e1", "e2"])
    assert c.model.n == c.market.n == 2
    expected = (-math.log(0.9) - math.log(0.2)) / 2 - (-math.log(0.7) - math.log(0.4)) / 2
    assert c.log_loss_difference.difference == pytest.approx(expected)
    assert c.as_dict()["log_loss_model_minus_market"]["clusters"] == 2


def test_pnl_after_fees() -> None:
    trades = [
        TradeResult(Decimal("0.90"), Decimal("0.01"), True),
        TradeResult(Decimal("0.80"), Decimal("0.02"), False),
        TradeResult(Decimal("0.50"), Decimal("0.02"), True, contracts=2),
    ]
    s = pnl_summary(trades)
    assert s.total_pnl == Decimal("0.09") - Decimal("0.82") + Decimal("0.96")
    assert s.total_fees == Decimal("0.07") and s.contracts == 4 and s.wins == 2 and s.trades == 3
    assert s.mean_pnl_per_contract == pytest.approx(float(s.total_pnl) / 4)
    assert s.standard_error is not None and s.standard_error > 0
    assert pnl_summary([]).mean_pnl_per_contract is None
    assert edge_after_fee(0.95, Decimal("0.90"), Decimal("0.01")) == pytest.approx(0.04)
