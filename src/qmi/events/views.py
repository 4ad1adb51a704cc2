"""Pages of events, for the owning app's thin views (which load the object and the event).

The owning app keeps the URL (its path names the object, e.g. a call's slug),
checks who may see the object, and hands over here with the URLs to go to.
"""

from allauth.account.adapter import get_adapter
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from qmi.core import ratelimit
from qmi.core.forms import apply_errors

from . import ics, queries, registry, services
from .forms import RegistrationForm
from .models import Registration

REGISTRANTS_PER_PAGE = 50
# Enough for a person registering colleagues to several sessions; far below a flood.
REGISTRATIONS_PER_CLIENT_HOUR = 20
REGISTRATIONS_PER_EMAIL_HOUR = 5
# Registrations made from this browser, so the confirmation page shows only those.
SESSION_KEY = "qmi-session-registrations"
# The registration this browser has just confirmed, so its page says so (once).
JUST_CONFIRMED_KEY = "qmi-registration-just-confirmed"


def _context(event, extra):
    about = event.about
    subject = registry.subject_of(about)
    return {
        "event": event,
        "about": about,
        "about_title": subject.title(about),
        # On the site's own pages a relative link will do; e-mails use the absolute one.
        "about_url": about.get_absolute_url()
        if hasattr(about, "get_absolute_url")
        else subject.page_url(about),
        **extra,
    }


def registration_page(request, *, event, registered_url, context=None):
    is_open = queries.is_open(event)
    form = RegistrationForm(
        request.POST or None, initial=RegistrationForm.initial_for(request.user)
    )
    if request.method == "POST" and is_open and form.is_valid() and not _too_many(request, form):
        try:
            registration = services.register(
                event=event,
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
            _remember(request, registration)
            return redirect(registered_url)
    failed = request.method == "POST" and (not is_open or form.errors)
    status = 429 if getattr(form, "throttled", False) else 400 if failed else 200
    return render(
        request,
        "events/register.html",
        _context(event, {"form": form, "is_open": is_open, **(context or {})}),
        status=status,
    )


def _remember(request, registration):
    done = [pk for pk in request.session.get(SESSION_KEY, []) if pk != registration.pk]
    request.session[SESSION_KEY] = [*done[-19:], registration.pk]


def _too_many(request, form):
    """Public form: a few registrations per address and per client an hour, then a pause."""
    allowed = ratelimit.allow(
        "event-registration-client",
        # allauth knows the trusted proxies (ALLAUTH_TRUSTED_PROXY_COUNT), as for log-ins.
        get_adapter().get_client_ip(request),
        limit=REGISTRATIONS_PER_CLIENT_HOUR,
        period=3600,
    ) and ratelimit.allow(
        "event-registration-email",
        form.cleaned_data["email"].strip().lower(),
        limit=REGISTRATIONS_PER_EMAIL_HOUR,
        period=3600,
    )
    if not allowed:
        form.throttled = True
        form.add_error(
            None,
            _(
                "Trop d'inscriptions en peu de temps depuis cette adresse. "
                "Réessayez dans une heure, ou écrivez au contact de l'appel."
            ),
        )
    return not allowed


def confirmation_page(request, *, event, register_url, calendar_url, context=None):
    """After the form: registered (a verified address) or asked to check the mailbox."""
    done = request.session.get(SESSION_KEY, [])
    mine = {r.pk: r for r in event.registrations.filter(pk__in=done)}
    # The latest one this browser made for this event (colleagues may follow each other).
    registration = next((mine[pk] for pk in reversed(done) if pk in mine), None)
    if registration is None:
        return redirect(register_url)
    return render(
        request,
        "events/registered.html",
        _context(
            event,
            {"registration": registration, "calendar_url": calendar_url, **(context or {})},
        ),
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token):
    """The link of the e-mail: GET shows what will be confirmed, only POST confirms it.

    (Mail scanners open links; they do not press buttons.) The token is the secret.
    """
    registration = services.pending_registration(token)
    if registration is None:
        return render(request, "events/confirm_unknown.html", status=404)
    event = registration.event
    status = 200
    if request.method == "POST":
        try:
            registration, confirmed_now = services.confirm_registration(token=token)
        except Registration.DoesNotExist:
            return render(request, "events/confirm_unknown.html", status=404)
        except ValidationError:
            status = 400
        else:
            _remember(request, registration)
            if confirmed_now:
                request.session[JUST_CONFIRMED_KEY] = registration.pk
            return redirect(request.path)
    subject = registry.subject_of(event.about)
    extra = {"registration": registration, "back_label": _("Retour à la présentation")}
    if registration.confirmed_at is not None:
        extra["just_confirmed"] = request.session.pop(JUST_CONFIRMED_KEY, None) == registration.pk
        extra["calendar_url"] = subject.calendar_url(event) if subject.calendar_url else ""
        return render(request, "events/registered.html", _context(event, extra))
    extra["is_open"] = queries.is_open(event)
    return render(request, "events/confirm.html", _context(event, extra), status=status)


def calendar_download(event):
    """The event's .ics: the same public information as the page it is about."""
    response = HttpResponse(
        services.calendar_for(event).encode("utf-8"),
        content_type="text/calendar; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{ics.filename(event)}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def registrants_page(request, *, event, csv_url, context=None):
    page = Paginator(queries.registrations_of(event), REGISTRANTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "events/registrations.html",
        _context(
            event,
            {
                "page": page,
                "pending": queries.pending_count(event),
                "csv_url": csv_url,
                **(context or {}),
            },
        ),
    )
