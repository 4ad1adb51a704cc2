"""Events and registrations: schedule, register, confirm, remind, cancel, calendar files.

Registrants may have no account: their e-mails go to their address through
the mail outbox (`mail.services.send_to_address`), in French, once the
transaction commits, all from `send_registration_email`. A registration counts
(lists, reminders, cancellations, the funnel) only once its address is confirmed:
double opt-in, see `register` and `confirm_registration`.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require
from qmi.mail.services import absolute_url, send_to_address

from . import ics, queries, registry
from .models import Event, Registration

REMINDER_WINDOW = datetime.timedelta(hours=24)
# How long a confirmation link works; unconfirmed registrations are then deleted.
PENDING_VALIDITY = datetime.timedelta(days=7)
EMAIL_LANGUAGE = "fr"
EVENT_FIELDS = ["title", "starts_at", "ends_at", "link", "location"]
# A change to any of these makes calendar programmes replace their copy (SEQUENCE + 1).
SCHEDULE_FIELDS = EVENT_FIELDS


class Email:
    """The e-mails a registrant receives; templates `events/email/<event kind>_<purpose>`."""

    CONFIRM_ADDRESS = "confirm_address"  # the link to confirm, before anything counts
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


def _is_own_verified_address(user, email):
    """True when `email` is a verified address of the logged-in `user` (allauth's records)."""
    if user is None or not user.is_authenticated:
        return False
    return user.emailaddress_set.filter(email__iexact=email, verified=True).exists()


def _duplicate(email):
    return ValidationError(
        _("L'adresse %(email)s est déjà inscrite à cette réunion.") % {"email": email},
        code="duplicate",
    )


def _refused_if_past(event, now):
    if not queries.is_open(event, now):
        raise ValidationError(
            _("Cette réunion a déjà eu lieu : il n'est plus possible de s'y inscrire."),
            code="past",
        )


@transaction.atomic
def register(*, event, name, email, organisation_name="", user=None, now=None):
    """Register someone for an event (double opt-in).

    A logged-in person giving a verified address of their own account is registered
    at once: the confirmation, with the calendar file, leaves after commit. Anyone
    else gets a pending registration and an e-mail with a link to confirm it
    (`confirm_registration`); registering again while it is pending sends that
    e-mail again and changes nothing else (a lapsed link starts afresh). A
    confirmed address is refused.
    """
    now = now or timezone.now()
    _refused_if_past(event, now)
    email = email.strip().lower()
    account = user if user is not None and user.is_authenticated else None
    values = {
        "name": name.strip(),
        "organisation_name": organisation_name.strip(),
        "user": account,
        "created_at": now,
    }
    registration = Registration.objects.select_for_update().filter(event=event, email=email).first()
    if registration is not None and registration.confirmed_at is not None:
        raise _duplicate(email)
    own_address = _is_own_verified_address(account, email)
    still_valid = registration is not None and registration.created_at > now - PENDING_VALIDITY
    if registration is None:
        registration = Registration(event=event, email=email)
    if not still_valid or own_address:
        # A stranger may type anyone's address: what they typed replaces a pending
        # registration only once its link has lapsed, or when the address is their own.
        for field, value in values.items():
            setattr(registration, field, value)
    if own_address:
        registration.confirmed_at = now
    try:
        with transaction.atomic():
            registration.save()
    except IntegrityError:
        # Two submissions at once: the other one won.
        raise _duplicate(email) from None
    if registration.confirmed_at is None:
        send_registration_email(registration, Email.CONFIRM_ADDRESS)
    else:
        send_registration_email(registration, Email.CONFIRMATION)
    return registration


def pending_registration(token, *, now=None):
    """The registration whose link carries `token`; None when unknown or expired unconfirmed."""
    now = now or timezone.now()
    registration = (
        Registration.objects.filter(token=token).select_related("event").first() if token else None
    )
    if registration is None:
        return None
    if registration.confirmed_at is None and registration.created_at <= now - PENDING_VALIDITY:
        return None
    return registration


@transaction.atomic
def confirm_registration(*, token, now=None):
    """Confirm the registration of the link's `token`; its confirmation leaves after commit.

    Idempotent: a registration already confirmed is returned unchanged and no e-mail
    leaves again. Returns (registration, confirmed now). Registration.DoesNotExist for
    an unknown token or a link older than `PENDING_VALIDITY`; ValidationError (code
    "past") once the event has started.
    """
    now = now or timezone.now()
    found = pending_registration(token, now=now)
    if found is None:
        raise Registration.DoesNotExist
    registration = Registration.objects.select_for_update().get(pk=found.pk)
    registration.event = found.event
    if registration.confirmed_at is not None:
        return registration, False
    if not queries.is_open(registration.event, now):
        raise ValidationError(
            _("Cette réunion a déjà eu lieu : l'inscription ne peut plus être confirmée."),
            code="past",
        )
    registration.confirmed_at = now
    registration.save(update_fields=["confirmed_at"])
    send_registration_email(registration, Email.CONFIRMATION)
    return registration, True


def purge_pending(*, now=None):
    """Delete the registrations never confirmed: links older than a week, events begun.

    Run hourly with the reminders (`manage.py send_session_reminders`): addresses
    nobody confirmed are not kept. Returns how many were deleted.
    """
    now = now or timezone.now()
    deleted, _by_model = (
        Registration.objects.pending()
        .filter(Q(created_at__lte=now - PENDING_VALIDITY) | Q(event__starts_at__lte=now))
        .delete()
    )
    return deleted


def send_registration_email(registration, kind, *, calendar=None):
    """Queue the e-mail of one registrant (`Email.*`), with the event's calendar file attached.

    The one place registrants' e-mails are written. `calendar` is a prepared
    (filename, text) pair, for an event that no longer exists. The e-mail asking to
    confirm the address carries the link and no calendar file.
    """
    event = registration.event
    subject = registry.subject_of(event.about)
    context = {
        "registration": registration,
        "event": event,
        "about_title": subject.title(event.about),
        "about_url": subject.page_url(event.about),
    }
    attachments = []
    if kind == Email.CONFIRM_ADDRESS:
        context["confirm_url"] = absolute_url(
            reverse("events:confirm", kwargs={"token": registration.token})
        )
        context["valid_days"] = PENDING_VALIDITY.days
    else:
        if calendar is None:
            # In the e-mail's language, whoever triggered it.
            with translation.override(EMAIL_LANGUAGE):
                calendar = (ics.filename(event), calendar_for(event))
        filename, text = calendar
        attachments = [{"filename": filename, "mimetype": "text/calendar", "content": text}]
    return send_to_address(
        to=registration.email,
        template=f"events/email/{event.kind}_{kind}",
        context=context,
        # Words in French whoever triggers the e-mail: registrants chose no language.
        language=EMAIL_LANGUAGE,
        attachments=attachments,
        about=registration,
        # The link confirms the registration: it must not outlive its delivery in the outbox.
        sensitive=kind == Email.CONFIRM_ADDRESS,
    )


def send_reminders(*, now=None):
    """E-mail each confirmed registrant once, in the 24 hours before their event starts.

    Run it hourly (cron: `manage.py send_session_reminders`). Registrations confirmed
    within those 24 hours are not reminded: their confirmation is recent.
    Each registration is claimed (reminded_at) before its e-mail is scheduled,
    so two runs at once never send it twice.
    """
    now = now or timezone.now()
    due = (
        Registration.objects.confirmed()
        .filter(
            event__starts_at__gt=now,
            event__starts_at__lte=now + REMINDER_WINDOW,
            reminded_at__isnull=True,
        )
        .filter(confirmed_at__lt=F("event__starts_at") - REMINDER_WINDOW)
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
