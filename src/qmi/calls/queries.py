"""Reads of calls and applications, and the loaders several views share.

Loaders return what the person may see and raise Http404 otherwise, so a page
never tells an outsider that an application exists.
"""

import datetime

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from qmi.accounts.models import User
from qmi.core import versions
from qmi.core.public_cache import CONTENT

from .forms.staff import ApplicationFilterForm
from .funnel import kept_status_counts
from .models import (
    Application,
    Call,
    CorrectionRequest,
    FormRevision,
    Question,
    Section,
)

Status = Application.Status
QUESTIONS_SECONDS = 60 * 60


def questions_of(revision):
    """The revision's questions in order; a published revision's are kept (core.versions).

    A published form does not change, and every autosave reads it twice, once inside
    its transaction; a draft revision (the builder's) is always read afresh.
    """

    def read():
        return list(
            Question.objects.filter(section__revision=revision)
            .select_related("section")
            .order_by("section__order", "section__pk", "order", "pk")
        )

    if revision is None or revision.published_at is None:
        return read()
    # The publication's time is in the key: a rolled-back publication is never asked again.
    key = f"questions:{revision.pk}:{revision.published_at.timestamp()}"
    return versions.remember(key, (CONTENT,), read, QUESTIONS_SECONDS, settled=True)


def sections_of(revision):
    return list(
        Section.objects.filter(revision=revision)
        .prefetch_related("questions")
        .order_by("order", "pk")
    )


def open_correction(application):
    """The correction request staff have not resolved yet, or None."""
    return (
        application.correction_requests.filter(resolved_at__isnull=True)
        .order_by("-created_at")
        .first()
    )


def open_corrections_prefetch():
    """For lists: each application's unresolved requests, newest first, as `open_corrections`."""
    return Prefetch(
        "correction_requests",
        queryset=CorrectionRequest.objects.filter(resolved_at__isnull=True).order_by("-created_at"),
        to_attr="open_corrections",
    )


def application_members(application):
    return list(
        User.objects.filter(memberships__organisation=application.organisation_id, is_active=True)
    )


PAGE_RELATED = ("call__edition", "organisation", "revision")


def get_application_for(user, pk, permission="calls.view_application", related=PAGE_RELATED):
    """The application if the person may see it (members and operator staff); 404 otherwise.

    `related`: what is read with it, by default what every page of it shows.
    """
    application = get_object_or_404(Application.objects.select_related(*related), pk=pk)
    if not user.has_perm(permission, application):
        raise Http404
    return application


def get_call_for(user, slug):
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    if call.status == Call.Status.DRAFT and not user.has_perm("calls.view_unpublished_calls"):
        raise Http404
    return call


def current_questions(call):
    revision = (
        FormRevision.objects.filter(call=call, published_at__isnull=False)
        .order_by("-number")
        .first()
    )
    return questions_of(revision) if revision else []


def filtered_applications(call, data):
    form = ApplicationFilterForm(data or None, call=call)
    applications = form.filter(Application.objects.filter(call=call).select_related("organisation"))
    return form, applications


def call_status_counts(call):
    """[(status, label, count)] for every status of one call's applications (kept)."""
    totals = kept_status_counts([call.pk])[call.pk]
    return [(value, label, totals[value]) for value, label in Status.choices]


# The staff's to-do (see portal.todo) ---------------------------------------------


def applications_to_examine():
    """Submitted files nobody has examined yet, the longest waiting first."""
    return (
        Application.objects.filter(status=Status.SUBMITTED)
        .select_related("call", "organisation")
        .order_by("submitted_at", "pk")
    )


def late_corrections(now=None):
    """Correction requests whose due date has passed without a new deposit."""
    return (
        CorrectionRequest.objects.filter(
            resolved_at__isnull=True,
            due_at__lt=now or timezone.now(),
            application__status=Status.CORRECTION_REQUESTED,
        )
        .select_related("application__call", "application__organisation")
        .order_by("due_at", "pk")
    )


def calls_closing_soon(now=None, days=14):
    """Published calls whose deadline falls within `days` days."""
    now = now or timezone.now()
    return (
        Call.objects.filter(
            status=Call.Status.PUBLISHED,
            closes_at__gt=now,
            closes_at__lte=now + datetime.timedelta(days=days),
        )
        .select_related("edition")
        .order_by("closes_at", "pk")
    )


# A person's home (see portal.home) -----------------------------------------------


def in_progress_for(user):
    """The files of the person's organisations that wait for them: drafts and corrections.

    Each carries `open_corrections` (newest first); files of calls that no longer
    accept deposits are left out.
    """
    return (
        Application.objects.filter(
            organisation__memberships__user=user,
            status__in=[Status.DRAFT, Status.CORRECTION_REQUESTED],
            call__status=Call.Status.PUBLISHED,
        )
        .select_related("call__edition", "organisation")
        .prefetch_related(open_corrections_prefetch())
        .order_by("call__closes_at", "pk")
    )


def applications_to(user, calls):
    """{call pk: application pk} of the person's organisations' files (withdrawn ones aside)."""
    return dict(
        Application.objects.filter(organisation__memberships__user=user, call__in=list(calls))
        .exclude(status=Status.WITHDRAWN)
        .values_list("call_id", "pk")
    )


def open_calls_for(kinds, now=None, limit=20):
    """Published calls open now or soon that organisations of `kinds` may answer."""
    now = now or timezone.now()
    calls = Call.objects.filter(status=Call.Status.PUBLISHED, closes_at__gt=now).select_related(
        "edition"
    )
    kinds = set(kinds)
    return [
        call for call in calls.order_by("closes_at", "pk")[:200] if kinds & set(call.eligible_kinds)
    ][:limit]
