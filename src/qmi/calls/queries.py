"""Reads of calls and applications, and the loaders several views share.

Loaders return what the person may see and raise Http404 otherwise, so a page
never tells an outsider that an application exists.
"""

from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from qmi.accounts.models import User

from .forms.staff import ApplicationFilterForm
from .models import (
    Application,
    Call,
    FormRevision,
    Question,
    Section,
)

Status = Application.Status


def questions_of(revision):
    return list(
        Question.objects.filter(section__revision=revision)
        .select_related("section")
        .order_by("section__order", "section__pk", "order", "pk")
    )


def sections_of(revision):
    return list(
        Section.objects.filter(revision=revision)
        .prefetch_related("questions")
        .order_by("order", "pk")
    )


def application_members(application):
    return list(
        User.objects.filter(memberships__organisation=application.organisation_id, is_active=True)
    )


def get_application_for(user, pk, permission="calls.view_application"):
    """The application if the person may see it (members and operator staff); 404 otherwise."""
    application = get_object_or_404(
        Application.objects.select_related("call__edition", "organisation", "revision"), pk=pk
    )
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


def status_counts(queryset):
    """[(status, label, count)] for every status, in one aggregate query."""
    totals = queryset.aggregate(
        **{value: Count("pk", filter=Q(status=value)) for value in Status.values}
    )
    return [(value, label, totals[value]) for value, label in Status.choices]
