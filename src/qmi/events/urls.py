"""The pages events own outright: a registration's confirmation link (the token is the secret)."""

from django.urls import path

from . import views

app_name = "events"

urlpatterns = [
    path("inscriptions/<str:token>/confirmer/", views.confirm, name="confirm"),
]
