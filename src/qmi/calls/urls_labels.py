"""URLs of the calls app: see calls/urls.py. Labels, private notes, XLSX and ZIP exports."""

from django.urls import path

from . import views_labels as views

urlpatterns = [
    path("gestion/appels/<int:pk>/etiquettes/", views.labels, name="labels"),
    path(
        "gestion/appels/<int:pk>/etiquettes/<int:label_pk>/",
        views.label_edit,
        name="label_edit",
    ),
    path(
        "gestion/appels/<int:pk>/etiquettes/<int:label_pk>/supprimer/",
        views.label_delete,
        name="label_delete",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/etiquetage/",
        views.labels_bulk,
        name="labels_bulk",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/export.xlsx",
        views.export_xlsx,
        name="export_xlsx",
    ),
    path("gestion/appels/<int:pk>/documents.zip", views.export_zip, name="export_zip"),
    path(
        "gestion/candidatures/<int:pk>/etiquettes/",
        views.application_labels,
        name="application_labels",
    ),
    path("gestion/candidatures/<int:pk>/notes/", views.note_add, name="note_add"),
    path(
        "gestion/candidatures/<int:pk>/notes/<int:note_pk>/supprimer/",
        views.note_delete,
        name="note_delete",
    ),
]
