from django.urls import path

from . import views

app_name = "programmes"
urlpatterns = [
    path("gestion/editions/nouvelle/", views.edition_create, name="edition_create"),
    path("gestion/editions/<int:pk>/", views.edition_detail, name="edition"),
    path("gestion/editions/<int:pk>/modifier/", views.edition_edit, name="edition_edit"),
    path("gestion/editions/<int:pk>/etape/", views.edition_move, name="edition_move"),
    path("gestion/editions/<int:pk>/phases/nouvelle/", views.phase_form, name="phase_create"),
    path("gestion/editions/<int:pk>/phases/<int:phase_pk>/", views.phase_form, name="phase_edit"),
    path(
        "gestion/editions/<int:pk>/phases/<int:phase_pk>/supprimer/",
        views.phase_delete,
        name="phase_delete",
    ),
    path("gestion/editions/<int:pk>/communes/ajouter/", views.commune_add, name="commune_add"),
    path("gestion/communes/<int:pk>/", views.edition_commune_detail, name="edition_commune"),
    path("gestion/communes/<int:pk>/defi/", views.challenge_edit, name="challenge_edit"),
    path(
        "gestion/communes/<int:pk>/defi/versions/",
        views.challenge_history,
        name="challenge_history",
    ),
    path("gestion/communes/<int:pk>/secteur/", views.sector_edit, name="sector_edit"),
    path("espace/commune/<int:pk>/", views.workspace, name="workspace"),
    path("espace/commune/<int:pk>/equipe/", views.team_add, name="team_add"),
    path(
        "espace/commune/<int:pk>/equipe/<int:role_pk>/retirer/",
        views.team_remove,
        name="team_remove",
    ),
]
