from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("espace/", views.home, name="home"),
    path("gestion/", views.backoffice, name="backoffice"),
    path("compte/mes-donnees/", views.personal_data, name="personal_data"),
    path("compte/supprimer/", views.account_delete, name="account_delete"),
    path("gestion/journal/<int:content_type>/<int:object_id>/", views.audit_list, name="audit"),
]
