"""URLs of the calls app: see calls/urls.py. Public call pages and the applicant's side."""

from django.urls import path

from . import views_applicant as views

urlpatterns = [
    path("appels/<slug:slug>/", views.call_detail, name="call"),
    path("appels/<slug:slug>/candidater/", views.apply, name="apply"),
    path(
        "appels/<slug:slug>/modeles/<int:question_pk>/",
        views.template_file,
        name="template_file",
    ),
    path("candidatures/", views.my_applications, name="my_applications"),
    path("candidatures/<int:pk>/", views.application_detail, name="application"),
    path("candidatures/<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("candidatures/<int:pk>/sections/<int:number>/", views.section, name="section"),
    path("candidatures/<int:pk>/enregistrer/", views.autosave, name="autosave"),
    path(
        "candidatures/<int:pk>/documents/<int:document_pk>/",
        views.document,
        name="document",
    ),
    path(
        "candidatures/<int:pk>/documents/<int:document_pk>/retirer/",
        views.remove_document,
        name="remove_document",
    ),
    path(
        "candidatures/<int:pk>/documents/<slug:key>/",
        views.upload_document,
        name="upload_document",
    ),
    path("candidatures/<int:pk>/recapitulatif/", views.summary, name="summary"),
    path("candidatures/<int:pk>/deposer/", views.submit, name="submit"),
    path("candidatures/<int:pk>/confirmation/", views.confirmation, name="confirmation"),
    path(
        "candidatures/<int:pk>/depots/<int:number>/accuse-de-reception.pdf",
        views.acknowledgement,
        name="acknowledgement",
    ),
]
