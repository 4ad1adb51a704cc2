"""The calls app's management commands start (their imports follow the app's layout)."""

import io

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_send_reminders_runs_with_nothing_to_send():
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "0" in out.getvalue()
