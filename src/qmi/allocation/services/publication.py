"""Staging a run, publishing it once, and what follows: withdrawals and the waiting list.

Publication turns the staged run into placements, stores each letter, holds the e-mails in
the outbox for staff to check, and tells the experiments app (a signal) so each placement
opens its experiment in the same transaction. It may be prepared while the selection
decisions are staged, but never published before them.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, Count, Q
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require
from qmi.mail.models import OutgoingEmail
from qmi.mail.services import notify, release
from qmi.review import letters as review_letters
from qmi.review.models import Publication
from qmi.review.services.decisions import promote_from_waiting_list

from .. import letters, queries, signals
from ..models import (
    Allocation,
    AllocationCommune,
    LetterTemplate,
    PendingChange,
    Placement,
    Run,
)
from .runs import is_stale

MANAGE = "allocation.manage_allocation"
MAX_RATIONALE = 5000
STALE = _("Les préférences ont changé depuis ce calcul : relancez-le.")


def _rationale(value):
    rationale = plain_text(value, "rationale")
    if not rationale:
        raise ValidationError({"rationale": _("Motivez la répartition retenue.")})
    if len(rationale) > MAX_RATIONALE:
        raise ValidationError({"rationale": _("La motivation tient en 5 000 caractères au plus.")})
    return rationale


@transaction.atomic
def stage_run(*, run, rationale, by):
    """Make a run the pending allocation, with the committee's rationale."""
    require(by, MANAGE)
    allocation = Allocation.objects.select_for_update().get(pk=run.allocation_id)
    if allocation.published_at is not None:
        raise ValidationError(_("La répartition est publiée : elle ne change plus."))
    run = Run.objects.get(pk=run.pk)
    if not run.succeeded:
        raise ValidationError(_("Seul un calcul qui a trouvé une répartition peut être retenu."))
    rationale = _rationale(rationale)
    if is_stale(run):
        raise ValidationError(str(STALE))
    before = allocation.staged_run.number if allocation.staged_run else None
    allocation.staged_run, allocation.staged_rationale = run, rationale
    allocation.staged_by, allocation.staged_at = by, timezone.now()
    allocation.save(update_fields=["staged_run", "staged_rationale", "staged_by", "staged_at"])
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_staged",
        changes={"calcul retenu": [before, run.number]},
        note=rationale,
    )
    return allocation


def save_letter_template(*, allocation, recipient, subject, body, by):
    """The allocation's letter to laureates or to communes; refused once published."""
    require(by, MANAGE)
    allocation = Allocation.objects.get(pk=allocation.pk)
    if allocation.published_at is not None:
        raise ValidationError(_("La répartition est publiée : ses courriers ne changent plus."))
    if recipient not in LetterTemplate.Recipient.values:
        raise ValidationError(_("Choisissez le courrier à modifier."))
    subject, body = plain_text(subject, "subject"), plain_text(body, "body")
    errors = review_letters.errors(
        subject, body, lambda text, field: letters.check(text, field, recipient)
    )
    if errors:
        raise ValidationError(errors)
    template = LetterTemplate.objects.filter(allocation=allocation, recipient=recipient).first()
    creating = template is None
    if creating:
        template = LetterTemplate(allocation=allocation, recipient=recipient)
    return audit.save_with_audit(
        template,
        fields=["subject", "body"],
        values={"subject": subject, "body": body},
        by=by,
        creating=creating,
        audit_on=allocation,
        note=lambda saved: saved.get_recipient_display(),
    )


def readiness(allocation):
    """What still stands in the way of publishing, in French (empty when ready)."""
    problems = []
    if allocation.published_at is not None:
        problems.append(_("La répartition de cet appel est déjà publiée."))
        return problems
    if allocation.staged_run is None:
        problems.append(
            _("Aucune répartition n'est retenue : retenez un calcul avec sa motivation.")
        )
    elif is_stale(allocation.staged_run):
        problems.append(str(STALE))
    if not Publication.objects.filter(call_id=allocation.call_id).exists():
        problems.append(
            _(
                "Les décisions de sélection ne sont pas encore publiées : publiez-les d'abord, "
                "la répartition suit le même jour."
            )
        )
    return problems


@transaction.atomic
def publish_allocation(*, allocation, by, now=None):
    """Apply the staged run once: placements, letters held in the outbox, experiments."""
    require(by, MANAGE)
    allocation = (
        Allocation.objects.select_for_update(of=("self",))
        .select_related("call__edition", "staged_run")
        .get(pk=allocation.pk)
    )
    problems = readiness(allocation)
    if problems:
        raise ValidationError(problems)
    now = now or timezone.now()
    run = allocation.staged_run
    communes = {c.edition_commune.commune.name: c for c in queries.communes_of(allocation)}
    chosen = {p["reference"]: p["commune"] for p in run.result["placements"]}
    applications = {
        a.reference: a
        for a in queries.laureates(allocation.call)
        .filter(reference__in=chosen)
        .select_related("organisation", "call")
    }
    templates = letters.templates_of(allocation)
    placements = []
    for reference, name in sorted(chosen.items()):
        placement = Placement(
            allocation=allocation,
            application=applications[reference],
            commune=communes[name],
            run=run,
            rationale=allocation.staged_rationale,
            published_at=now,
            published_by=by,
        )
        placement.letter_subject, placement.letter_body = letters.laureate_letter(
            placement, now, templates[LetterTemplate.Recipient.LAUREATE]
        )
        placements.append(placement)
    Placement.objects.bulk_create(placements)
    allocation.published_at, allocation.published_by = now, by
    allocation.save(update_fields=["published_at", "published_by", "updated_at"])

    by_commune = {}
    for placement in placements:
        by_commune.setdefault(placement.commune_id, []).append(placement)
    for commune in communes.values():
        held = by_commune.get(commune.pk, [])
        commune.letter_subject, commune.letter_body = letters.commune_letter(
            commune, held, allocation.call, now, templates[LetterTemplate.Recipient.COMMUNE]
        )
        commune.save(update_fields=["letter_subject", "letter_body"])
    _hold_letters(allocation, placements, communes.values())
    for placement in placements:
        signals.placement_published.send(sender=Placement, placement=placement, by=by)
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_published",
        changes={name: [None, len(by_commune.get(c.pk, []))] for name, c in communes.items()},
        note=ngettext(
            "%(count)s lauréat placé ; courriers en attente de vérification.",
            "%(count)s lauréats placés ; courriers en attente de vérification.",
            len(placements),
        )
        % {"count": len(placements)},
    )
    return allocation


def _hold_letters(allocation, placements, communes):
    members = queries.members_by_organisation({p.application.organisation_id for p in placements})
    for placement in placements:
        notify(
            recipients=members.get(placement.application.organisation_id, []),
            template="allocation/email/placement",
            context={"placement": placement},
            url=reverse("calls:application", kwargs={"pk": placement.application_id}),
            about=placement,
            hold=True,
        )
    for commune in communes:
        notify(
            recipients=list(queries.commune_team(commune.edition_commune)),
            template="allocation/email/commune",
            context={"commune": commune},
            url=reverse("allocation:commune", kwargs={"pk": commune.pk}),
            about=commune,
            hold=True,
        )


def held_letters(allocation):
    """The e-mails of the allocation's letters, whatever their state (the outbox page)."""
    placement_type = ContentType.objects.get_for_model(Placement)
    commune_type = ContentType.objects.get_for_model(AllocationCommune)
    return OutgoingEmail.objects.filter(
        Q(
            about_type=placement_type,
            about_id__in=Placement.objects.filter(allocation=allocation)
            .annotate(key=Cast("pk", CharField()))
            .values("key"),
        )
        | Q(
            about_type=commune_type,
            about_id__in=AllocationCommune.objects.filter(allocation=allocation)
            .annotate(key=Cast("pk", CharField()))
            .values("key"),
        )
    )


@transaction.atomic
def send_letters(*, allocation, by):
    """Let the allocation's held e-mails leave, once staff have checked them."""
    require(by, MANAGE)
    allocation = Allocation.objects.select_related("call").get(pk=allocation.pk)
    if allocation.published_at is None:
        raise ValidationError(_("La répartition n'est pas encore publiée."))
    held = list(
        held_letters(allocation).filter(
            status__in=[OutgoingEmail.Status.HELD, OutgoingEmail.Status.FAILED]
        )
    )
    if not held:
        raise ValidationError(_("Aucun courriel n'attend d'être envoyé."))
    return release(emails=held, by=by, permission=MANAGE, about=allocation.call)


# After publication -------------------------------------------------------------------------


@transaction.atomic
def withdraw(*, placement, by, note):
    """A laureate withdraws: its placement ends and its experiment closes as « Désistée »."""
    require(by, MANAGE)
    placement = Placement.objects.select_for_update().get(pk=placement.pk)
    if placement.status != Placement.Status.ACTIVE:
        raise ValidationError(_("Ce placement n'est plus en vigueur."))
    note = plain_text(note, "note")
    if not note:
        raise ValidationError({"note": _("Notez la raison du désistement.")})
    placement.status, placement.ended_at = Placement.Status.WITHDRAWN, timezone.now()
    placement.save(update_fields=["status", "ended_at", "updated_at"])
    signals.placement_withdrawn.send(sender=Placement, placement=placement, by=by, note=note)
    audit.record(
        obj=placement.allocation,
        actor=by,
        action="laureate_withdrew",
        changes={placement.application.reference: [str(placement.commune), None]},
        note=note,
    )
    return placement


def communes_after_publication(allocation):
    """Each commune's projects in force against its minimum, with the waiting list's projects
    that ranked it (what is offered when a laureate withdraws); a few queries in all."""
    counts = dict(
        Placement.objects.filter(allocation=allocation, status=Placement.Status.ACTIVE)
        .values_list("commune_id")
        .annotate(n=Count("pk"))
    )
    keys = queries.ranking_keys(allocation.call)
    waiting = list(
        queries.waiting_list(allocation.call).select_related("organisation").order_by("reference")
    )
    rankings = queries.rankings_in_force(allocation, waiting, keys)
    return [
        {
            "commune": commune,
            "count": counts.get(commune.pk, 0),
            "candidates": [a for a in waiting if commune.edition_commune_id in rankings[a.pk][0]],
        }
        for commune in queries.communes_of(allocation)
    ]


def waiting_candidates(commune):
    """The waiting list's projects whose ranking in force lists the commune."""
    allocation = commune.allocation
    keys = queries.ranking_keys(allocation.call)
    waiting = list(
        queries.waiting_list(allocation.call).select_related("organisation").order_by("reference")
    )
    rankings = queries.rankings_in_force(allocation, waiting, keys)
    return [a for a in waiting if commune.edition_commune_id in rankings[a.pk][0]]


@transaction.atomic
def stage_change(*, allocation, application, commune, kind, rationale, by):
    """Stage a move of a published laureate, or a promotion from the waiting list."""
    require(by, MANAGE)
    allocation = Allocation.objects.select_for_update().select_related("call").get(pk=allocation.pk)
    if allocation.published_at is None:
        raise ValidationError(_("Avant publication, changez la répartition par un nouveau calcul."))
    rationale = _rationale(rationale)
    if commune.allocation_id != allocation.pk:
        raise ValidationError(_("Cette commune n'est pas servie par cet appel."))
    active = Placement.objects.filter(application=application, status=Placement.Status.ACTIVE)
    if kind == PendingChange.Kind.MOVE:
        current = active.first()
        if current is None or current.allocation_id != allocation.pk:
            raise ValidationError(_("Ce lauréat n'a pas de placement en vigueur dans cet appel."))
        if current.commune_id == commune.pk:
            raise ValidationError(_("Ce lauréat est déjà placé dans cette commune."))
    elif kind == PendingChange.Kind.PROMOTION:
        if not queries.waiting_list(allocation.call).filter(pk=application.pk).exists():
            raise ValidationError(_("Ce dossier n'est pas sur la liste d'attente de cet appel."))
        if active.exists():
            raise ValidationError(_("Ce dossier est déjà placé."))
    else:
        raise ValidationError(
            _("Choisissez un changement de commune ou une entrée depuis la liste.")
        )
    if PendingChange.objects.filter(application=application, published_at__isnull=True).exists():
        raise ValidationError(_("Un changement attend déjà d'être publié pour ce dossier."))
    change = PendingChange.objects.create(
        allocation=allocation,
        kind=kind,
        application=application,
        commune=commune,
        rationale=rationale,
        staged_by=by,
    )
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_change_staged",
        changes={application.reference: [None, str(commune)]},
        note=rationale,
    )
    return change


@transaction.atomic
def publish_change(*, change, by, now=None):
    """Publish a staged change once: a new placement, its letter held, its experiment moved
    or opened."""
    require(by, MANAGE)
    change = (
        PendingChange.objects.select_for_update(of=("self",))
        .select_related("allocation__call", "application__organisation", "commune")
        .get(pk=change.pk)
    )
    if change.published_at is not None:
        raise ValidationError(_("Ce changement est déjà publié."))
    now = now or timezone.now()
    previous = None
    if change.kind == PendingChange.Kind.MOVE:
        previous = (
            Placement.objects.select_for_update()
            .filter(application=change.application, status=Placement.Status.ACTIVE)
            .first()
        )
        if previous is None:
            raise ValidationError(_("Ce lauréat n'a plus de placement en vigueur."))
        previous.status, previous.ended_at = Placement.Status.MOVED, now
        previous.save(update_fields=["status", "ended_at", "updated_at"])
    else:
        _promote(change, by)
    placement = Placement(
        allocation=change.allocation,
        application=change.application,
        commune=change.commune,
        rationale=change.rationale,
        published_at=now,
        published_by=by,
    )
    placement.letter_subject, placement.letter_body = letters.laureate_letter(
        placement, now, letters.templates_of(change.allocation)[LetterTemplate.Recipient.LAUREATE]
    )
    placement.save()
    change.published_at, change.placement = now, placement
    change.save(update_fields=["published_at", "placement"])
    _hold_letters(change.allocation, [placement], [])
    if previous is not None:
        signals.placement_moved.send(
            sender=Placement, previous=previous, placement=placement, by=by
        )
    else:
        signals.placement_published.send(sender=Placement, placement=placement, by=by)
    audit.record(
        obj=change.allocation,
        actor=by,
        action="allocation_change_published",
        changes={
            change.application.reference: [
                str(previous.commune) if previous else None,
                str(change.commune),
            ]
        },
        note=change.rationale,
    )
    return placement


def _promote(change, by):
    """The waiting-list file becomes a laureate: its published decision says so too."""
    promote_from_waiting_list(application=change.application, rationale=change.rationale, by=by)
