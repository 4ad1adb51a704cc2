"""Reads used by views: what a person may see, loaded in a fixed number of queries."""

from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import get_object_or_404

from qmi.accounts.rules import memberships_of

from .models import EditionCommune, Phase


def editions_with_timeline(queryset):
    return queryset.select_related("programme").prefetch_related(
        Prefetch("phases", queryset=Phase.objects.order_by("starts_on")),
        Prefetch(
            "communes",
            # Outlines are heavy and lists never draw them: maps fetch them separately.
            queryset=EditionCommune.objects.select_related("commune", "challenge__theme")
            .defer("commune__geometry")
            .order_by("commune__name"),
        ),
    )


def workspaces_for(user):
    """The communes of editions whose workspace the person may open, newest edition first."""
    commune_ids = [commune_id for _, _, _, commune_id in memberships_of(user) if commune_id]
    return (
        EditionCommune.objects.filter(commune_id__in=commune_ids)
        .select_related("edition", "commune")
        .order_by("-edition__number", "commune__name")
    )


def get_edition_commune_for(user, pk, permission="programmes.view_commune_workspace"):
    edition_commune = get_object_or_404(
        EditionCommune.objects.select_related("edition__programme", "commune"), pk=pk
    )
    if not user.has_perm(permission, edition_commune):
        raise Http404
    return edition_commune


def sector_map_data(edition_commune):
    """What a sector map draws: the commune's outline and, once drawn, the sector."""
    sector = getattr(edition_commune, "sector", None)
    return {
        "commune": {
            "type": "Feature",
            "properties": {"name": edition_commune.commune.name},
            "geometry": edition_commune.commune.geometry or None,
        },
        "sector": (
            {"type": "Feature", "properties": {"name": sector.name}, "geometry": sector.geometry}
            if sector
            else None
        ),
    }
