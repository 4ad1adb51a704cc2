"""URLs of the calls app: see calls/urls.py. Funnel figures of a call (back office)."""

from django.urls import path

from . import funnel

urlpatterns = [
    path("gestion/appels/<int:pk>/entonnoir.svg", funnel.funnel_svg, name="funnel_svg"),
]
