from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import cache_control

from qmi.calls.models import Call
from qmi.programmes.models import Commune, EditionCommune, Programme, Theme
from qmi.programmes.queries import sector_map_data

from .queries import (
    HOME_EDITION_LIMIT,
    map_highlight,
    public_editions,
    timeline,
    with_public_communes,
)


def home(request):
    editions = with_public_communes(list(public_editions()[:HOME_EDITION_LIMIT]))
    for edition in editions:
        edition.timeline = timeline(edition)
    return render(
        request,
        "showcase/home.html",
        {
            "programme": Programme.objects.order_by("pk").first(),
            "editions": editions,
            "themes": Theme.objects.order_by("order", "name"),
            "map_highlight": map_highlight(editions),
            "open_calls": Call.objects.filter(
                status=Call.Status.PUBLISHED, closes_at__gte=timezone.now()
            ).select_related("edition")[:10],
        },
    )


def edition(request, slug):
    edition = get_object_or_404(public_editions(), slug=slug)
    with_public_communes([edition])
    edition.timeline = timeline(edition)
    return render(
        request,
        "showcase/edition.html",
        {
            "edition": edition,
            "map_highlight": map_highlight([edition]),
            "calls": edition.calls.exclude(status=Call.Status.DRAFT).order_by("opens_at"),
        },
    )


def edition_commune(request, slug, commune):
    participation = get_object_or_404(
        EditionCommune.objects.select_related(
            "edition__programme", "commune", "challenge__theme", "sector"
        ),
        edition__slug=slug,
        edition__is_public=True,
        commune__slug=commune,
    )
    if not participation.edition.selection_is_public:
        raise Http404
    sector = getattr(participation, "sector", None)
    map_data = sector_map_data(participation)
    return render(
        request,
        "showcase/edition_commune.html",
        {
            "participation": participation,
            "edition": participation.edition,
            "challenge": getattr(participation, "challenge", None),
            "sector": sector,
            "map_data": map_data,
        },
    )


@cache_control(public=True, max_age=3600)
def communes_geojson(request):
    """The 130 outlines of the Métropole, for every map of the platform."""
    features = [
        {
            "type": "Feature",
            "properties": {"insee": insee, "name": name, "ept": ept},
            "geometry": geometry or None,
        }
        for insee, name, ept, geometry in Commune.objects.order_by("insee").values_list(
            "insee", "name", "ept_name", "geometry"
        )
    ]
    return JsonResponse({"type": "FeatureCollection", "features": features})
