"""URLs of the calls app: see calls/urls.py. The form builder and call duplication (back office)."""

from django.urls import path

from . import views_builder as views

FORM = "gestion/appels/<int:pk>/formulaire/"

urlpatterns = [
    path(FORM, views.builder, name="builder"),
    path(f"{FORM}apercu/", views.preview, name="builder_preview"),
    path(f"{FORM}publier/", views.publish, name="builder_publish"),
    path(f"{FORM}revisions/", views.revisions, name="builder_revisions"),
    path(f"{FORM}sections/nouvelle/", views.section_form, name="builder_section_add"),
    path(f"{FORM}sections/<int:section_pk>/", views.section_form, name="builder_section_edit"),
    path(
        f"{FORM}sections/<int:section_pk>/supprimer/",
        views.section_delete,
        name="builder_section_delete",
    ),
    path(
        f"{FORM}sections/<int:section_pk>/deplacer/",
        views.section_move,
        name="builder_section_move",
    ),
    path(
        f"{FORM}sections/<int:section_pk>/questions/nouvelle/",
        views.question_form,
        name="builder_question_add",
    ),
    path(f"{FORM}questions/<int:question_pk>/", views.question_form, name="builder_question_edit"),
    path(
        f"{FORM}questions/<int:question_pk>/supprimer/",
        views.question_delete,
        name="builder_question_delete",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/deplacer/",
        views.question_move,
        name="builder_question_move",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/modele/",
        views.question_template,
        name="builder_question_template",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/modele/telecharger/",
        views.question_template_download,
        name="builder_question_template_download",
    ),
    path("gestion/appels/<int:pk>/dupliquer/", views.duplicate, name="call_duplicate"),
]
