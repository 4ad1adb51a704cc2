"""An experiment's page and the list for everyone who may see them; the operator's moves
under /gestion/, as every operator's tool."""

from django.urls import path

from . import views

app_name = "experiments"

urlpatterns = [
    path("experimentations/", views.experiment_list, name="list"),
    path("experimentations/<int:pk>/", views.experiment_detail, name="detail"),
    path("gestion/experimentations/<int:pk>/etat/", views.experiment_move, name="move"),
]
