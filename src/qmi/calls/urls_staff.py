"""URLs of the calls app: see calls/urls.py. Back office of calls and applications."""

from django.urls import path

from . import views_staff as views

urlpatterns = [
    path("gestion/appels/", views.call_list, name="backoffice_calls"),
    path("gestion/appels/nouveau/", views.call_form, name="call_create"),
    path("gestion/appels/<int:pk>/", views.call_detail, name="backoffice_call"),
    path("gestion/appels/<int:pk>/modifier/", views.call_form, name="call_edit"),
    path("gestion/appels/<int:pk>/etat/", views.call_move, name="call_move"),
    path(
        "gestion/appels/<int:pk>/reunions/nouvelle/",
        views.session_form,
        name="backoffice_session_create",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/",
        views.session_form,
        name="backoffice_session_edit",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/supprimer/",
        views.session_delete,
        name="backoffice_session_delete",
    ),
    path("gestion/appels/<int:pk>/faq/nouvelle/", views.faq_form, name="backoffice_faq_create"),
    path("gestion/appels/<int:pk>/faq/<int:faq_pk>/", views.faq_form, name="backoffice_faq_edit"),
    path(
        "gestion/appels/<int:pk>/faq/<int:faq_pk>/supprimer/",
        views.faq_delete,
        name="backoffice_faq_delete",
    ),
    path(
        "gestion/appels/<int:pk>/faq/<int:faq_pk>/publication/",
        views.faq_toggle,
        name="backoffice_faq_toggle",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/",
        views.application_list,
        name="backoffice_applications",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/export.csv",
        views.export_csv,
        name="export_csv",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/colonnes/",
        views.application_columns,
        name="backoffice_application_columns",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/action/",
        views.application_bulk,
        name="backoffice_application_bulk",
    ),
    path("gestion/candidatures/<int:pk>/", views.application_detail, name="backoffice_application"),
    path(
        "gestion/candidatures/<int:pk>/documents/<int:document_pk>/apercu/",
        views.document_preview,
        name="backoffice_document_preview",
    ),
    path(
        "gestion/candidatures/<int:pk>/decision/",
        views.application_decide,
        name="backoffice_decide",
    ),
]
