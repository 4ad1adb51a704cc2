"""URLs of the calls app: see calls/urls.py. Registrations to information sessions."""

from django.urls import path

from . import views_sessions as views

urlpatterns = [
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/inscription/",
        views.register,
        name="session_register",
    ),
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/inscription/confirmee/",
        views.registered,
        name="session_registered",
    ),
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/invitation.ics",
        views.calendar_file,
        name="session_ics",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/inscrits/",
        views.registrations,
        name="backoffice_registrations",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/inscrits.csv",
        views.registrations_csv,
        name="backoffice_registrations_csv",
    ),
]
