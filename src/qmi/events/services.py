"""Events and registrations: schedule, register, confirm, remind, cancel, calendar files.

Registrants may have no account: their e-mails go to their address through
the mail outbox (`mail.services.send_to_address`), in French, once the
transaction commits, all from `send_registration_email`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require
from qmi.mail.services import send_to_address

from . import ics, queries, registry
from .models import Event, Registration

REMINDER_WINDOW = datetime.timedelta(hours=24)
EMAIL_LANGUAGE = "fr"
EVENT_FIELDS = ["title", "starts_at", "ends_at", "link", "location"]
# A change to any of these makes calendar programmes replace their copy (SEQUENCE + 1).
SCHEDULE_FIELDS = EVENT_FIELDS


class Email:
    """The e-mails a registrant receives; templates `events/email/<event kind>_<purpose>`."""

    CONFIRMATION = "confirmation"
    REMINDER = "reminder"
    CANCELLATION = "cancellation"


# Calendar files -------------------------------------------------------------------------


def calendar_for(event, *, now=None, cancelled=False):
    subject = registry.subject_of(event.about)
    return ics.build(
        event,
        about_title=subject.title(event.about),
        page_url=subject.page_url(event.about),
        page_line=str(subject.page_line),
        now=now,
        cancelled=cancelled,
    )


# Staff: schedule and cancel ---------------------------------------------------------


def _check_dates(values):
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if starts and ends and ends <= starts:
        raise ValidationError({"ends_at": _("La fin doit être postérieure au début.")})


@transaction.atomic
def save_event(*, about, by, event=None, kind=None, **values):
    """Add (event=None, of `kind`) or change an event about `about`; audited on `about`.

    A change of date, title or place bumps the event's calendar SEQUENCE.
    """
    require(by, "events.manage_events", about)
    _check_dates(values)
    creating = event is None
    if creating:
        if kind not in Event.Kind.values:
            raise TypeError("save_event needs the kind of the event it adds")
        event = Event(kind=kind, about=about)
    else:
        event = Event.objects.select_for_update().get(pk=event.pk)
        event.about = about
        if any(name in values and values[name] != getattr(event, name) for name in SCHEDULE_FIELDS):
            values = {**values, "sequence": event.sequence + 1}
    what = event.get_kind_display()
    template = (
        _("%(what)s ajoutée : « %(label)s »")
        if creating
        else _("%(what)s modifiée : « %(label)s »")
    )
    return audit.save_with_audit(
        event,
        fields=EVENT_FIELDS,
        values=values,
        by=by,
        creating=creating,
        audit_on=about,
        note=lambda saved: template % {"what": what, "label": saved.title},
    )


@transaction.atomic
def cancel_event(*, event, by, now=None):
    """Delete an event; if it is still to come, its registrants get the cancelling file.

    Returns how many registrants will be told (after commit).
    """
    about = event.about
    require(by, "events.manage_events", about)
    now = now or timezone.now()
    event = Event.objects.select_for_update().get(pk=event.pk)
    event.about = about
    audit.record(
        obj=about,
        actor=by,
        action="deleted",
        changes={
            name: [value, None] for name, value in audit.snapshot(event, EVENT_FIELDS).items()
        },
        note=_("%(what)s supprimée : « %(label)s »")
        % {"what": event.get_kind_display(), "label": event.title},
    )
    registrations = list(queries.registrations_of(event)) if event.ends_at > now else []
    # Built now: the row, and its primary key in the UID, are gone once deleted.
    calendar = ""
    if registrations:
        with translation.override(EMAIL_LANGUAGE):
            calendar = calendar_for(event, now=now, cancelled=True)
    filename = ics.filename(event, cancelled=True)
    event_pk = event.pk
    event.delete()
    event.pk = event_pk
    for registration in registrations:
        registration.event = event
        send_registration_email(registration, Email.CANCELLATION, calendar=(filename, calendar))
    return len(registrations)


# Registrants ------------------------------------------------------------------------


@transaction.atomic
def register(*, event, name, email, organisation_name="", user=None, now=None):
    """Register someone for an event; the confirmation e-mail leaves after commit."""
    now = now or timezone.now()
    if not queries.is_open(event, now):
        raise ValidationError(
            _("Cette réunion a déjà eu lieu : il n'est plus possible de s'y inscrire."),
            code="past",
        )
    email = email.strip().lower()
    if Registration.objects.filter(event=event, email=email).exists():
        raise ValidationError(
            _("L'adresse %(email)s est déjà inscrite à cette réunion.") % {"email": email},
            code="duplicate",
        )
    registration = Registration(
        event=event,
        name=name.strip(),
        organisation_name=organisation_name.strip(),
        email=email,
        user=user if user is not None and user.is_authenticated else None,
        created_at=now,
    )
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Two submissions at once: the other one won.
        raise ValidationError(
            _("L'adresse %(email)s est déjà inscrite à cette réunion.") % {"email": email},
            code="duplicate",
        ) from None
    send_registration_email(registration, Email.CONFIRMATION)
    return registration


def send_registration_email(registration, kind, *, calendar=None):
    """Queue the e-mail of one registrant (`Email.*`), with the event's calendar file attached.

    The one place registrants' e-mails are written. `calendar` is a prepared
    (filename, text) pair, for an event that no longer exists.
    """
    event = registration.event
    subject = registry.subject_of(event.about)
    if calendar is None:
        # In the e-mail's language, whoever triggered it.
        with translation.override(EMAIL_LANGUAGE):
            calendar = (ics.filename(event), calendar_for(event))
    filename, text = calendar
    return send_to_address(
        to=registration.email,
        template=f"events/email/{event.kind}_{kind}",
        context={
            "registration": registration,
            "event": event,
            "about_title": subject.title(event.about),
            "about_url": subject.page_url(event.about),
        },
        # Words in French whoever triggers the e-mail: registrants chose no language.
        language=EMAIL_LANGUAGE,
        attachments=[{"filename": filename, "mimetype": "text/calendar", "content": text}],
        about=registration,
    )


def send_reminders(*, now=None):
    """E-mail each registrant once, in the 24 hours before their event starts.

    Run it hourly (cron: `manage.py send_session_reminders`). Registrations made
    within those 24 hours are not reminded: their confirmation is recent.
    Each registration is claimed (reminded_at) before its e-mail is scheduled,
    so two runs at once never send it twice.
    """
    now = now or timezone.now()
    due = (
        Registration.objects.filter(
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_WINDOW,
            reminded_at__isnull=True,
        )
        .filter(created_at__lt=F("event__starts_at") - REMINDER_WINDOW)
        .select_related("event")
        .prefetch_related("event__about")
    )
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = Registration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            send_registration_email(registration, Email.REMINDER)
            sent += 1
    return sent
