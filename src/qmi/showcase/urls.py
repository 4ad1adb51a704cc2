from django.urls import path

from . import views

app_name = "showcase"
urlpatterns = [
    path("", views.home, name="home"),
    path("editions/<slug:slug>/", views.edition, name="edition"),
    path(
        "editions/<slug:slug>/communes/<slug:commune>/",
        views.edition_commune,
        name="edition_commune",
    ),
    path("carte/communes.geojson", views.communes_geojson, name="communes_geojson"),
]
