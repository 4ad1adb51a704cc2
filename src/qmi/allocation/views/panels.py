"""What the allocation adds to the calls' own pages (see calls.panels)."""

from django.template.loader import render_to_string

from qmi.calls.models import Call

from .. import queries
from ..models import Allocation, Placement


def applicant_panel(request, application):
    """On a laureate's file: its ranking to confirm during the window, then its commune."""
    if application.call.kind != Call.Kind.PROJECTS:
        return ""
    allocation = Allocation.objects.filter(call_id=application.call_id).first()
    if (
        allocation is None
        or not queries.announced_laureates(application.call).filter(pk=application.pk).exists()
    ):
        return ""
    placement = (
        Placement.objects.filter(application=application, status=Placement.Status.ACTIVE)
        .select_related("commune__edition_commune__commune")
        .first()
    )
    if allocation.published_at is None and not allocation.is_open():
        return ""
    return render_to_string(
        "allocation/_applicant.html",
        {"allocation": allocation, "application": application, "placement": placement},
        request=request,
    )


PLACEMENTS_SHOWN = 300


def public_panel(request, call):
    """Where each laureate experiments, on the call's public page, once published."""
    if call.kind != Call.Kind.PROJECTS:
        return ""
    allocation = Allocation.objects.filter(call=call, published_at__isnull=False).first()
    if allocation is None:
        return ""
    by_commune = {}
    for placement in (
        Placement.objects.filter(allocation=allocation, status=Placement.Status.ACTIVE)
        .select_related("application__organisation", "commune__edition_commune__commune")
        .order_by("commune__edition_commune__commune__name", "application__organisation__name")[
            :PLACEMENTS_SHOWN
        ]
    ):
        by_commune.setdefault(str(placement.commune), []).append(placement)
    return render_to_string(
        "allocation/public/_placements.html",
        {"allocation": allocation, "communes": sorted(by_commune.items())},
        request=request,
    )
