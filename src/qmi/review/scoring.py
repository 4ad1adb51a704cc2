"""The arithmetic of review: a review's total, a file's statistics, jurors' severity.

Plain Python on plain values, so the formula shown to jurors is the one tested against
hand-computed figures, and a ranking of thousands of files is computed in memory from
one query.

- A review's total is the weighted mean of the criteria scored, each score brought
  between 0 and 1 on its own scale, times 20: 20 × Σ wᵢ·(vᵢ − minᵢ)/(maxᵢ − minᵢ) / Σ wᵢ.
  "Not applicable" and criteria for information only are left out of both sums, never
  counted as zero. No criterion counted: no total.
- A juror's z-score corrects for severe and lenient jurors: (total − the juror's mean) /
  the juror's standard deviation, over the totals they gave in the phase.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

SCALE = 20
# A file whose totals spread over more than this many points on 20 is flagged.
DISAGREEMENT_POINTS = 6


@dataclass(frozen=True)
class Mark:
    """One criterion's score in a review; `value` None means not scored or not applicable."""

    value: int | None
    weight: Decimal
    scale_min: int
    scale_max: int
    counts: bool = True


def total(marks):
    """The review's total on 20 (Decimal, two places), or None when nothing counted."""
    weighted = Decimal(0)
    weights = Decimal(0)
    for mark in marks:
        if mark.value is None or not mark.counts or mark.weight <= 0:
            continue
        share = Decimal(mark.value - mark.scale_min) / Decimal(mark.scale_max - mark.scale_min)
        weighted += Decimal(mark.weight) * share
        weights += Decimal(mark.weight)
    if not weights:
        return None
    return (SCALE * weighted / weights).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Figures:
    """A file's reviews summed up for the ranking table."""

    count: int
    mean: float | None
    median: float | None
    stdev: float | None
    spread: float | None
    normalised: float | None = None

    @property
    def disagreement(self):
        return self.spread is not None and self.spread > DISAGREEMENT_POINTS


def _mean(values):
    return sum(values) / len(values)


def _spread(values, mean):
    """Population standard deviation (plain floats: a ranking computes thousands)."""
    return (sum((value - mean) ** 2 for value in values) / len(values)) ** 0.5


def _median(values):
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def figures(totals, normalised=None):
    """Count, mean, median, standard deviation and spread of a file's totals."""
    values = [float(value) for value in totals if value is not None]
    if not values:
        return Figures(0, None, None, None, None, normalised)
    mean = _mean(values)
    return Figures(
        count=len(values),
        mean=mean,
        median=_median(values),
        stdev=_spread(values, mean) if len(values) > 1 else 0.0,
        spread=max(values) - min(values),
        normalised=normalised,
    )


def z_scores(reviews):
    """{(juror, file): z-score} from [(juror, file, total)].

    A juror with a single review, or who gave every file the same total, says nothing
    about their severity: their z-scores are 0.
    """
    by_juror = {}
    for juror, _file, value in reviews:
        if value is not None:
            by_juror.setdefault(juror, []).append(float(value))
    severity = {}
    for juror, given in by_juror.items():
        mean = _mean(given)
        severity[juror] = (mean, _spread(given, mean) if len(given) > 1 else 0.0)
    scores = {}
    for juror, file, value in reviews:
        if value is None:
            continue
        mean, spread = severity[juror]
        scores[(juror, file)] = 0.0 if spread == 0 else (float(value) - mean) / spread
    return scores


def normalised_totals(reviews):
    """{file: total on 20 corrected for jurors' severity} from [(juror, file, total)].

    A file's mean z-score, put back on the scale of all totals (their mean and standard
    deviation), so the corrected column reads like the raw one.
    """
    values = [float(value) for _juror, _file, value in reviews if value is not None]
    if not values:
        return {}
    centre = _mean(values)
    spread = _spread(values, centre) if len(values) > 1 else 0.0
    by_file = {}
    for (_juror, file), score in z_scores(reviews).items():
        by_file.setdefault(file, []).append(score)
    return {
        file: min(SCALE, max(0.0, centre + _mean(scores) * spread))
        for file, scores in by_file.items()
    }
