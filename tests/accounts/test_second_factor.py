"""Staff roles give nothing until the second factor was verified in the session in use."""

import time

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret, hotp_value
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from qmi.accounts.models import Invitation, Organisation, User
from qmi.accounts.rules import is_operator_staff
from qmi.accounts.second_factor import mark_second_factor
from qmi.calls.models import Application
from qmi.portal.queries import landing_url_for
from tests.factories import (
    ApplicationFactory,
    DocumentFactory,
    OrganisationFactory,
    ThreadFactory,
    UserFactory,
    staff_user,
)
from tests.utils import experimenter_data, login_with_second_factor

pytestmark = pytest.mark.django_db


@pytest.fixture
def mfa_required(settings):
    settings.QMI_STAFF_MFA_REQUIRED = True
    settings.QMI_DEMO_MFA_EXEMPT = False


class Objects:
    def __init__(self):
        self.organisation = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER, siret="")
        self.application = ApplicationFactory(
            organisation=self.organisation,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        self.document = DocumentFactory(application=self.application)
        self.thread = ThreadFactory(application=self.application)


def staff_answers(client, objects):
    """What staff powers would open: reading, downloading, answering, editing, inviting."""
    app = objects.application
    org = objects.organisation
    return {
        "application": client.get(reverse("calls:application", kwargs={"pk": app.pk})),
        "backoffice application": client.get(
            reverse("calls:backoffice_application", kwargs={"pk": app.pk})
        ),
        "document": client.get(
            reverse("calls:document", kwargs={"pk": app.pk, "document_pk": objects.document.pk})
        ),
        "thread": client.get(reverse("messaging:thread", kwargs={"pk": objects.thread.pk})),
        "post message": client.post(
            reverse("messaging:thread", kwargs={"pk": objects.thread.pk}),
            {"body": "Réponse de l'équipe."},
        ),
        "edit organisation": client.post(
            reverse("accounts:organisation_edit", kwargs={"pk": org.pk}),
            experimenter_data(name="Nom changé"),
        ),
        "invite": client.post(
            reverse("accounts:invite", kwargs={"pk": org.pk}),
            {"email": "intrus@example.org", "role": "admin"},
        ),
    }


def test_staff_with_a_password_only_session_gets_no_staff_power(client, mfa_required):
    objects = Objects()
    client.force_login(staff_user())  # no authentication record: password only
    answers = staff_answers(client, objects)
    totp_setup = reverse("mfa_activate_totp")
    refused = {
        what: response.status_code
        for what, response in answers.items()
        if response.status_code == 404
        or (what == "backoffice application" and response["Location"] == totp_setup)
    }
    assert set(refused) == set(answers), {w: r.status_code for w, r in answers.items()}
    objects.organisation.refresh_from_db()
    assert objects.organisation.name != "Nom changé"
    assert not Invitation.objects.filter(email="intrus@example.org").exists()
    assert not objects.thread.messages.exists()


def test_staff_with_a_verified_second_factor_has_staff_powers(client, mfa_required):
    objects = Objects()
    login_with_second_factor(client, staff_user())
    answers = staff_answers(client, objects)
    statuses = {what: response.status_code for what, response in answers.items()}
    assert statuses == {
        "application": 200,
        "backoffice application": 200,
        "document": 200,
        "thread": 200,
        "post message": 302,
        "edit organisation": 302,
        "invite": 302,
    }
    objects.organisation.refresh_from_db()
    assert objects.organisation.name == "Nom changé"
    assert Invitation.objects.filter(email="intrus@example.org").exists()


def test_without_the_requirement_a_password_session_keeps_staff_powers(client):
    """The tests' default (and a deployment that turns the rule off) is unchanged."""
    objects = Objects()
    client.force_login(staff_user())
    assert (
        client.get(reverse("calls:application", kwargs={"pk": objects.application.pk})).status_code
        == 200
    )


def test_the_records_of_another_person_do_not_count(client, mfa_required):
    """allauth ties the session's records to one user: a record for someone else is nothing."""
    staff = staff_user()
    login_with_second_factor(client, staff)
    session = client.session
    session["account_authentication_methods_user"] = str(UserFactory().pk)
    session.save()
    assert client.get(reverse("portal:backoffice")).status_code == 302
    assert (
        client.get(
            reverse("calls:application", kwargs={"pk": Objects().application.pk})
        ).status_code
        == 404
    )


def test_a_user_object_outside_a_request_is_not_verified_unless_marked(mfa_required):
    staff = staff_user()
    assert not is_operator_staff(User.objects.get(pk=staff.pk))
    assert is_operator_staff(mark_second_factor(User.objects.get(pk=staff.pk)))


def test_demo_staff_is_exempt_when_the_demo_exemption_is_on(client, settings, mfa_required):
    objects = Objects()
    client.force_login(staff_user(is_demo=True))
    url = reverse("calls:application", kwargs={"pk": objects.application.pk})
    assert client.get(url).status_code == 404
    settings.QMI_DEMO_MFA_EXEMPT = True
    assert client.get(url).status_code == 200


def current_code(secret):
    return f"{hotp_value(secret, int(time.time()) // 30):06d}"


def test_staff_with_totp_and_a_password_session_reauthenticates_with_a_real_code(
    client, mfa_required
):
    """Through allauth's own MFA re-authentication: a real TOTP code opens the staff tools."""
    staff = staff_user()
    secret = generate_totp_secret()
    TOTP.activate(staff, secret)
    client.force_login(staff)
    backoffice = reverse("portal:backoffice")
    response = client.get(backoffice)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fgestion%2F"
    application = Objects().application
    url = reverse("calls:application", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 404
    response = client.post(response["Location"], {"code": current_code(secret)})
    assert response.status_code == 302
    assert response["Location"] == backoffice
    assert client.get(backoffice).status_code == 200
    assert client.get(url).status_code == 200


def test_staff_lands_on_the_back_office_which_asks_for_the_second_factor(client, mfa_required):
    staff = staff_user()
    assert landing_url_for(User.objects.get(pk=staff.pk)) == reverse("portal:backoffice")
    client.force_login(staff)
    assert client.get(reverse("portal:backoffice"))["Location"] == reverse("mfa_activate_totp")


def test_demo_loaders_act_as_staff_with_the_requirement_on(mfa_required, settings):
    """The loaders call services as the operator's staff outside any request: they mark him."""
    settings.QMI_DEMO_MFA_EXEMPT = False
    call_command("load_demo", verbosity=0)
    call_command("load_demo_calls", verbosity=0)
    call_command("load_demo_applications", verbosity=0)
    assert Application.objects.filter(status=Application.Status.COMPLETE).exists()
    # The README's table: support (a superuser) lands on the back office, as the operator does.
    support = User.objects.get(email="support@demo.qmi.example")
    assert support.is_superuser
    assert landing_url_for(support) == reverse("portal:backoffice")


# The Django admin ------------------------------------------------------------------------


def test_admin_login_sends_visitors_to_the_platform_login(client):
    response = client.get("/admin/login/?next=/admin/accounts/user/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/accounts/user/"
    # The admin's own password form is gone: a POST logs nobody in.
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.post("/admin/login/", {"username": superuser.email, "password": "x"})
    assert "_auth_user_id" not in client.session


def test_admin_login_does_not_redirect_elsewhere(client):
    response = client.get("/admin/login/?next=https://ailleurs.example/")
    assert response["Location"] == f"{reverse('account_login')}?next=/admin/"


def test_admin_needs_the_second_factor_of_a_superuser(client, mfa_required):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert client.get(response["Location"])["Location"] == reverse("mfa_activate_totp")
    # Nor does the superuser pass the staff checks elsewhere.
    application = Objects().application
    url = reverse("calls:application", kwargs={"pk": application.pk})
    assert client.get(url).status_code == 404
    login_with_second_factor(client, superuser)
    assert client.get("/admin/").status_code == 200
    assert client.get(url).status_code == 200
    assert client.get("/admin/login/?next=/admin/accounts/")["Location"] == "/admin/accounts/"


def test_admin_with_totp_and_a_password_session_asks_for_a_code(client, mfa_required):
    superuser = UserFactory(is_superuser=True, is_staff=True)
    TOTP.activate(superuser, generate_totp_secret())
    client.force_login(superuser)
    response = client.get("/admin/login/?next=/admin/")
    assert response["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fadmin%2F"


def test_admin_login_is_404_for_someone_without_the_admin(client):
    client.force_login(UserFactory())
    assert client.get("/admin/login/").status_code == 404


def test_a_superuser_without_the_second_factor_has_no_model_permission_either(mfa_required):
    """Some rules share Django's permission names: ModelBackend must not grant them all."""
    superuser = UserFactory(is_superuser=True, is_staff=True)
    mark_second_factor(superuser, False)
    assert not superuser.has_perm("calls.view_application")
    assert not superuser.has_perm("accounts.change_organisation")
    assert not superuser.has_module_perms("calls")
    verified = UserFactory(is_superuser=True, is_staff=True)
    mark_second_factor(verified, True)
    assert verified.has_perm("calls.view_application")
    assert verified.has_module_perms("calls")
