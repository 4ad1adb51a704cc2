"""The ranking of a phase: each file's figures from its submitted reviews, best first.

Read in three queries whatever the number of files (the reviews' totals, the per-criterion
means computed by the database, the files themselves), computed in memory with
review.scoring, sorted, then cut into pages: a page of the table costs what the whole
ranking costs, about as much for 20 files as for 2,000.
"""

from dataclasses import dataclass, field

from django.db.models import Avg

from qmi.calls.models import Application

from . import scoring
from .models import Review, Score


@dataclass
class Row:
    application: Application
    figures: scoring.Figures
    criteria: dict = field(default_factory=dict)  # criterion id -> mean score

    @property
    def sort_key(self):
        return self.figures.mean if self.figures.mean is not None else -1


def ranking(phase, *, normalised=False, applications=None):
    """[Row] of the files with submitted reviews in the phase, by mean (or corrected) total.

    `applications`: a queryset of the call's applications to keep (the page's filters).
    """
    submitted = Review.objects.filter(assignment__phase=phase, status=Review.Status.SUBMITTED)
    reviews = list(
        submitted.values_list("assignment__juror_id", "assignment__application_id", "total")
    )
    corrected = scoring.normalised_totals(reviews) if normalised else {}
    totals = {}
    for _juror, application_id, total in reviews:
        totals.setdefault(application_id, []).append(total)
    means = {}
    for application_id, criterion_id, mean in (
        Score.objects.filter(review__in=submitted, not_applicable=False, value__isnull=False)
        .values_list("review__assignment__application_id", "criterion_id")
        .annotate(mean=Avg("value"))
        .values_list("review__assignment__application_id", "criterion_id", "mean")
    ):
        means.setdefault(application_id, {})[criterion_id] = mean
    files = Application.objects.filter(pk__in=list(totals)).select_related("organisation")
    if applications is not None:
        files = files.filter(pk__in=applications.values("pk"))
    rows = [
        Row(
            application=application,
            figures=scoring.figures(totals[application.pk], corrected.get(application.pk)),
            criteria=means.get(application.pk, {}),
        )
        for application in files
    ]
    if normalised:
        rows.sort(key=lambda row: (-(row.figures.normalised or 0), row.application.reference))
    else:
        rows.sort(key=lambda row: (-row.sort_key, row.application.reference))
    return rows
