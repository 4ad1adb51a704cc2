"""A call's information sessions (qmi.events): public registration and its calendar file;
registrants for staff. The pages are events'; these views load the call and its event.
"""

import csv

from django.http import StreamingHttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmi.accounts.access import backoffice_required
from qmi.events import queries as events
from qmi.events import views as event_pages
from qmi.events.models import Event

from ..exports import BOM, neutralise
from ..models import Call
from ..queries import get_call_for

SESSION = Event.Kind.INFORMATION_SESSION


def _session_of(request, slug, session_pk):
    call = get_call_for(request.user, slug)
    return events.get_event_about(call, session_pk, SESSION)


def _urls(session, slug):
    kwargs = {"slug": slug, "session_pk": session.pk}
    return {
        "register_url": reverse("calls:session_register", kwargs=kwargs),
        "registered_url": reverse("calls:session_registered", kwargs=kwargs),
        "calendar_url": reverse("calls:session_ics", kwargs=kwargs),
    }


# Public ------------------------------------------------------------------------------


def register(request, slug, session_pk):
    session = _session_of(request, slug, session_pk)
    return event_pages.registration_page(
        request,
        event=session,
        registered_url=_urls(session, slug)["registered_url"],
        context={"back_label": _("Retour à l'appel")},
    )


def registered(request, slug, session_pk):
    session = _session_of(request, slug, session_pk)
    urls = _urls(session, slug)
    return event_pages.confirmation_page(
        request,
        event=session,
        register_url=urls["register_url"],
        calendar_url=urls["calendar_url"],
        context={"back_label": _("Retour à l'appel")},
    )


@require_safe
def calendar_file(request, slug, session_pk):
    """The session's .ics: the same public information as the call page."""
    return event_pages.calendar_download(_session_of(request, slug, session_pk))


# Staff -------------------------------------------------------------------------------


def _staff_session(pk, session_pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    return events.get_event_about(call, session_pk, SESSION)


@backoffice_required
@require_safe
def registrations(request, pk, session_pk):
    session = _staff_session(pk, session_pk)
    call = session.about
    return event_pages.registrants_page(
        request,
        event=session,
        csv_url=reverse(
            "calls:backoffice_registrations_csv", kwargs={"pk": pk, "session_pk": session.pk}
        ),
        context={
            "call": call,
            "breadcrumbs": "calls/staff/_breadcrumbs.html",
            "back_url": reverse("calls:backoffice_call", kwargs={"pk": pk}),
            "back_label": _("Retour à l'appel"),
        },
    )


class _Echo:
    def write(self, value):
        return value


@backoffice_required
@require_safe
def registrations_csv(request, pk, session_pk):
    session = _staff_session(pk, session_pk)
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    header = [_("Nom"), _("Organisation"), _("Adresse e-mail"), _("Inscrit le"), _("Compte")]

    def rows():
        yield BOM
        yield writer.writerow([neutralise(cell) for cell in header])
        for registration in events.registrations_of(session).iterator():
            created = timezone.localtime(registration.created_at)
            yield writer.writerow(
                [
                    neutralise(registration.name),
                    neutralise(registration.organisation_name),
                    neutralise(registration.email),
                    created.strftime("%d/%m/%Y %H:%M"),
                    _("oui") if registration.user_id else _("non"),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="inscrits-{session.about.slug}-{session.pk}.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
