"""Auditions: staff shortlist files from the ranking, give each a slot and a panel; the
applicant confirms or asks for another slot; the panel scores the audition's grid.

A slot is an event of the shared events app (kind audition, about the application), so the
applicant gets the same calendar file as any other event, and a moved slot replaces the copy
their calendar holds (SEQUENCE). The panel scores through ordinary assignments in the
audition's phase: the juror's review page is the one of the written review.
"""

import datetime
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from qmi.calls.queries import application_members
from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require
from qmi.events.models import Event
from qmi.events.services import cancel_event, save_event
from qmi.mail.services import notify

from .. import queries
from ..models import Assignment, Audition, Phase, Review

MANAGE = "review.manage_review"
PARIS = ZoneInfo("Europe/Paris")
MIN_MINUTES, MAX_MINUTES = 10, 240
MAX_MESSAGE = 2000
MAX_NOTES = 10000
MAX_LOCATION, MAX_LINK = 300, 200  # the event's columns


def _status_change(before, after):
    labels = dict(Audition.Status.choices)
    return {"état": [str(labels[before]), str(labels[after])]}


def _locked(audition):
    return (
        Audition.objects.select_for_update(of=("self",))
        .select_related("application__call", "application__organisation", "event", "phase")
        .get(pk=audition.pk)
    )


def _slot_label(event):
    starts = timezone.localtime(event.starts_at, PARIS)
    return date_format(starts, "j F Y à H:i")


@transaction.atomic
def shortlist(*, call, applications, by):
    """Shortlist complete files of `call`; those already on the list are left as they are."""
    require(by, MANAGE)
    ids = {application.pk for application in applications}
    if not ids:
        raise ValidationError(_("Cochez au moins un dossier à présélectionner."))
    complete = dict(
        queries.reviewed_applications(call).filter(pk__in=ids).values_list("pk", "reference")
    )
    if len(complete) != len(ids):
        raise ValidationError(
            _("Seuls les dossiers complets de cet appel peuvent être présélectionnés.")
        )
    already = set(
        Audition.objects.filter(application_id__in=ids).values_list("application_id", flat=True)
    )
    created = []
    for application in applications:
        if application.pk in already:
            continue
        already.add(application.pk)
        created.append(Audition.objects.create(application=application))
        audit.record(
            obj=application,
            actor=by,
            action="audition_shortlisted",
            note=_("Présélectionné pour une audition."),
        )
    return created


@transaction.atomic
def remove_from_shortlist(*, audition, by):
    """Take a file off the shortlist; once a slot is sent, it must be cancelled first."""
    require(by, MANAGE)
    audition = _locked(audition)
    if audition.event_id is not None or audition.status != Audition.Status.SHORTLISTED:
        raise ValidationError(
            _("Un créneau a été envoyé au candidat : annulez-le avant de retirer le dossier.")
        )
    application = audition.application
    audition.delete()
    audit.record(
        obj=application,
        actor=by,
        action="audition_unlisted",
        note=_("Retiré de la liste des auditions."),
    )


def _phase_error(phase, call):
    if phase is None or phase.call_id != call.pk:
        return _("Choisissez une phase de cet appel pour la grille de l'audition.")
    if not phase.scoring:
        return _("La grille de l'audition doit être celle d'une phase notée.")
    if phase.status == Phase.Status.CLOSED:
        return _("Cette phase est close : le jury ne pourrait plus y noter.")
    return ""


def _panel_error(panel, application):
    """The panel sits on this call's jury and none of them is kept from reading the file."""
    if not panel:
        return _("Choisissez au moins un juré pour le jury de l'audition.")
    call = application.call
    problems = []
    outsiders = [j for j in panel if j.call_id != call.pk or j.withdrawn_at is not None]
    for juror in outsiders:
        problems.append(
            _("%(juror)s ne fait pas partie du jury de cet appel.") % {"juror": juror.user}
        )
    members = [j for j in panel if j not in outsiders]
    excluded = queries.excluded_pairs(call, members) if members else set()
    for juror in members:
        if (juror.pk, application.pk) in excluded:
            problems.append(
                _("%(juror)s ne peut pas entendre ce candidat : conflit d'intérêts.")
                % {"juror": juror.user}
            )
    return " ".join(problems)


def _place_errors(location, link):
    """A place or a link; the link a web address (it becomes a link on the applicant's page)."""
    errors = {}
    if not location and not link:
        errors["location"] = _("Indiquez un lieu ou un lien de visioconférence.")
    elif len(location) > MAX_LOCATION:
        errors["location"] = _("Le lieu tient en 300 caractères au plus.")
    if link:
        try:
            URLValidator(schemes=["https", "http"])(link)
            if len(link) > MAX_LINK:
                raise ValidationError("too long")
        except ValidationError:
            errors["link"] = _(
                "Le lien de visioconférence est une adresse web complète "
                "(https://…, 200 caractères au plus)."
            )
    return errors


def _check_slot(audition, *, starts_at, duration_minutes, location, link, panel, phase, now):
    """Every reason the slot is refused, by field, so nothing is half-saved."""
    application = audition.application
    errors = {}
    if starts_at is None:
        errors["starts_at"] = _("Indiquez la date et l'heure de l'audition.")
    elif starts_at <= now:
        errors["starts_at"] = _("Le créneau doit être à venir.")
    if not isinstance(duration_minutes, int) or not (
        MIN_MINUTES <= duration_minutes <= MAX_MINUTES
    ):
        errors["duration_minutes"] = _("Une audition dure entre %(low)s et %(high)s minutes.") % {
            "low": MIN_MINUTES,
            "high": MAX_MINUTES,
        }
    errors.update(_place_errors(location, link))
    for field, problem in (
        ("phase", _phase_error(phase, application.call)),
        ("panel", _panel_error(panel, application)),
    ):
        if problem:
            errors[field] = problem
    if application.status != application.Status.COMPLETE:
        errors["__all__"] = _("Ce dossier n'est plus un dossier complet de l'appel.")
    if errors:
        raise ValidationError(errors)


def _event_title(application):
    return _("Audition — %(call)s — %(reference)s") % {
        "call": application.call.title,
        "reference": application.reference,
    }


def _assign_panel(phase, panel, application):
    """Each panel juror gets the file in the audition's phase (kept if they had it)."""
    created = []
    for juror in panel:
        assignment, new = Assignment.objects.get_or_create(
            phase=phase,
            juror=juror,
            application=application,
            defaults={"source": Assignment.Source.MANUAL, "explanation": {}},
        )
        if new:
            Review.objects.create(assignment=assignment)
            created.append(assignment)
    return created


@transaction.atomic
def schedule_audition(
    *,
    audition,
    starts_at,
    duration_minutes,
    location="",
    link="",
    panel=(),
    phase=None,
    by,
    now=None,
):
    """Give the file its slot (or move it) and its panel, and invite the applicant.

    The applicant's members are told each time: a moved slot asks for a new answer.
    """
    require(by, MANAGE)
    now = now or timezone.now()
    audition = _locked(audition)
    application = audition.application
    location, link = plain_text(location, "location"), plain_text(link, "link")
    panel = list(dict.fromkeys(panel))
    _check_slot(
        audition,
        starts_at=starts_at,
        duration_minutes=duration_minutes,
        location=location,
        link=link,
        panel=panel,
        phase=phase,
        now=now,
    )
    values = {
        "title": _event_title(application)[:200],
        "starts_at": starts_at,
        "ends_at": starts_at + datetime.timedelta(minutes=duration_minutes),
        "location": location,
        "link": link,
    }
    moved = audition.event is not None
    if moved:
        event = save_event(about=application, by=by, event=audition.event, **values)
    else:
        event = save_event(about=application, by=by, kind=Event.Kind.AUDITION, **values)
    created = _assign_panel(phase, panel, application)
    before = audition.status
    audition.event = event
    audition.phase = phase
    audition.status = Audition.Status.INVITED
    audition.invited_by = by
    audition.invited_at = now
    audition.answered_at = None
    audition.answer = ""
    audition.save()
    audition.panel.set(panel)
    audit.record(
        obj=application,
        actor=by,
        action="audition_rescheduled" if moved else "audition_scheduled",
        changes=_status_change(before, audition.status) if before != audition.status else {},
        note=_("Créneau du %(slot)s (heure de Paris), %(minutes)s minutes ; jury : %(panel)s.")
        % {
            "slot": _slot_label(event),
            "minutes": duration_minutes,
            "panel": ", ".join(str(juror.user) for juror in panel),
        },
    )
    context = {
        "audition": audition,
        "event": event,
        "application": application,
        "call": application.call,
        "minutes": duration_minutes,
        "moved": moved,
    }
    with timezone.override(PARIS):
        notify(
            recipients=application_members(application),
            template="review/email/audition_invitation",
            context=context,
            url=reverse("calls:application", kwargs={"pk": application.pk}),
            about=application,
        )
        notify(
            recipients=[juror.user for juror in panel],
            template="review/email/audition_panel",
            context={**context, "new_files": len(created)},
            url=reverse("review:audition_juror", kwargs={"pk": audition.pk}),
            about=application,
        )
    return audition


@transaction.atomic
def answer_audition(*, audition, confirm, message="", by, now=None):
    """The applicant confirms the slot, or asks for another one and says why."""
    require(by, "review.answer_audition", audition)
    now = now or timezone.now()
    audition = _locked(audition)
    message = plain_text(message, "message")
    answerable = (
        Audition.Status.INVITED,
        Audition.Status.CONFIRMED,
        Audition.Status.OTHER_SLOT,
    )
    if audition.event is None or audition.status not in answerable:
        raise ValidationError(_("Aucun créneau d'audition n'attend votre réponse."))
    if audition.event.starts_at <= now:
        raise ValidationError(_("Ce créneau est passé : il n'est plus possible d'y répondre."))
    if len(message) > MAX_MESSAGE:
        raise ValidationError({"message": _("Votre message fait au plus 2 000 caractères.")})
    if confirm:
        if audition.status == Audition.Status.CONFIRMED:
            raise ValidationError(_("Vous avez déjà confirmé ce créneau."))
        target, action = Audition.Status.CONFIRMED, "audition_confirmed"
    else:
        if not message:
            raise ValidationError(
                {"message": _("Dites quels créneaux vous conviendraient mieux, et pourquoi.")}
            )
        target, action = Audition.Status.OTHER_SLOT, "audition_other_slot"
    before = audition.status
    audition.status = target
    audition.answer = message
    audition.answered_at = now
    audition.save(update_fields=["status", "answer", "answered_at", "updated_at"])
    application = audition.application
    audit.record(
        obj=application,
        actor=by,
        action=action,
        changes=_status_change(before, target),
        note=message,
    )
    if audition.invited_by is not None:
        with timezone.override(PARIS):
            notify(
                recipients=[audition.invited_by],
                template="review/email/audition_answer",
                context={
                    "audition": audition,
                    "event": audition.event,
                    "application": application,
                    "call": application.call,
                    "person": by,
                    "confirmed": confirm,
                    "message": message,
                },
                url=reverse("review:auditions", kwargs={"pk": application.call_id}),
                about=application,
            )
    return audition


@transaction.atomic
def save_audition_notes(*, audition, notes, by):
    """What the panel and staff note during the audition, beside the second grid."""
    require(by, "review.take_audition_notes", audition)
    audition = _locked(audition)
    notes = plain_text(notes, "notes")
    if len(notes) > MAX_NOTES:
        raise ValidationError({"notes": _("Les notes font au plus 10 000 caractères.")})
    if notes == audition.notes:
        return audition
    audition.notes = notes
    audition.save(update_fields=["notes", "updated_at"])
    # The notes themselves stay off the trail: it is read more widely than the panel.
    audit.record(obj=audition.application, actor=by, action="audition_notes_saved")
    return audition


@transaction.atomic
def cancel_audition(*, audition, by, now=None):
    """Withdraw the slot sent: the event goes, the file stays shortlisted for a new one."""
    require(by, MANAGE)
    now = now or timezone.now()
    audition = _locked(audition)
    if audition.event is None:
        raise ValidationError(_("Aucun créneau n'est fixé pour ce dossier."))
    event = audition.event
    application = audition.application
    upcoming = event.ends_at > now
    slot = _slot_label(event)
    cancel_event(event=event, by=by, now=now)
    before = audition.status
    audition.event = None
    audition.status = Audition.Status.SHORTLISTED
    audition.answered_at = None
    audition.answer = ""
    audition.save()
    audit.record(
        obj=application,
        actor=by,
        action="audition_cancelled",
        changes=_status_change(before, audition.status),
        note=_("Créneau du %(slot)s annulé.") % {"slot": slot},
    )
    if upcoming:
        with timezone.override(PARIS):
            notify(
                recipients=application_members(application),
                template="review/email/audition_cancelled",
                context={
                    "application": application,
                    "call": application.call,
                    "starts_at": event.starts_at,
                },
                url=reverse("calls:application", kwargs={"pk": application.pk}),
                about=application,
            )
    return audition
