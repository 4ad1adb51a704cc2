"""A juror's scores: a draft kept as they go, then submitted, on the phase's grid."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require

from .. import scoring
from ..models import Decision, Phase, Review, Score


def _int(value, message):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None


def marks_of(review, criteria=None, scores=None):
    """The review's scores as scoring.Mark, criterion by criterion, in the grid's order."""
    criteria = criteria if criteria is not None else list(review.assignment.phase.criteria.all())
    scores = scores if scores is not None else {s.criterion_id: s for s in review.scores.all()}
    marks = []
    for criterion in criteria:
        score = scores.get(criterion.pk)
        marks.append(
            scoring.Mark(
                value=score.value if score is not None and not score.not_applicable else None,
                weight=criterion.weight,
                scale_min=criterion.scale_min,
                scale_max=criterion.scale_max,
                counts=criterion.counts,
            )
        )
    return marks


def _locked(review):
    phase = review.assignment.phase
    if review.status == Review.Status.SUBMITTED:
        raise ValidationError(_("Cette évaluation est déposée : elle ne peut plus changer."))
    if phase.status != Phase.Status.OPEN:
        raise ValidationError(_("La phase d'évaluation n'est pas ouverte."))
    if Decision.objects.filter(
        application_id=review.assignment.application_id, published_at__isnull=False
    ).exists():
        raise ValidationError(
            _("La décision sur ce dossier est publiée : les notes ne changent plus.")
        )


def clean_scores(criteria, posted):
    """{criterion id: (value or None, not applicable, comment)} from what the juror sent.

    `posted` maps a criterion id to {"value": "3" | "" | "na", "comment": "…"}; a value
    off the criterion's scale is refused, with the criterion named.
    """
    by_id = {criterion.pk: criterion for criterion in criteria}
    cleaned, errors = {}, {}
    for key, item in posted.items():
        criterion = by_id.get(_int(key, _("Critère inconnu.")) if str(key).isdigit() else None)
        if criterion is None:
            raise ValidationError(_("Cette note ne porte sur aucun critère de la grille."))
        raw = str(item.get("value", "")).strip()
        comment = plain_text(item.get("comment"))[:5000]
        if raw == "":
            cleaned[criterion.pk] = (None, False, comment)
        elif raw == "na":
            cleaned[criterion.pk] = (None, True, comment)
        else:
            try:
                value = int(raw)
            except ValueError:
                value = None
            if value is None or not criterion.scale_min <= value <= criterion.scale_max:
                errors[str(criterion.pk)] = _("« %(label)s » se note de %(low)s à %(high)s.") % {
                    "label": criterion.label,
                    "low": criterion.scale_min,
                    "high": criterion.scale_max,
                }
                continue
            cleaned[criterion.pk] = (value, False, comment)
    if errors:
        raise ValidationError(errors)
    return cleaned


@transaction.atomic
def save_review(*, review, by, scores, comment=None):
    """Keep what the juror scored so far (a draft): anything on the scale, nothing required."""
    require(by, "review.score", review)
    review = (
        Review.objects.select_for_update().select_related("assignment__phase").get(pk=review.pk)
    )
    _locked(review)
    criteria = list(review.assignment.phase.criteria.all())
    cleaned = clean_scores(criteria, scores)
    existing = {score.criterion_id: score for score in review.scores.all()}
    for criterion_id, (value, not_applicable, note) in cleaned.items():
        score = existing.get(criterion_id) or Score(review=review, criterion_id=criterion_id)
        score.value, score.not_applicable, score.comment = value, not_applicable, note
        score.save()
        existing[criterion_id] = score
    if comment is not None:
        review.comment = plain_text(comment, "comment")[:20000]
    review.total = scoring.total(marks_of(review, criteria, existing))
    review.save(update_fields=["comment", "total", "updated_at"])
    return review


@transaction.atomic
def submit_review(*, review, by):
    """Hand the review in: every required criterion scored (or "not applicable")."""
    require(by, "review.score", review)
    review = (
        Review.objects.select_for_update().select_related("assignment__phase").get(pk=review.pk)
    )
    _locked(review)
    criteria = list(review.assignment.phase.criteria.all())
    scores = {score.criterion_id: score for score in review.scores.all()}
    missing = [
        criterion.label
        for criterion in criteria
        if criterion.required
        and (
            criterion.pk not in scores
            or (scores[criterion.pk].value is None and not scores[criterion.pk].not_applicable)
        )
    ]
    if missing:
        raise ValidationError(_("Notez encore : %(criteria)s.") % {"criteria": " ; ".join(missing)})
    review.total = scoring.total(marks_of(review, criteria, scores))
    review.status = Review.Status.SUBMITTED
    review.submitted_at = timezone.now()
    review.save(update_fields=["total", "status", "submitted_at", "updated_at"])
    audit.record(
        obj=review.assignment.application,
        actor=by,
        action="review_submitted",
        note=_("Total : %(total)s / 20") % {"total": review.total}
        if review.total is not None
        else "",
    )
    return review
