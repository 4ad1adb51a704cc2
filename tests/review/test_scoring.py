"""The arithmetic of review against figures computed by hand."""

from decimal import Decimal

import pytest

from qmi.review import scoring
from qmi.review.scoring import Mark


def mark(value, weight=1, low=0, high=5, counts=True):
    return Mark(value=value, weight=Decimal(weight), scale_min=low, scale_max=high, counts=counts)


def test_the_total_is_the_weighted_mean_of_the_shares_times_twenty():
    # 20 × (2 × 4/5 + 1 × 3/5) / 3 = 20 × 2.2 / 3 = 14.666…
    assert scoring.total([mark(4, weight=2), mark(3)]) == Decimal("14.67")


def test_scales_of_different_lengths_count_by_their_share():
    # 0–10 scored 5 is a half, 1–5 scored 5 is a whole: 20 × (0.5 + 1) / 2 = 15
    assert scoring.total([mark(5, high=10), mark(5, low=1)]) == Decimal("15.00")


def test_not_applicable_is_left_out_never_counted_as_zero():
    # Only the scored criterion counts: 20 × 4/5 = 16 (as zero it would be 8).
    assert scoring.total([mark(4), mark(None)]) == Decimal("16.00")


def test_information_only_and_zero_weights_do_not_count():
    assert scoring.total([mark(5), mark(0, counts=False), mark(0, weight=0)]) == Decimal("20.00")


def test_nothing_scored_has_no_total():
    assert scoring.total([mark(None), mark(3, counts=False)]) is None
    assert scoring.total([]) is None


def test_a_files_figures():
    figures = scoring.figures([Decimal("12"), Decimal("16"), Decimal("8"), None])
    assert figures.count == 3
    assert figures.mean == pytest.approx(12)
    assert figures.median == 12
    # population standard deviation of 12, 16, 8: sqrt(32 / 3)
    assert figures.stdev == pytest.approx((32 / 3) ** 0.5)
    assert figures.spread == 8
    assert figures.disagreement  # 8 points apart, beyond 6


def test_figures_of_a_file_without_reviews():
    figures = scoring.figures([])
    assert figures.count == 0
    assert figures.mean is None and not figures.disagreement


def test_z_scores_correct_for_a_severe_juror():
    # Juror A gives 10 and 14 (mean 12, sd 2); juror B gives 16 and 18 (mean 17, sd 1).
    reviews = [("A", 1, 10), ("A", 2, 14), ("B", 1, 16), ("B", 2, 18)]
    z = scoring.z_scores(reviews)
    assert z[("A", 1)] == pytest.approx(-1)
    assert z[("A", 2)] == pytest.approx(1)
    assert z[("B", 1)] == pytest.approx(-1)
    assert z[("B", 2)] == pytest.approx(1)
    normalised = scoring.normalised_totals(reviews)
    # Both jurors rank file 2 above file 1; put back on the scale of all totals
    # (mean 14.5, population sd sqrt(35 / 4)): 14.5 ± 2.958…
    assert normalised[2] == pytest.approx(14.5 + 8.75**0.5)
    assert normalised[1] == pytest.approx(14.5 - 8.75**0.5)


def test_a_juror_with_one_review_or_equal_totals_says_nothing():
    z = scoring.z_scores([("A", 1, 12), ("B", 1, 15), ("B", 2, 15)])
    assert z == {("A", 1): 0.0, ("B", 1): 0.0, ("B", 2): 0.0}
