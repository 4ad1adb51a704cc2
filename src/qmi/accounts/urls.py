from django.urls import path

from . import views

app_name = "accounts"
urlpatterns = [
    path("compte/profil/", views.profile, name="profile"),
    path("organisations/nouvelle/", views.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", views.organisation_detail, name="organisation"),
    path("organisations/<int:pk>/modifier/", views.organisation_edit, name="organisation_edit"),
    path("organisations/<int:pk>/inviter/", views.invite, name="invite"),
    path(
        "organisations/<int:pk>/invitations/<int:invitation_pk>/revoquer/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/",
        views.member_update,
        name="member_update",
    ),
    path(
        "organisations/<int:pk>/membres/<int:membership_pk>/retirer/",
        views.member_remove,
        name="member_remove",
    ),
    path("invitations/<str:token>/", views.invitation_accept, name="invitation"),
    path("gestion/organisations/", views.backoffice_organisations, name="backoffice_organisations"),
    path(
        "gestion/organisations/nouvelle/",
        views.backoffice_organisation_create,
        name="backoffice_organisation_create",
    ),
]
