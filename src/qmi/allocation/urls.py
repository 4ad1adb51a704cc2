"""The allocation's URLs: the operator's under /gestion/, each side's under /repartitions/."""

from django.urls import path

from .views import sides, staff

app_name = "allocation"

STAFF = "gestion/repartitions/<int:pk>/"

urlpatterns = [
    path("gestion/appels/<int:pk>/repartition/", staff.open_page, name="open"),
    path(STAFF, staff.staff_page, name="staff"),
    path(STAFF + "reglages/", staff.settings_save, name="settings"),
    path(STAFF + "communes/<int:commune_pk>/bornes/", staff.bounds_save, name="bounds"),
    path(STAFF + "choix/", staff.rule_add, name="rule_add"),
    path(STAFF + "choix/<int:rule_pk>/retirer/", staff.rule_remove, name="rule_remove"),
    path(STAFF + "calculs/", staff.run_start, name="run_start"),
    path(STAFF + "publier/", staff.publish, name="publish"),
    path(STAFF + "courriels/", staff.outbox, name="outbox"),
    path(STAFF + "courriers/", staff.letters_page, name="letters"),
    path(STAFF + "placements/<int:placement_pk>/desistement/", staff.withdraw, name="withdraw"),
    path(STAFF + "changements/", staff.change_stage, name="change_stage"),
    path(
        STAFF + "changements/<int:change_pk>/publier/",
        staff.change_publish,
        name="change_publish",
    ),
    path("gestion/repartitions/calculs/<int:pk>/", staff.run_page, name="run"),
    path("gestion/repartitions/calculs/<int:pk>/comparer/", staff.run_compare, name="compare"),
    path("gestion/repartitions/calculs/<int:pk>/stable/", staff.run_stable, name="stable"),
    path("gestion/repartitions/calculs/<int:pk>/retenir/", staff.run_stage, name="stage"),
    path("repartitions/communes/<int:pk>/", sides.commune_page, name="commune"),
    path(
        "repartitions/communes/<int:pk>/courrier.pdf", sides.commune_letter, name="commune_letter"
    ),
    path(
        "repartitions/communes/<int:pk>/projets/<int:application_pk>/",
        sides.commune_file,
        name="commune_file",
    ),
    path(
        "repartitions/communes/<int:pk>/projets/<int:application_pk>/documents/<int:document_pk>/",
        sides.commune_document,
        name="commune_document",
    ),
    path(
        "repartitions/<int:pk>/dossiers/<int:application_pk>/",
        sides.laureate_page,
        name="laureate",
    ),
    path("repartitions/placements/<int:pk>/courrier.pdf", sides.laureate_letter, name="letter"),
]
