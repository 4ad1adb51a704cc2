"""The Django admin stays available to support staff, and to them only."""

import pytest
from django.contrib import admin
from django.urls import reverse

from qmi.calls.models import Application
from tests.factories import ApplicationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_support_staff_open_every_admin_list(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        assert client.get(url).status_code == 200, url


def test_operator_staff_without_admin_access_are_kept_out_of_the_admin(client, staff):
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_support_cannot_delete_calls_or_applications_in_the_admin(admin_client):
    application = ApplicationFactory()
    for url in (
        f"/admin/calls/application/{application.pk}/delete/",
        f"/admin/calls/call/{application.call_id}/delete/",
    ):
        assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Application.objects.filter(pk=application.pk).exists()
