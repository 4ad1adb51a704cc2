"""A call's jury: who sits on it, what they may never read, and who reads which file.

Assignment is exact (review.solver): each complete file gets the phase's number of
reviews, no juror beyond their load, no conflict, preferring jurors whose expertise
(communes, themes) matches the file; in a call for projects, a commune's agents read only
the files that ranked their commune. A conflict declared or a juror withdrawn mid-phase
refills only the freed places: every other assignment stays, submitted reviews never move.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.calls.models import Call
from qmi.core import audit, versions
from qmi.core.forms import parse_id, plain_text
from qmi.core.permissions import require
from qmi.programmes.models import EditionCommune, Theme

from .. import queries, solver
from ..models import Assignment, Conflict, Juror, KnownLink, Phase, Review
from .reminders import tell_assigned


@dataclass
class Outcome:
    """What an assignment run did, told to staff in French."""

    result: solver.Result
    added: list = field(default_factory=list)
    removed: list = field(default_factory=list)
    message: str = ""
    shortfall: str = ""


@transaction.atomic
def add_juror(*, call, user, kind, by, capacity=10, themes=(), communes=()):
    require(by, "review.manage_review")
    if kind not in Juror.Kind.values:
        raise ValidationError(_("Choisissez la qualité du juré."))
    if Juror.objects.filter(call=call, user=user).exists():
        raise ValidationError(_("Cette personne fait déjà partie du jury de cet appel."))
    if parse_id(capacity) is None or int(capacity) > 500:
        raise ValidationError(_("Un juré lit entre 1 et 500 dossiers."))
    communes = list(communes)
    if any(commune.edition_id != call.edition_id for commune in communes):
        raise ValidationError(_("Une commune d'expertise n'est pas une commune de l'édition."))
    juror = Juror.objects.create(call=call, user=user, kind=kind, capacity=capacity)
    juror.themes.set(themes)
    juror.communes.set(communes)
    audit.record(obj=call, actor=by, action="juror_added", note=str(user))
    return juror


@transaction.atomic
def record_known_link(*, user, organisation, reason, by):
    """Staff know of a link: that organisation's files are never assigned to the person."""
    require(by, "review.manage_review")
    reason = plain_text(reason, "reason")
    if not reason:
        raise ValidationError(
            _("Dites quel est ce lien (une lettre de soutien, un ancien employeur…).")
        )
    link, created = KnownLink.objects.get_or_create(
        user=user, organisation=organisation, defaults={"reason": reason[:300], "recorded_by": by}
    )
    if not created:
        raise ValidationError(_("Ce lien est déjà noté."))
    removed = _drop_excluded(user=user)
    audit.record(
        obj=organisation, actor=by, action="known_link_recorded", note=f"{user} — {reason}"
    )
    return link, removed


def _drop_excluded(*, user):
    """Assignments that became excluded: removed unless already submitted (never moved)."""
    removed = []
    for juror in Juror.objects.filter(user=user):
        excluded = queries.excluded_pairs(juror.call, [juror])
        for assignment in Assignment.objects.filter(juror=juror).select_related("review"):
            if (juror.pk, assignment.application_id) in excluded and not _submitted(assignment):
                removed.append(assignment)
                assignment.delete()
    return removed


def _submitted(assignment):
    review = getattr(assignment, "review", None)
    return review is not None and review.status == Review.Status.SUBMITTED


@transaction.atomic
def declare_conflict(*, assignment, by, reason):
    """The juror declares a conflict on a file: it leaves their queue and is reassigned."""
    reason = plain_text(reason, "reason")
    assignment = Assignment.objects.select_related("juror", "phase", "review").get(pk=assignment.pk)
    if assignment.juror.user_id != by.pk or assignment.juror.withdrawn_at is not None:
        raise ValidationError(_("Ce dossier ne vous est pas attribué."))
    if not reason:
        raise ValidationError(_("Dites en quelques mots la nature du conflit d'intérêts."))
    if _submitted(assignment):
        raise ValidationError(
            _("Votre évaluation est déposée : écrivez à l'équipe pour signaler ce conflit.")
        )
    Conflict.objects.create(
        juror=assignment.juror, application=assignment.application, reason=reason[:500]
    )
    freed = (assignment.juror_id, assignment.application_id)
    phase = assignment.phase
    assignment.delete()
    audit.record(
        obj=assignment.application, actor=by, action="conflict_declared", note=reason[:500]
    )
    return _refill(phase, by=by, previous_extra=[freed])


@transaction.atomic
def withdraw_juror(*, juror, by):
    """A juror leaves mid-phase: their files not yet reviewed go to others, nothing else moves."""
    require(by, "review.manage_review")
    juror = Juror.objects.select_for_update().get(pk=juror.pk)
    if juror.withdrawn_at is not None:
        raise ValidationError(_("Ce juré s'est déjà retiré."))
    juror.withdrawn_at = timezone.now()
    juror.save(update_fields=["withdrawn_at", "updated_at"])
    outcomes = []
    for phase in Phase.objects.filter(call=juror.call).exclude(status=Phase.Status.CLOSED):
        freed = []
        for assignment in Assignment.objects.filter(phase=phase, juror=juror).select_related(
            "review"
        ):
            if not _submitted(assignment):
                freed.append((juror.pk, assignment.application_id))
                assignment.delete()
        if freed:
            outcomes.append(_refill(phase, by=by, previous_extra=freed))
    audit.record(obj=juror.call, actor=by, action="juror_withdrawn", note=str(juror.user))
    return outcomes


@dataclass
class Problem:
    """The solver's instance and what it was built from, for the explanations."""

    instance: solver.Instance
    kept: set
    jurors: dict  # active juror id -> Juror
    about: dict  # application id -> (edition commune ids, theme ids)
    skills: dict  # juror id -> (edition commune ids, theme ids)


def instance_for(phase):
    problem = _problem(phase)
    return problem.instance, problem.kept


def _problem(phase):
    """The phase's assignment problem, read from the database in a few queries.

    A withdrawn juror's submitted reviews still count for their files: the juror stays
    in the problem with exactly those, and room for nothing more.
    """
    call = phase.call
    jurors = list(queries.active_jurors(call))
    applications = queries.reviewed_applications(call)
    about = queries.topics(call, applications)
    skills = queries.expertise(jurors)
    submitted = _submitted_pairs(phase)
    forbidden = set(queries.excluded_pairs(call, jurors))
    if call.kind == Call.Kind.PROJECTS:
        # A commune's agents read the files that ranked their commune, and only those.
        for juror in jurors:
            own = skills[juror.pk][0]
            if juror.kind == Juror.Kind.COMMUNE and own:
                forbidden |= {
                    (juror.pk, application_id)
                    for application_id, (communes, _themes) in about.items()
                    if not own & communes
                }
    affinity = {}
    for juror in jurors:
        for application_id, application_topics in about.items():
            score, _communes, _themes = queries.affinity(skills[juror.pk], application_topics)
            if score:
                affinity[(juror.pk, application_id)] = score
    departed = {}
    active = {juror.pk for juror in jurors}
    for juror_id, application_id in submitted:
        if juror_id not in active and application_id in about:
            departed[juror_id] = departed.get(juror_id, 0) + 1
    capacity = {juror.pk: juror.capacity for juror in jurors} | departed
    current = set(Assignment.objects.filter(phase=phase).values_list("juror_id", "application_id"))
    kept = {pair for pair in current if pair[0] in capacity and pair[1] in about}
    instance = solver.Instance(
        applications=tuple(sorted(about)),
        jurors=capacity,
        reviews_per_application=phase.reviews_per_application,
        affinity=affinity,
        forbidden=frozenset(forbidden - submitted),
        fixed=frozenset(kept & submitted),
    )
    return Problem(instance, kept, {juror.pk: juror for juror in jurors}, about, skills)


def _submitted_pairs(phase):
    return set(
        Review.objects.filter(assignment__phase=phase, status=Review.Status.SUBMITTED).values_list(
            "assignment__juror_id", "assignment__application_id"
        )
    )


# Staff wait for the answer: the worst-served-first objective (hard in general) stops
# there with the best assignment found, its status and gap saying so.
FAIR_SECONDS = 10


def compare_objectives(phase):
    """Both objectives on the phase as it stands, side by side, nothing saved."""
    instance, kept = instance_for(phase)
    return {
        "total": solver.resolve(instance, kept, keep=instance.fixed)[0],
        "fair": solver.resolve(
            instance, kept, keep=instance.fixed, fair=True, time_limit=FAIR_SECONDS
        )[0],
    }


@transaction.atomic
def assign_automatically(*, phase, by, fair=False):
    """Fill every file's places; assignments already made stay (staff may have placed them)."""
    require(by, "review.manage_review")
    phase = Phase.objects.select_for_update().select_related("call").get(pk=phase.pk)
    if phase.status == Phase.Status.CLOSED:
        raise ValidationError(_("Cette phase est close : ses attributions ne changent plus."))
    if not phase.scoring:
        raise ValidationError(_("Dans cette phase, les jurés ne notent pas : rien à attribuer."))
    outcome = _refill(phase, by=by, fair=fair)
    audit.record(obj=phase.call, actor=by, action="jury_assigned", note=outcome.message)
    return outcome


def _refill(phase, *, by, fair=False, previous_extra=()):
    problem = _problem(phase)
    instance = problem.instance
    if not instance.applications:
        raise ValidationError(_("Aucun dossier complet à évaluer pour l'instant."))
    if not instance.jurors:
        raise ValidationError(_("Le jury de cet appel ne compte encore personne."))
    result, change = solver.resolve(
        instance, problem.kept, keep=instance.fixed, fair=fair, time_limit=FAIR_SECONDS
    )
    if result.status == "infeasible":
        raise ValidationError(_("Les évaluations déjà déposées empêchent toute attribution."))
    loads = {}
    for juror_id, _application_id in result.pairs:
        loads[juror_id] = loads.get(juror_id, 0) + 1
    names = _names(phase.call)
    added = []
    for juror_id, application_id in change.added:
        _score, communes, themes = queries.affinity(
            problem.skills[juror_id], problem.about[application_id]
        )
        added.append(
            Assignment(
                phase=phase,
                juror_id=juror_id,
                application_id=application_id,
                source=Assignment.Source.SOLVER,
                explanation={
                    "communes": sorted(names["communes"][c] for c in communes),
                    "themes": sorted(names["themes"][t] for t in themes),
                    "load": loads[juror_id],
                    "capacity": problem.jurors[juror_id].capacity,
                },
            )
        )
    # Thousands at once for a large call: written in bulk, which sends no signal.
    added = Assignment.objects.bulk_create(added, batch_size=1000)
    Review.objects.bulk_create(
        (Review(assignment=assignment) for assignment in added), batch_size=1000
    )
    versions.bump(queries.REVIEWS)
    for assignment in added:  # what the messages name, already read: no query per juror
        assignment.phase = phase
        assignment.juror = problem.jurors[assignment.juror_id]
    tell_assigned(added)
    removed = list(change.removed)
    if removed:
        pairs = Q()
        for juror_id, application_id in removed:
            pairs |= Q(juror_id=juror_id, application_id=application_id)
        Assignment.objects.filter(pairs, phase=phase).exclude(
            review__status=Review.Status.SUBMITTED
        ).delete()
    outcome = Outcome(result=result, added=added, removed=removed + list(previous_extra))
    outcome.message = ngettext(
        "%(count)s attribution ajoutée.", "%(count)s attributions ajoutées.", len(added)
    ) % {"count": len(added)}
    outcome.shortfall = shortfall(phase, result, instance)
    return outcome


@transaction.atomic
def assign_by_hand(*, phase, juror, applications, by):
    """Staff give files to a juror; an excluded file or a load beyond the juror's is refused."""
    require(by, "review.manage_review")
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    if phase.status == Phase.Status.CLOSED:
        raise ValidationError(_("Cette phase est close : ses attributions ne changent plus."))
    if juror.call_id != phase.call_id or juror.withdrawn_at is not None:
        raise ValidationError(_("Cette personne ne fait pas partie du jury de cet appel."))
    reviewed = set(queries.reviewed_applications(phase.call).values_list("pk", flat=True))
    excluded = queries.excluded_pairs(phase.call, [juror])
    already = set(
        Assignment.objects.filter(phase=phase, juror=juror).values_list("application_id", flat=True)
    )
    new = [a for a in applications if a.pk not in already]
    for application in new:
        if application.pk not in reviewed:
            raise ValidationError(
                _("Le dossier %(reference)s n'est pas un dossier complet de cet appel.")
                % {"reference": application.reference}
            )
        if (juror.pk, application.pk) in excluded:
            raise ValidationError(
                _("%(juror)s ne peut pas évaluer le dossier %(reference)s : conflit d'intérêts.")
                % {"juror": juror.user, "reference": application.reference}
            )
    if len(already) + len(new) > juror.capacity:
        raise ValidationError(
            _("%(juror)s lit au plus %(capacity)s dossiers ; il en aurait %(count)s.")
            % {"juror": juror.user, "capacity": juror.capacity, "count": len(already) + len(new)}
        )
    load = len(already) + len(new)
    created = []
    for application in new:
        assignment = Assignment.objects.create(
            phase=phase,
            juror=juror,
            application=application,
            source=Assignment.Source.MANUAL,
            explanation={"load": load, "capacity": juror.capacity},
        )
        Review.objects.create(assignment=assignment)
        created.append(assignment)
    tell_assigned(created)
    if created:
        audit.record(
            obj=phase.call,
            actor=by,
            action="jury_assigned",
            note=ngettext(
                "%(count)s dossier attribué à la main à %(juror)s.",
                "%(count)s dossiers attribués à la main à %(juror)s.",
                len(created),
            )
            % {"count": len(created), "juror": juror.user},
        )
    return created


@transaction.atomic
def take_file(*, phase, application, by):
    """A juror opens a review of any file, in a phase where jurors may read all of them."""
    phase = Phase.objects.select_for_update().get(pk=phase.pk)
    juror = queries.juror_of(by, phase.call)
    if juror is None:
        raise ValidationError(_("Vous ne faites pas partie du jury de cet appel."))
    if phase.scope != Phase.Scope.ALL or phase.status != Phase.Status.OPEN:
        raise ValidationError(
            _("Dans cette phase, vous évaluez les dossiers qui vous sont attribués.")
        )
    visible = queries.reviewed_applications(phase.call).filter(queries.visible_to_juror(juror))
    if not visible.filter(pk=application.pk).exists():
        raise ValidationError(_("Ce dossier n'est pas à évaluer dans cette phase."))
    assignment, created = Assignment.objects.get_or_create(
        phase=phase,
        juror=juror,
        application=application,
        defaults={"source": Assignment.Source.CHOSEN, "explanation": {}},
    )
    if created:
        Review.objects.create(assignment=assignment)
        audit.record(obj=application, actor=by, action="file_taken", note=phase.title)
    return assignment


@transaction.atomic
def unassign(*, assignment, by):
    """Staff take a file back from a juror; a submitted review is never moved."""
    require(by, "review.manage_review")
    assignment = Assignment.objects.select_related("phase__call", "juror__user", "review").get(
        pk=assignment.pk
    )
    if assignment.phase.status == Phase.Status.CLOSED:
        raise ValidationError(_("Cette phase est close : ses attributions ne changent plus."))
    if _submitted(assignment):
        raise ValidationError(_("Une évaluation déposée ne se retire pas."))
    assignment.delete()
    audit.record(
        obj=assignment.phase.call,
        actor=by,
        action="jury_unassigned",
        note=f"{assignment.juror.user} — {assignment.application.reference}",
    )


def _names(call):
    return {
        "communes": dict(
            EditionCommune.objects.filter(edition_id=call.edition_id).values_list(
                "pk", "commune__name"
            )
        ),
        "themes": dict(Theme.objects.values_list("pk", "name")),
    }


def shortfall(phase, result, instance):
    """Why some files get fewer reviews than asked, in French, naming them; "" if none."""
    if not result.shortages:
        return ""
    missing = sum(result.shortages.values())
    asked = phase.reviews_per_application
    capacities = set(instance.jurors.values())
    if result.capacity >= result.needed:
        reason = ngettext(
            "Les conflits d'intérêts laissent %(missing)s lecture sans juré disponible.",
            "Les conflits d'intérêts laissent %(missing)s lectures sans juré disponible.",
            missing,
        ) % {"missing": missing}
    elif len(capacities) == 1:
        reason = ngettext(
            "%(files)s dossiers à lire %(asked)s fois pour %(jurors)s jurés qui peuvent en lire "
            "%(each)s chacun : il manque %(missing)s lecture.",
            "%(files)s dossiers à lire %(asked)s fois pour %(jurors)s jurés qui peuvent en lire "
            "%(each)s chacun : il manque %(missing)s lectures.",
            missing,
        ) % {
            "files": len(instance.applications),
            "asked": asked,
            "jurors": len(instance.jurors),
            "each": capacities.pop(),
            "missing": missing,
        }
    else:
        reason = ngettext(
            "%(needed)s lectures à faire, les jurés peuvent en faire %(capacity)s : il manque "
            "%(missing)s lecture.",
            "%(needed)s lectures à faire, les jurés peuvent en faire %(capacity)s : il manque "
            "%(missing)s lectures.",
            missing,
        ) % {"needed": result.needed, "capacity": result.capacity, "missing": missing}
    references = dict(
        queries.reviewed_applications(phase.call)
        .filter(pk__in=list(result.shortages))
        .values_list("pk", "reference")
    )
    short = ", ".join(
        _("%(reference)s (%(done)s sur %(asked)s)")
        % {"reference": reference, "done": asked - result.shortages[pk], "asked": asked}
        for pk, reference in sorted(references.items(), key=lambda item: item[1])
    )
    return _("%(reason)s Dossiers qui en manquent : %(files)s.") % {
        "reason": reason,
        "files": short,
    }
