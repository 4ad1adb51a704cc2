"""Auditions: the staff's list of shortlisted files and their slots, the applicant's answer
and calendar file, the panel's notes.

Staff pages are operator tools (404 for anyone outside the back office); the applicant reaches
the slot of their own file only (calls' `get_application_for`), a juror the auditions of the
panels they sit on.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_time
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.calls.models import Application, Call
from qmi.calls.queries import get_application_for
from qmi.core.forms import parse_id, parse_ids
from qmi.events.views import calendar_download

from .. import queries
from ..models import Audition, Juror, Phase, Review
from ..services import auditions as services

MANAGE = "review.manage_review"
PER_PAGE = 20
DEFAULT_MINUTES = 30


def _attempt(request, action, success):
    """Run a service: its refusal becomes the page's error, else `success` is said."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return False
    messages.success(request, success)
    return True


def _call(pk):
    return get_object_or_404(Call.objects.select_related("edition"), pk=pk)


def _audition(call, audition_pk):
    return get_object_or_404(
        Audition.objects.select_related("application", "event"),
        pk=audition_pk,
        application__call=call,
    )


def _back(call, audition=None):
    url = reverse("review:auditions", kwargs={"pk": call.pk})
    return redirect(f"{url}#audition-{audition.pk}" if audition else url)


# Staff ------------------------------------------------------------------------------


@backoffice_required(permission=MANAGE)
@require_POST
def shortlist_add(request, pk):
    """The ranking's checked rows join the shortlist; back to the ranking as it was filtered."""
    call = _call(pk)
    ids = set(parse_ids(request.POST.getlist("applications"), limit=500))
    files = list(Application.objects.filter(call=call, pk__in=ids).order_by("reference"))
    if not ids:
        messages.error(request, _("Cochez au moins un dossier à présélectionner."))
    elif len(files) != len(ids):
        messages.error(
            request, _("Seuls les dossiers complets de cet appel peuvent être présélectionnés.")
        )
    else:
        try:
            added = services.shortlist(call=call, applications=files, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            if added:
                messages.success(
                    request,
                    ngettext(
                        "%(count)s dossier ajouté aux auditions.",
                        "%(count)s dossiers ajoutés aux auditions.",
                        len(added),
                    )
                    % {"count": len(added)},
                )
            else:
                messages.info(request, _("Ces dossiers sont déjà présélectionnés."))
    query = QueryDict(request.POST.get("query", "")).urlencode()
    url = reverse("review:ranking", kwargs={"pk": call.pk})
    return redirect(f"{url}?{query}" if query else url)


def _initial(audition, panel_ids, default_phase):
    """What the slot form shows for an audition: its slot, or a blank one."""
    event = audition.event
    if event is None:
        return {
            "date": "",
            "time": "",
            "duration": str(DEFAULT_MINUTES),
            "location": "",
            "link": "",
            "panel": set(panel_ids),
            "phase": audition.phase_id or default_phase,
        }
    starts = timezone.localtime(event.starts_at, services.PARIS)
    return {
        "date": starts.date().isoformat(),
        "time": starts.strftime("%H:%M"),
        "duration": str(int((event.ends_at - event.starts_at).total_seconds() // 60)),
        "location": event.location,
        "link": event.link,
        "panel": set(panel_ids),
        "phase": audition.phase_id,
    }


def _posted(data):
    return {
        "date": data.get("date", "").strip(),
        "time": data.get("time", "").strip(),
        "duration": data.get("duration", "").strip(),
        "location": data.get("location", ""),
        "link": data.get("link", ""),
        "panel": set(parse_ids(data.getlist("panel"), limit=100)),
        "phase": parse_id(data.get("phase")),
    }


def _starts_at(posted):
    """The slot's start, typed in Paris time; None when no valid date and time were typed."""
    try:
        day, hour = parse_date(posted["date"]), parse_time(posted["time"])
    except ValueError:
        return None
    if day is None or hour is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, hour), services.PARIS)


def _schedule(request, call, posted):
    audition = get_object_or_404(
        Audition.objects.filter(application__call=call),
        pk=parse_id(request.POST.get("audition")) or 0,
    )
    duration = posted["duration"]
    services.schedule_audition(
        audition=audition,
        starts_at=_starts_at(posted),
        duration_minutes=int(duration) if duration.isascii() and duration.isdigit() else None,
        location=posted["location"],
        link=posted["link"],
        panel=list(Juror.objects.filter(pk__in=posted["panel"]).select_related("user")),
        phase=Phase.objects.filter(pk=posted["phase"]).first() if posted["phase"] else None,
        by=request.user,
    )
    return audition


@backoffice_required(permission=MANAGE)
def auditions_page(request, pk):
    """The shortlist with each slot, panel and answer; a slot is set or moved from its row."""
    call = _call(pk)
    posted, problem_for, errors = {}, None, {}
    if request.method == "POST":
        posted = _posted(request.POST)
        problem_for = parse_id(request.POST.get("audition"))
        try:
            audition = _schedule(request, call, posted)
        except ValidationError as error:
            errors = (
                error.message_dict if hasattr(error, "error_dict") else {"__all__": error.messages}
            )
        except PermissionDenied:
            raise Http404 from None
        else:
            messages.success(
                request,
                _("Le créneau de %(reference)s est envoyé au candidat.")
                % {"reference": audition.application.reference},
            )
            query = request.GET.urlencode()
            return redirect(f"{request.path}?{query}" if query else request.path)
    jurors = list(queries.active_jurors(call).order_by("user__full_name", "user__email"))
    phases = list(call.review_phases.filter(scoring=True).exclude(status=Phase.Status.CLOSED))
    default_phase = phases[-1].pk if phases else None
    auditions = (
        Audition.objects.filter(application__call=call)
        .select_related("application__organisation", "event", "phase", "invited_by")
        .prefetch_related(Prefetch("panel", queryset=Juror.objects.select_related("user")))
        .order_by("application__reference")
    )
    page = Paginator(auditions, PER_PAGE).get_page(request.GET.get("page"))
    excluded = queries.excluded_pairs(call, jurors)
    rows = []
    for audition in page.object_list:
        panel = list(audition.panel.all())
        mine = audition.pk == problem_for
        values = posted if mine else _initial(audition, [j.pk for j in panel], default_phase)
        rows.append(
            {
                "audition": audition,
                "panel": panel,
                "values": values,
                "errors": errors if mine else {},
                "jurors": [
                    {
                        "juror": juror,
                        "checked": juror.pk in values["panel"],
                        "conflict": (juror.pk, audition.application_id) in excluded,
                    }
                    for juror in jurors
                ],
            }
        )
    return render(
        request,
        "review/staff/auditions.html",
        {
            "call": call,
            "page": page,
            "rows": rows,
            "phases": phases,
            "min_minutes": services.MIN_MINUTES,
            "max_minutes": services.MAX_MINUTES,
        },
        status=422 if errors else 200,
    )


@backoffice_required(permission=MANAGE)
@require_POST
def audition_cancel(request, pk, audition_pk):
    call = _call(pk)
    audition = _audition(call, audition_pk)
    _attempt(
        request,
        lambda: services.cancel_audition(audition=audition, by=request.user),
        _("Le créneau est annulé ; le candidat en est informé. Le dossier reste présélectionné."),
    )
    return _back(call, audition)


@backoffice_required(permission=MANAGE)
@require_POST
def audition_remove(request, pk, audition_pk):
    call = _call(pk)
    audition = _audition(call, audition_pk)
    reference = audition.application.reference
    if _attempt(
        request,
        lambda: services.remove_from_shortlist(audition=audition, by=request.user),
        _("%(reference)s est retiré des auditions.") % {"reference": reference},
    ):
        return _back(call)
    return _back(call, audition)


@backoffice_required(permission=MANAGE)
@require_POST
def audition_notes(request, pk, audition_pk):
    call = _call(pk)
    audition = _audition(call, audition_pk)
    _attempt(
        request,
        lambda: services.save_audition_notes(
            audition=audition, notes=request.POST.get("notes", ""), by=request.user
        ),
        _("Les notes d'audition sont enregistrées."),
    )
    return _back(call, audition)


# The panel ---------------------------------------------------------------------------


@login_required
def audition_juror(request, pk):
    """A panel juror's page of one audition: the slot, the shared notes, their review."""
    audition = get_object_or_404(
        Audition.objects.select_related("application__call", "event", "phase"),
        pk=pk,
        panel__user=request.user,
        panel__withdrawn_at__isnull=True,
    )
    if request.method == "POST":
        _attempt(
            request,
            lambda: services.save_audition_notes(
                audition=audition, notes=request.POST.get("notes", ""), by=request.user
            ),
            _("Les notes d'audition sont enregistrées."),
        )
        return redirect("review:audition_juror", pk=audition.pk)
    review = (
        Review.objects.filter(
            assignment__phase_id=audition.phase_id,
            assignment__application_id=audition.application_id,
            assignment__juror__user=request.user,
        ).first()
        if audition.phase_id
        else None
    )
    return render(
        request,
        "review/audition.html",
        {
            "audition": audition,
            "application": audition.application,
            "call": audition.application.call,
            "event": audition.event,
            "review": review,
            "identities_shown": audition.phase is None or audition.phase.identities_shown,
        },
    )


# The applicant ----------------------------------------------------------------------


def _slot_of(application):
    audition = (
        Audition.objects.filter(application_id=application.pk, event__isnull=False)
        .select_related("event")
        .first()
    )
    if audition is None:
        raise Http404
    return audition


@login_required
def audition_ics(request, pk):
    """The slot's calendar file, for those who may read the file."""
    application = get_application_for(request.user, pk)
    return calendar_download(_slot_of(application).event)


@login_required
@require_POST
def audition_answer(request, pk):
    application = get_application_for(request.user, pk)
    audition = _slot_of(application)
    audition.application = application
    if not request.user.has_perm("review.answer_audition", audition):
        raise Http404
    answer = request.POST.get("answer")
    if answer not in ("confirm", "other"):
        messages.error(request, _("Choisissez de confirmer le créneau ou d'en demander un autre."))
    else:
        _attempt(
            request,
            lambda: services.answer_audition(
                audition=audition,
                confirm=answer == "confirm",
                message=request.POST.get("message", ""),
                by=request.user,
            ),
            _("Votre créneau d'audition est confirmé.")
            if answer == "confirm"
            else _("Votre demande d'un autre créneau est transmise à l'équipe du programme."),
        )
    return redirect(reverse("calls:application", kwargs={"pk": application.pk}) + "#audition")


def applicant_panel(request, application):
    """The audition section of the applicant's file: one query when there is none."""
    audition = (
        Audition.objects.filter(application_id=application.pk, event__isnull=False)
        .select_related("event")
        .first()
    )
    if audition is None:
        return ""
    audition.application = application
    event = audition.event
    upcoming = event.starts_at > timezone.now()
    return render_to_string(
        "review/applicant/audition.html",
        {
            "audition": audition,
            "application": application,
            "event": event,
            "minutes": int((event.ends_at - event.starts_at).total_seconds() // 60),
            "upcoming": upcoming,
            "can_answer": upcoming and request.user.has_perm("review.answer_audition", audition),
        },
        request=request,
    )
