"""Operations on a call's review: its grid, and jurors' scores.

Each function checks its permission, validates everything before writing anything,
writes in one transaction and leaves an audit entry.
"""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require

from . import scoring
from .models import Criterion, Phase, Review, Score

# Beyond this many levels a scale stops meaning anything to a juror.
MAX_LEVELS = 21


def _decimal(value, message):
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        raise ValidationError(message) from None
    if not number.is_finite():
        raise ValidationError(message)
    return number


def _int(value, message):
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(message) from None


def clean_criterion(values):
    """The criterion's fields from what staff typed, or every problem at once."""
    errors = {}
    label = (values.get("label") or "").strip()
    if not label:
        errors["label"] = _("Donnez un intitulé au critère.")
    elif len(label) > 200:
        errors["label"] = _("L'intitulé du critère tient en 200 caractères au plus.")
    cleaned = {
        "label": label,
        "help_text": (values.get("help_text") or "").strip(),
        "required": bool(values.get("required")),
        "information_only": bool(values.get("information_only")),
    }
    for field, clean in (("weight", _clean_weight), ("scale_max", _clean_scale)):
        try:
            cleaned.update(clean(values))
        except ValidationError as error:
            errors[field] = error.messages[0]
    if errors:
        raise ValidationError(errors)
    return cleaned


def _clean_weight(values):
    weight = _decimal(values.get("weight", "1"), _("Le poids est un nombre, par exemple 2 ou 1,5."))
    if weight < 0 or weight > 100:
        raise ValidationError(_("Le poids est compris entre 0 et 100."))
    return {"weight": weight.quantize(Decimal("0.01"))}


def _clean_scale(values):
    low = _int(values.get("scale_min", 0), _("La note minimale est un nombre entier."))
    high = _int(values.get("scale_max", 5), _("La note maximale est un nombre entier."))
    if high <= low:
        raise ValidationError(_("La note maximale doit dépasser la note minimale."))
    if high - low + 1 > MAX_LEVELS:
        raise ValidationError(
            _("L'échelle compte au plus %(count)s niveaux (par exemple de 0 à 20).")
            % {"count": MAX_LEVELS}
        )
    labels = {}
    for level, text in (values.get("level_labels") or {}).items():
        text = (text or "").strip()
        if not text:
            continue
        number = _int(level, _("Chaque libellé porte sur un niveau de l'échelle."))
        if not low <= number <= high:
            raise ValidationError(
                _("Le niveau %(level)s n'est pas sur l'échelle de %(low)s à %(high)s.")
                % {"level": number, "low": low, "high": high}
            )
        labels[str(number)] = text[:100]
    return {"scale_min": low, "scale_max": high, "level_labels": labels}


def _check_something_counts(phase):
    if (
        phase.scoring
        and phase.criteria.exists()
        and not any(criterion.counts for criterion in phase.criteria.all())
    ):
        raise ValidationError(
            _(
                "Au moins un critère doit compter dans le total : un poids supérieur à zéro, "
                "et pas « pour information »."
            )
        )


def _editable(phase):
    if Review.objects.filter(assignment__phase=phase).exists():
        raise ValidationError(
            _("Des évaluations ont commencé sur cette grille : elle ne peut plus changer.")
        )


@transaction.atomic
def save_criterion(*, phase, by, criterion=None, **values):
    """Add a criterion to the phase's grid, or change one, before any review started."""
    require(by, "review.manage_review")
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    _editable(phase)
    cleaned = clean_criterion(values)
    creating = criterion is None
    if creating:
        last = phase.criteria.order_by("-order").values_list("order", flat=True).first() or 0
        criterion = Criterion(phase=phase, order=last + 1)
    elif criterion.phase_id != phase.pk:
        raise ValidationError(_("Ce critère appartient à une autre grille."))
    before = {name: getattr(criterion, name) for name in cleaned} if not creating else {}
    for name, value in cleaned.items():
        setattr(criterion, name, value)
    criterion.full_clean()
    criterion.save()
    _check_something_counts(phase)
    audit.record(
        obj=phase,
        actor=by,
        action="criterion_added" if creating else "criterion_changed",
        changes={
            name: [str(before.get(name, "")) if before else None, str(value)]
            for name, value in cleaned.items()
            if not before or before[name] != value
        },
        note=criterion.label,
    )
    return criterion


@transaction.atomic
def remove_criterion(*, criterion, by):
    require(by, "review.manage_review")
    phase = Phase.objects.select_for_update().get(pk=criterion.phase_id)
    _editable(phase)
    label = criterion.label
    criterion.delete()
    _check_something_counts(phase)
    audit.record(obj=phase, actor=by, action="criterion_removed", note=label)


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
        comment = (item.get("comment") or "").strip()[:5000]
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
        review.comment = comment.strip()[:20000]
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
