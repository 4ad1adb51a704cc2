"""Registrations to information sessions: register, confirm and remind by e-mail, count.

Registrants may have no account: their e-mails do not go through
`core.notify` (which needs a recipient user) but straight through Django's
mail, in French, once the transaction commits.
"""

import datetime
import zoneinfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from qmi.accounts.models import Membership
from qmi.mail.services import absolute_url

from .ics import session_calendar
from .models import Application, SessionRegistration

REMINDER_WINDOW = datetime.timedelta(hours=24)
EMAIL_LANGUAGE = "fr"
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def session_is_open(session, now=None):
    """Registration stays open until the session starts."""
    return session.starts_at > (now or timezone.now())


def call_page_url(session):
    return absolute_url(reverse("calls:call", kwargs={"slug": session.call.slug}))


def calendar_for(session, now=None):
    return session_calendar(session, page_url=call_page_url(session), now=now)


@transaction.atomic
def register(*, session, name, email, organisation_name="", user=None, now=None):
    """Register someone for a session; the confirmation e-mail leaves after commit."""
    now = now or timezone.now()
    if not session_is_open(session, now):
        raise ValidationError(
            _("Cette réunion a déjà eu lieu : il n'est plus possible de s'y inscrire."),
            code="past",
        )
    email = email.strip().lower()
    if SessionRegistration.objects.filter(session=session, email=email).exists():
        raise ValidationError(
            _("L'adresse %(email)s est déjà inscrite à cette réunion.") % {"email": email},
            code="duplicate",
        )
    registration = SessionRegistration(
        session=session,
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
    transaction.on_commit(
        lambda: send_registration_email(registration, "session_confirmation"), robust=True
    )
    return registration


def send_registration_email(registration, template):
    """E-mail one registrant (confirmation or reminder), with the session's .ics attached."""
    session = registration.session
    # Dates in Paris time, words in French, whoever triggers the e-mail.
    with translation.override(EMAIL_LANGUAGE), timezone.override(PARIS):
        context = {
            "registration": registration,
            "session": session,
            "call": session.call,
            "call_url": call_page_url(session),
        }
        subject = render_to_string(f"calls/email/{template}.subject.txt", context)
        body = render_to_string(f"calls/email/{template}.body.txt", context).strip()
        calendar = calendar_for(session)
    message = EmailMessage(
        subject=f"{settings.ACCOUNT_EMAIL_SUBJECT_PREFIX}{' '.join(subject.split())}",
        body=body,
        to=[registration.email],
    )
    message.attach("reunion.ics", calendar, "text/calendar")
    message.send()


def send_session_reminders(*, now=None):
    """E-mail each registrant once, in the 24 hours before their session starts.

    Run it hourly (cron: `manage.py send_session_reminders`). Registrations made
    within those 24 hours are not reminded: their confirmation is recent.
    Each registration is claimed (reminded_at) before its e-mail is scheduled,
    so two runs at once never send it twice.
    """
    now = now or timezone.now()
    due = (
        SessionRegistration.objects.filter(
            session__starts_at__gt=now,
            session__starts_at__lte=now + REMINDER_WINDOW,
            reminded_at__isnull=True,
        )
        .filter(created_at__lt=F("session__starts_at") - REMINDER_WINDOW)
        .select_related("session__call")
    )
    sent = 0
    for registration in due:
        with transaction.atomic():
            claimed = SessionRegistration.objects.filter(
                pk=registration.pk, reminded_at__isnull=True
            ).update(reminded_at=now)
            if not claimed:
                continue
            transaction.on_commit(
                lambda registration=registration: send_registration_email(
                    registration, "session_reminder"
                ),
                robust=True,
            )
            sent += 1
    return sent


# Staff -----------------------------------------------------------------------


def registrations_of(session):
    return SessionRegistration.objects.filter(session=session).order_by("created_at", "pk")


def registrants_who_started(call):
    """How many distinct registrant e-mails (all the call's sessions) belong to people who are
    members of an organisation with an application to this call. One query.

    A registrant is matched to a person by the account they were logged in with,
    or by their e-mail address.
    """
    applied = Membership.objects.filter(
        Q(user=OuterRef("user")) | Q(user__email__iexact=OuterRef("email")),
        organisation__in=Application.objects.filter(call=call).values("organisation"),
    )
    return (
        SessionRegistration.objects.filter(session__call=call)
        .filter(Exists(applied))
        .aggregate(count=Count("email", distinct=True))["count"]
    )
