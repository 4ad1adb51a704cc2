"""Information sessions: public registration and its calendar file; registrants for staff."""

import csv

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmi.accounts.access import backoffice_required
from qmi.core.forms import apply_errors

from . import services_sessions as services
from .exports import BOM, neutralise
from .forms_sessions import RegistrationForm
from .models import Call, InformationSession
from .views_applicant import get_call_for

REGISTRANTS_PER_PAGE = 50
SESSION_KEY = "qmi-session-registrations"


def _session_of(request, slug, session_pk):
    call = get_call_for(request.user, slug)
    session = get_object_or_404(InformationSession, pk=session_pk, call=call)
    session.call = call
    return session


# Public ------------------------------------------------------------------------------


def register(request, slug, session_pk):
    session = _session_of(request, slug, session_pk)
    is_open = services.session_is_open(session)
    form = RegistrationForm(
        request.POST or None, initial=RegistrationForm.initial_for(request.user)
    )
    if request.method == "POST" and is_open and form.is_valid():
        try:
            registration = services.register(
                session=session,
                name=form.cleaned_data["name"],
                organisation_name=form.cleaned_data["organisation_name"],
                email=form.cleaned_data["email"],
                user=request.user,
            )
        except ValidationError as error:
            if error.code == "past":
                is_open = False
            elif error.code == "duplicate":
                form.add_error("email", error)
            else:
                apply_errors(form, error)
        else:
            # The confirmation page shows only registrations made from this browser.
            done = request.session.get(SESSION_KEY, [])
            request.session[SESSION_KEY] = [*done[-19:], registration.pk]
            return redirect("calls:session_registered", slug=slug, session_pk=session.pk)
    failed = request.method == "POST" and (not is_open or form.errors)
    return render(
        request,
        "calls/sessions/register.html",
        {"call": session.call, "session": session, "form": form, "is_open": is_open},
        status=400 if failed else 200,
    )


def registered(request, slug, session_pk):
    session = _session_of(request, slug, session_pk)
    registration = session.registrations.filter(pk__in=request.session.get(SESSION_KEY, [])).first()
    if registration is None:
        return redirect("calls:session_register", slug=slug, session_pk=session.pk)
    return render(
        request,
        "calls/sessions/registered.html",
        {"call": session.call, "session": session, "registration": registration},
    )


@require_safe
def calendar_file(request, slug, session_pk):
    """The session's .ics: the same public information as the call page."""
    session = _session_of(request, slug, session_pk)
    response = HttpResponse(
        services.calendar_for(session).encode("utf-8"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = 'attachment; filename="reunion.ics"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


# Staff -------------------------------------------------------------------------------


def _staff_session(pk, session_pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    session = get_object_or_404(InformationSession, pk=session_pk, call=call)
    session.call = call
    return session


@backoffice_required
@require_safe
def registrations(request, pk, session_pk):
    session = _staff_session(pk, session_pk)
    page = Paginator(services.registrations_of(session), REGISTRANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "calls/sessions/registrations.html",
        {"call": session.call, "session": session, "page": page},
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
        for registration in services.registrations_of(session).iterator():
            created = timezone.localtime(registration.created_at, services.PARIS)
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
        f'attachment; filename="inscrits-{session.call.slug}-{session.pk}.csv"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response
