from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control

from qmi.accounts.access import backoffice_required
from qmi.calls.models import Call
from qmi.core.audit import audit_context
from qmi.core.forms import apply_errors
from qmi.core.public_cache import public_page
from qmi.programmes.models import Commune, EditionCommune, Programme, Theme
from qmi.programmes.queries import sector_map_data

from . import services
from .forms import SitePageForm
from .models import SitePage
from .queries import (
    HOME_EDITION_LIMIT,
    map_highlight,
    public_editions,
    timeline,
    with_public_communes,
)


@public_page
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


@public_page
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


@public_page
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


# Areas no search engine has anything to find in: the team's back office and the admin.
# Everything else may be crawled, the log-in and sign-up pages included.
ROBOTS_DISALLOWED = ("portal:backoffice", "admin:index")


@cache_control(public=True, max_age=86400)
def robots_txt(request):
    """/robots.txt, for search engines: the public site is theirs, the back office is not."""
    lines = ["User-agent: *", *(f"Disallow: {reverse(name)}" for name in ROBOTS_DISALLOWED)]
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; charset=utf-8")


# The footer's pages -------------------------------------------------------------


@public_page
def site_page(request, slug):
    """A footer page (legal notice, personal data, accessibility), as operator staff wrote it."""
    page = get_object_or_404(SitePage, slug=slug)
    return render(
        request,
        "showcase/site_page.html",
        {
            "page": page,
            "hosting_provider": settings.QMI_HOSTING_PROVIDER,
            "is_legal_notice": slug == SitePage.Slug.LEGAL_NOTICE,
        },
    )


@backoffice_required
def backoffice_site_pages(request):
    return render(
        request,
        "showcase/backoffice_site_pages.html",
        {"pages": SitePage.objects.order_by("slug"), "section": "pages"},
    )


@backoffice_required(permission="showcase.change_sitepage")
def backoffice_site_page_edit(request, slug):
    page = get_object_or_404(SitePage, slug=slug)
    # The form edits a copy: the service reads the stored values to audit the change.
    form = SitePageForm(request.POST or None, instance=SitePage.objects.get(pk=page.pk))
    if request.method == "POST" and form.is_valid():
        try:
            services.update_site_page(
                page=page,
                by=request.user,
                title=form.cleaned_data["title"],
                body=form.cleaned_data["body"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La page a été enregistrée."))
            return redirect("showcase:backoffice_site_pages")
    return render(
        request,
        "showcase/backoffice_site_page_form.html",
        {"form": form, "page": page, "section": "pages", **audit_context(request.user, page)},
        status=400 if form.errors else 200,
    )
