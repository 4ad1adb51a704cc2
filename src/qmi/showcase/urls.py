from django.urls import path

from . import views
from .models import SitePage

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("editions/<slug:slug>/", views.edition, name="edition"),
    path(
        "editions/<slug:slug>/communes/<slug:commune>/",
        views.edition_commune,
        name="edition_commune",
    ),
    path("robots.txt", views.robots_txt, name="robots_txt"),
    path("carte/communes.geojson", views.communes_geojson, name="communes_geojson"),
    # The footer's pages, each at its own fixed address (the slug is also the URL name).
    *(
        path(f"{slug}/", views.site_page, {"slug": slug}, name=slug)
        for slug in SitePage.Slug.values
    ),
    path("gestion/pages/", views.backoffice_site_pages, name="backoffice_site_pages"),
    path(
        "gestion/pages/<slug:slug>/",
        views.backoffice_site_page_edit,
        name="backoffice_site_page_edit",
    ),
]
