"""Log-in throttling that a stranger who knows an address cannot turn against its owner."""

import re

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory, staff_user

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")
ATTACKER = "203.0.113.9"
OWNER = "198.51.100.7"


def login(client, email, password, address):
    return client.post(LOGIN_URL, {"login": email, "password": password}, REMOTE_ADDR=address)


def test_wrong_passwords_from_another_client_do_not_lock_the_owner_out(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        "login_failed": "10/m/ip,5/5m/key",
        "login_failed_account": "30/h/key",
    }
    owner = UserFactory()
    for _ in range(5):
        login(client, owner.email, "mauvais-mot-de-passe", ATTACKER)
    refused = login(client, owner.email, PASSWORD, ATTACKER)
    assert "Trop de tentatives de connexion" in refused.content.decode()
    assert "_auth_user_id" not in client.session

    client.cookies.clear()
    response = login(client, owner.email, PASSWORD, OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_the_owner_s_own_successful_log_in_does_not_count_as_a_failure(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {
        "login_failed": "10/m/ip,5/5m/key",
        "login_failed_account": "2/h/key",
    }
    owner = UserFactory()
    for _ in range(3):
        assert login(client, owner.email, PASSWORD, OWNER).status_code == 302
        client.logout()


def test_past_the_ceiling_for_an_address_the_owner_logs_in_with_a_code_by_e_mail(
    client, settings, django_capture_on_commit_callbacks
):
    """Guessing spread over many clients stops password log-in for the address, not its owner."""
    settings.ACCOUNT_RATE_LIMITS = {
        "login_failed": "10/m/ip,5/5m/key",
        "login_failed_account": "4/h/key",
    }
    owner = UserFactory()
    for number in range(4):
        login(client, owner.email, "mauvais-mot-de-passe", f"203.0.113.{number + 10}")
    client.cookies.clear()
    refused = login(client, owner.email, PASSWORD, OWNER)
    page = refused.content.decode()
    assert "Trop de tentatives de connexion" in page
    assert "code de connexion par e-mail" in page
    assert "_auth_user_id" not in client.session

    # The log-in page offers the code, and the code logs the owner in.
    assert reverse("account_request_login_code") in client.get(LOGIN_URL).content.decode()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("account_request_login_code"), {"email": owner.email}, REMOTE_ADDR=OWNER
        )
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    code = re.search(r"^\s*([B-Z0-9]{3,4}-?[B-Z0-9]{3,4})\s*$", mail.outbox[0].body, re.M)[1]
    response = client.post(reverse("account_confirm_login_code"), {"code": code}, REMOTE_ADDR=OWNER)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.pk)


def test_a_refused_attempt_does_not_count_against_the_address(client, settings):
    """Attempts refused by the per-client limit never reach the ceiling for the address."""
    settings.ACCOUNT_RATE_LIMITS = {
        "login_failed": "10/m/ip,2/5m/key",
        "login_failed_account": "4/h/key",
    }
    owner = UserFactory()
    for _ in range(10):  # two failures, then eight refusals at the per-client limit
        login(client, owner.email, "mauvais-mot-de-passe", ATTACKER)
    client.cookies.clear()
    assert login(client, owner.email, PASSWORD, OWNER).status_code == 302


def test_a_log_in_code_does_not_skip_the_second_factor(
    client, settings, django_capture_on_commit_callbacks
):
    """The e-mailed code replaces the password, never TOTP: staff still give a TOTP code."""
    settings.QMI_STAFF_MFA_REQUIRED = True
    staff = staff_user()
    TOTP.activate(staff, generate_totp_secret())
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("account_request_login_code"), {"email": staff.email})
    code = re.search(r"^\s*([B-Z0-9]{3,4}-?[B-Z0-9]{3,4})\s*$", mail.outbox[-1].body, re.M)[1]
    response = client.post(reverse("account_confirm_login_code"), {"code": code})
    assert response.status_code == 302
    assert response["Location"] == reverse("mfa_authenticate")
    assert "_auth_user_id" not in client.session
