from django.contrib import admin
from django.urls import include, path

from qmi.core import views as core_views

urlpatterns = [
    path("", include("qmi.showcase.urls")),
    path("compte/", include("allauth.urls")),
    path("", include("qmi.accounts.urls")),
    path("", include("qmi.programmes.urls")),
    path("", include("qmi.messaging.urls")),
    path("", include("qmi.events.urls")),
    path("", include("qmi.calls.urls")),
    path("", include("qmi.review.urls")),
    path("", include("qmi.experiments.urls")),
    path("", include("qmi.allocation.urls")),
    path("", include("qmi.mail.urls")),
    path("", include("qmi.core.urls")),
    path("", include("qmi.portal.urls")),
    path("healthz", core_views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
]
