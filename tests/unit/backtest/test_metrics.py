from __future__ import annotations

import math

import pytest

from kalshi_bots.app.backtest.metrics import brier, calibration_table, log_loss, score
from kalshi_bots.domain.errors import DomainError


def test_log_loss_and_brier_match_hand_computation() -> None:
    ps, ys = [0.9, 0.2, 0.5], [1, 0, 1]
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.5)) / 3
    assert log_loss(ps, ys) == pytest.approx(expected)
    assert brier(ps, ys) == pytest.approx((0.01 + 0.04 + 0.25) / 3)


def test_a_certain_miss_is_clipped_not_infinite() -> None:
    assert log_loss([1.0], [0]) == pytest.approx(-math.log(1e-6))


def test_calibration_bins_cover_unit_interval_and_top_edge() -> None:
    bins = calibration_table([0.05, 0.15, 0.95, 1.0], [0, 1, 1, 1])
    assert len(bins) == 10
    assert bins[0].count == 1 and bins[0].frequency == 0.0
    assert bins[9].count == 2 and bins[9].mean_p == pytest.approx(0.975)
    assert bins[5].count == 0 and bins[5].mean_p is None


def test_score_reports_base_rate_and_means() -> None:
    s = score([0.8, 0.8, 0.8, 0.8], [1, 1, 1, 0])
    assert s.frequency == 0.75
    assert s.mean_p == pytest.approx(0.8)
    assert s.base_rate_log_loss == pytest.approx(-(0.75 * math.log(0.75) + 0.25 * math.log(0.25)))
    assert s.as_dict()["calibration"][8]["count"] == 4


@pytest.mark.parametrize(("ps", "ys"), [([], []), ([0.5], [1, 0]), ([1.2], [1]), ([0.5], [2])])
def test_bad_inputs_raise(ps: list[float], ys: list[int]) -> None:
    with pytest.raises(DomainError):
        score(ps, ys)
