"""Opening an allocation and gathering both sides' preferences.

A commune's wishes are replaced as a whole each time its referent saves them (an ordered
list with ties); a laureate's ranking in force is its application's until it confirms or
revises it. Neither side's ranks are ever shown to the other.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.calls.models import Call
from qmi.core import audit
from qmi.core.permissions import require

from .. import queries
from ..models import Allocation, AllocationCommune, CommuneWish, LaureateRanking

MANAGE = "allocation.manage_allocation"
MAX_PROJECTS = 99


def _bounds_errors(minimum, maximum):
    errors = []
    if not isinstance(minimum, int) or not isinstance(maximum, int):
        return [_("Le minimum et le maximum sont des nombres entiers.")]
    if minimum < 0:
        errors.append(_("Le minimum ne peut pas être négatif."))
    if maximum > MAX_PROJECTS:
        errors.append(_("Le maximum tient en 99 projets au plus."))
    if minimum > maximum:
        errors.append(
            _("Le minimum (%(minimum)s) dépasse le maximum (%(maximum)s).")
            % {"minimum": minimum, "maximum": maximum}
        )
    return errors


def _refuse_if_published(allocation):
    if allocation.published_at is not None:
        raise ValidationError(_("La répartition est publiée : elle ne change plus."))


def _check_params(alpha, jury_weight, one_sided_penalty):
    errors = {}
    if alpha is None or not 0 <= alpha <= 1:
        errors["alpha"] = _("α est compris entre 0 et 1.")
    if jury_weight is None or not 0 <= jury_weight <= 0.1:
        errors["jury_weight"] = _("Le poids de la note du jury est compris entre 0 et 0,1.")
    if one_sided_penalty is not None and not 0 <= one_sided_penalty <= 1:
        errors["one_sided_penalty"] = _("La pénalité est comprise entre 0 et 1.")
    return errors


def _communes_error(call, communes):
    """The first problem with the communes chosen, or ""."""
    found = []
    seen = set()
    for edition_commune, minimum, maximum in communes:
        name = edition_commune.commune.name
        if edition_commune.edition_id != call.edition_id:
            found.append(_("%(name)s n'est pas une commune de l'édition.") % {"name": name})
        if edition_commune.pk in seen:
            found.append(_("%(name)s est choisie deux fois.") % {"name": name})
        seen.add(edition_commune.pk)
        problems = _bounds_errors(minimum, maximum)
        if problems:
            found.append(f"{name} : {problems[0]}")
    return found[0] if found else ""


@transaction.atomic
def open_allocation(*, call, by, closes_at, communes, alpha=0.5, jury_weight=0.0):
    """Open the allocation of a call for projects: its communes with their bounds, a window.

    `communes`: [(edition commune, minimum, maximum)].
    """
    require(by, MANAGE)
    call = Call.objects.select_for_update().get(pk=call.pk)
    if call.kind != Call.Kind.PROJECTS:
        raise ValidationError(_("Seul un appel à expérimenter répartit ses lauréats."))
    if Allocation.objects.filter(call=call).exists():
        raise ValidationError(_("La répartition de cet appel est déjà ouverte."))
    errors = {}
    if closes_at is None:
        errors["closes_at"] = _("Indiquez la fin des préférences.")
    elif closes_at <= timezone.now():
        errors["closes_at"] = _("La fin des préférences doit être dans le futur.")
    errors.update(_check_params(alpha, jury_weight, None))
    if not communes:
        errors["communes"] = _("Choisissez au moins une commune servie par l'appel.")
    error = _communes_error(call, communes)
    if error:
        errors["communes"] = error
    if errors:
        raise ValidationError(errors)
    allocation = Allocation.objects.create(
        call=call, closes_at=closes_at, alpha=alpha, jury_weight=jury_weight, opened_by=by
    )
    AllocationCommune.objects.bulk_create(
        AllocationCommune(
            allocation=allocation, edition_commune=ec, minimum=minimum, maximum=maximum
        )
        for ec, minimum, maximum in communes
    )
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_opened",
        changes={
            str(ec.commune.name): [None, f"{minimum}–{maximum}"]
            for ec, minimum, maximum in communes
        },
    )
    return allocation


@transaction.atomic
def update_settings(*, allocation, by, closes_at, alpha, jury_weight, one_sided_penalty):
    """Change the window or the objective's parameters (runs keep the ones they used)."""
    require(by, MANAGE)
    allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
    _refuse_if_published(allocation)
    errors = _check_params(alpha, jury_weight, one_sided_penalty)
    if closes_at is None:
        errors["closes_at"] = _("Indiquez la fin des préférences.")
    if errors:
        raise ValidationError(errors)
    fields = ["closes_at", "alpha", "jury_weight", "one_sided_penalty"]
    before = audit.snapshot(allocation, fields)
    allocation.closes_at, allocation.alpha = closes_at, alpha
    allocation.jury_weight, allocation.one_sided_penalty = jury_weight, one_sided_penalty
    if closes_at != before["closes_at"]:
        allocation.reminders_sent = []
    allocation.save()
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_changed",
        changes=audit.diff(before, audit.snapshot(allocation, fields)),
    )
    return allocation


@transaction.atomic
def set_bounds(*, commune, minimum, maximum, by):
    require(by, MANAGE)
    commune = (
        AllocationCommune.objects.select_for_update()
        .select_related("allocation", "edition_commune__commune")
        .get(pk=commune.pk)
    )
    _refuse_if_published(commune.allocation)
    problems = _bounds_errors(minimum, maximum)
    if problems:
        raise ValidationError({"minimum": problems})
    before = f"{commune.minimum}–{commune.maximum}"
    commune.minimum, commune.maximum = minimum, maximum
    commune.save(update_fields=["minimum", "maximum"])
    audit.record(
        obj=commune.allocation,
        actor=by,
        action="allocation_bounds_changed",
        changes={str(commune): [before, f"{minimum}–{maximum}"]},
    )
    return commune


def _refuse_closed(allocation, by):
    """After the window, only the operator still records a late answer."""
    _refuse_if_published(allocation)
    if not allocation.is_open() and not by.has_perm(MANAGE):
        raise ValidationError(
            _("Les préférences sont closes depuis le %(date)s.")
            % {"date": timezone.localtime(allocation.closes_at).strftime("%d/%m/%Y %H:%M")}
        )


def dense_ranks(ordered):
    """Ranks with ties as competition ranks: [1, 1, 2] → {…: 1, …: 1, …: 3}."""
    ranks, previous, position = {}, None, 0
    for index, (item, given) in enumerate(ordered, start=1):
        if given != previous:
            position, previous = index, given
        ranks[item] = position
    return ranks


@transaction.atomic
def save_wishes(*, commune, by, ranks):
    """Replace the commune's wishes: {application id: rank given (1 best, ties allowed)}.

    Returns a warning (or "") when the list is shorter than the commune's minimum: a short
    list is the commune's choice, told rather than refused.
    """
    require(by, "allocation.rank_laureates", commune)
    commune = (
        AllocationCommune.objects.select_for_update()
        .select_related("allocation__call", "edition_commune__commune")
        .get(pk=commune.pk)
    )
    allocation = commune.allocation
    _refuse_closed(allocation, by)
    allowed = set(queries.laureates(allocation.call).values_list("pk", flat=True))
    errors = []
    clean = {}
    for application_id, rank in ranks.items():
        if application_id not in allowed:
            errors.append(_("Un projet classé n'est pas lauréat de cet appel."))
            continue
        if not isinstance(rank, int) or rank < 1 or rank > len(allowed):
            errors.append(
                _("Chaque rang est un nombre entier entre 1 et %(count)s.")
                % {"count": len(allowed)}
            )
            continue
        clean[application_id] = rank
    if errors:
        raise ValidationError(sorted(set(errors)))
    ordered = sorted(clean.items(), key=lambda item: (item[1], item[0]))
    final = dense_ranks(ordered)
    before = {w.application_id: w.rank for w in CommuneWish.objects.filter(commune=commune)}
    CommuneWish.objects.filter(commune=commune).delete()
    CommuneWish.objects.bulk_create(
        CommuneWish(commune=commune, application_id=pk, rank=rank) for pk, rank in final.items()
    )
    commune.wishes_saved_at, commune.wishes_saved_by = timezone.now(), by
    commune.save(update_fields=["wishes_saved_at", "wishes_saved_by"])
    audit.record(
        obj=allocation,
        actor=by,
        action="commune_wishes_saved",
        changes={str(commune): [len(before), len(final)]},
    )
    if len(final) < commune.minimum:
        return ngettext(
            "Vous avez retenu %(count)s projet ; votre commune doit en accueillir au moins "
            "%(minimum)s.",
            "Vous avez retenu %(count)s projets ; votre commune doit en accueillir au moins "
            "%(minimum)s.",
            len(final),
        ) % {"count": len(final), "minimum": commune.minimum}
    return ""


@transaction.atomic
def answer_ranking(*, allocation, application, by, ranking):
    """The laureate confirms its application's ranking of the communes, or revises it.

    `ranking`: [edition commune id], best first, among the communes the call serves.
    """
    require(by, "allocation.answer_ranking", application)
    allocation = Allocation.objects.select_for_update().select_related("call").get(pk=allocation.pk)
    # The operator records an answer received otherwise; a laureate answers once it knows.
    known = queries.laureates if by.has_perm(MANAGE) else queries.announced_laureates
    if not known(allocation.call).filter(pk=application.pk).exists():
        raise ValidationError(_("Ce dossier n'est pas lauréat de cet appel."))
    _refuse_closed(allocation, by)
    served = set(allocation.communes.values_list("edition_commune_id", flat=True))
    if len(set(ranking)) != len(ranking):
        raise ValidationError(_("Une commune ne peut figurer qu'une fois dans le classement."))
    if any(item not in served for item in ranking):
        raise ValidationError(_("Une commune classée n'est pas servie par cet appel."))
    if not ranking:
        raise ValidationError(_("Classez au moins une commune."))
    original = [
        c
        for c in queries.original_ranking(application, queries.ranking_keys(allocation.call))
        if c in served
    ]
    row = LaureateRanking.objects.filter(allocation=allocation, application=application).first()
    before = row.ranking if row is not None else original
    try:
        with transaction.atomic():
            row, _created = LaureateRanking.objects.update_or_create(
                allocation=allocation,
                application=application,
                defaults={
                    "ranking": list(ranking),
                    "revised": list(ranking) != original,
                    "answered_at": timezone.now(),
                    "answered_by": by,
                },
            )
    except IntegrityError:  # pragma: no cover — two answers in the same instant
        raise ValidationError(_("Le classement vient d'être enregistré ailleurs.")) from None
    audit.record(
        obj=application,
        actor=by,
        action="laureate_ranking_revised" if row.revised else "laureate_ranking_confirmed",
        changes={"classement": [before, list(ranking)]},
    )
    return row
