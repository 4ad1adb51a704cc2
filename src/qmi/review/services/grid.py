"""A phase's scoring grid: staff add, change and remove criteria before reviews start."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require

from ..models import Criterion, Phase, Publication, Review

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
    label = plain_text(values.get("label"), "label")
    if not label:
        errors["label"] = _("Donnez un intitulé au critère.")
    elif len(label) > 200:
        errors["label"] = _("L'intitulé du critère tient en 200 caractères au plus.")
    cleaned = {
        "label": label,
        "help_text": plain_text(values.get("help_text"), "help_text"),
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
        text = plain_text(text, "level_labels")
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


# Which state a phase may move to from each state.
MOVES = {
    Phase.Status.PREPARING: {Phase.Status.OPEN},
    Phase.Status.OPEN: {Phase.Status.CLOSED},
    Phase.Status.CLOSED: {Phase.Status.OPEN},
}


@transaction.atomic
def move_phase(*, phase, status, by):
    """Open or close a phase; none reopens once the call's decisions are published."""
    require(by, "review.manage_review")
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    if status not in MOVES[phase.status]:
        raise ValidationError(_("Cette phase ne peut pas passer dans cet état."))
    if Publication.objects.filter(call_id=phase.call_id).exists():
        raise ValidationError(
            _("Les décisions de cet appel sont publiées : ses phases ne rouvrent plus.")
        )
    if (
        status == Phase.Status.OPEN
        and phase.scoring
        and not any(criterion.counts for criterion in phase.criteria.all())
    ):
        raise ValidationError(
            _("Ajoutez au moins un critère qui compte dans le total avant d'ouvrir la phase.")
        )
    before = phase.get_status_display()
    phase.status = status
    phase.save(update_fields=["status", "updated_at"])
    audit.record(
        obj=phase.call,
        actor=by,
        action="review_phase_moved",
        changes={"état": [before, phase.get_status_display()]},
        note=phase.title,
    )
    return phase
