from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("langue/", views.set_language, name="set_language"),
    path("csp-report/", views.csp_report, name="csp_report"),
]
