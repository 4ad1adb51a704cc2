"""django-allauth's pages as our users meet them: sign-up, verification, reset, log-in."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail
from django.test import Client
from django.urls import reverse

from qmi.accounts.models import Membership, Organisation, User
from qmi.mail.models import OutgoingEmail
from qmi.mail.tasks import WIPED
from tests.factories import (
    PASSWORD,
    CommuneFactory,
    EditionCommuneFactory,
    MembershipFactory,
    UserFactory,
    commune_member,
    staff_user,
)
from tests.utils import audit_page, field_errors, input_described_by

pytestmark = pytest.mark.django_db

LOGIN_URL = reverse("account_login")
SIGNUP_URL = reverse("account_signup")
NEW_PASSWORD = "un-mot-de-passe-solide-2026"


def signup(client, email="nouvelle@exemple.fr", **extra):
    data = {
        "full_name": "Nora Nouvelle",
        "email": email,
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    }
    data.update(extra)
    return client.post(SIGNUP_URL, data)


def login(client, email, password=PASSWORD, **query):
    url = LOGIN_URL
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return client.post(url, {"login": email, "password": password})


def link_in(message, path_fragment):
    match = re.search(rf"https?://\S+{path_fragment}\S*", message.body)
    assert match, message.body
    return match.group(0).replace("http://testserver", "")


def test_signup_with_a_used_address_shows_error_next_to_the_field(client):
    UserFactory(email="deja@exemple.fr")
    users = User.objects.count()
    response = signup(client, email="deja@exemple.fr")
    assert response.status_code == 200
    assert "Un autre utilisateur utilise déjà cette adresse e-mail." in field_errors(
        response, "email"
    )
    assert "id_email_error" in input_described_by(response, "email")
    assert User.objects.count() == users
    assert not mail.outbox


# The e-mail leaves from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_signup_sends_a_verification_link_that_verifies_and_lets_the_person_log_in(client):
    response = signup(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("account_email_verification_sent")
    user = User.objects.get(email="nouvelle@exemple.fr")
    assert user.full_name == "Nora Nouvelle"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nouvelle@exemple.fr"]
    assert message.subject.startswith("[QMI] ") and not message.subject.startswith("[QMI] [QMI]")
    # allauth's e-mails leave through the outbox too; the link, a key to the account,
    # is not kept there once sent.
    sent = OutgoingEmail.objects.get(to="nouvelle@exemple.fr")
    assert sent.status == OutgoingEmail.Status.SENT and sent.subject in message.subject
    assert "/compte/confirm-email/" not in sent.body and sent.body == WIPED
    assert message.body.startswith("Bonjour,")
    assert "La plateforme des Quartiers Métropolitains d'Innovation" in message.body
    link = link_in(message, "/compte/confirm-email/")

    # Before verification the address cannot be used to log in.
    client.logout()
    response = login(client, "nouvelle@exemple.fr", NEW_PASSWORD)
    assert response["Location"] == reverse("account_email_verification_sent")
    assert "_auth_user_id" not in client.session

    page = client.get(link)
    assert page.status_code == 200
    assert "Confirmer mon adresse" in page.content.decode()
    assert not EmailAddress.objects.get(email="nouvelle@exemple.fr").verified
    response = client.post(link)
    assert response.status_code == 302
    assert EmailAddress.objects.get(email="nouvelle@exemple.fr").verified
    # A used link says so rather than confirming again.
    assert "Lien de confirmation non valable" in client.get(link).content.decode()

    client.logout()
    response = login(client, "nouvelle@exemple.fr", NEW_PASSWORD)
    assert response.status_code == 302
    # No organisation yet: "Mon espace" explains how to join or create one.
    assert response["Location"] == reverse("portal:home")
    assert int(client.session["_auth_user_id"]) == user.pk
    home = client.get(reverse("portal:home"))
    assert "Créer mon organisation" in home.content.decode()


def test_email_confirmation_with_a_wrong_key_explains_the_link_is_not_valid(client):
    response = client.get(reverse("account_confirm_email", kwargs={"key": "mauvaise-cle"}))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Lien de confirmation non valable" in html
    assert "a expiré, a déjà servi ou est incomplet" in html
    assert 'role="alert"' in html
    assert audit_page(response).h1 == 1


def test_password_reset_with_an_invalid_key_explains_the_link_is_not_valid(client):
    user = UserFactory()
    url = reverse("account_reset_password_from_key", kwargs={"uidb36": "zz", "key": "faux-jeton"})
    response = client.get(url, follow=True)
    html = response.content.decode()
    assert "Lien de réinitialisation non valable" in html
    assert reverse("account_reset_password") in html
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# The e-mail leaves from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_with_an_expired_key_explains_the_link_is_not_valid(client, settings):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    assert len(mail.outbox) == 1
    link = link_in(mail.outbox[0], "/compte/password/reset/key/")
    settings.PASSWORD_RESET_TIMEOUT = -1
    response = client.get(link, follow=True)
    assert "Lien de réinitialisation non valable" in response.content.decode()
    response = client.post(
        response.redirect_chain[-1][0] if response.redirect_chain else link,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# The e-mail leaves from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_link_works_once(client):
    user = UserFactory()
    client.post(reverse("account_reset_password"), {"email": user.email})
    link = link_in(mail.outbox[0], "/compte/password/reset/key/")
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    response = client.get(link, follow=True)
    assert "Lien de réinitialisation non valable" in response.content.decode()


def test_login_is_rate_limited_after_repeated_failures(client, settings):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "3/m/ip,3/5m/key"}
    user = UserFactory()
    for _ in range(3):
        response = login(client, user.email, "mauvais-mot-de-passe")
        assert response.status_code == 200
        assert "Trop de tentatives" not in response.content.decode()
    response = login(client, user.email, "mauvais-mot-de-passe")
    assert "Trop de tentatives de connexion" in response.content.decode()
    # While limited, even the right password is refused.
    response = login(client, user.email, PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_takes_staff_to_the_back_office(client):
    user = staff_user()
    response = login(client, user.email)
    assert response["Location"] == reverse("portal:backoffice")


def test_login_takes_a_commune_member_to_mon_espace_which_opens_on_the_workspace(client):
    commune = CommuneFactory()
    workspace = EditionCommuneFactory(commune=commune)
    user = commune_member(commune)
    response = login(client, user.email)
    assert response["Location"] == reverse("portal:home")
    html = client.get(reverse("portal:home")).content.decode()
    assert reverse("programmes:workspace", kwargs={"pk": workspace.pk}) in html


def test_login_takes_an_experimenter_to_mon_espace(client):
    membership = MembershipFactory()
    response = login(client, membership.user.email)
    assert response["Location"] == reverse("portal:home")


def test_login_takes_someone_with_several_spaces_to_mon_espace(client):
    user = UserFactory()
    MembershipFactory(user=user)
    MembershipFactory(user=user, organisation__kind=Organisation.Kind.PARTNER)
    response = login(client, user.email)
    assert response["Location"] == reverse("portal:home")
    html = client.get(reverse("portal:home")).content.decode()
    for membership in Membership.objects.filter(user=user):
        assert membership.organisation.name in html


def test_login_next_parameter_wins_over_the_landing_page(client):
    user = staff_user()
    response = login(client, user.email, next=reverse("accounts:profile"))
    assert response["Location"] == reverse("accounts:profile")


@pytest.mark.parametrize(
    "url_name",
    [
        "account_login",
        "account_signup",
        "account_reset_password",
        "account_email_verification_sent",
        "account_request_login_code",
    ],
)
def test_anonymous_allauth_pages_are_accessible_and_csp_clean(client, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = audit_page(response)
    assert page.h1 == 1
    for attrs in page.inputs:
        assert attrs.get("id") in page.label_for, attrs
    assert page.inline_styles == 0
    assert page.inline_scripts == 0
    assert '<html lang="fr">' in response.content.decode()


@pytest.mark.parametrize(
    "url_name",
    ["account_email", "account_change_password", "mfa_index", "account_logout", "accounts:profile"],
)
def test_account_pages_are_accessible_and_csp_clean(client, url_name):
    client.force_login(UserFactory())
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    page = audit_page(response)
    assert page.h1 == 1
    for attrs in page.inputs:
        assert attrs.get("id") in page.label_for, attrs
    assert page.inline_styles == 0
    assert page.inline_scripts == 0
    # The account pages share one navigation.
    assert reverse("mfa_index") in response.content.decode()


def test_signup_page_has_the_full_name_field(client):
    html = client.get(SIGNUP_URL).content.decode()
    assert 'name="full_name"' in html
    assert '<label for="id_full_name">' in html


def test_password_change_errors_are_next_to_the_field(client):
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": "pas-le-bon", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert field_errors(response, "oldpassword")
    assert "id_oldpassword_error" in input_described_by(response, "oldpassword")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


# The e-mails leave from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_password_reset_answers_the_same_whether_or_not_the_address_has_an_account(client):
    user = UserFactory()
    known = client.post(reverse("account_reset_password"), {"email": user.email})
    unknown = client.post(reverse("account_reset_password"), {"email": "personne@exemple.fr"})
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"]
    by_address = {message.to[0]: message for message in mail.outbox}
    assert "/compte/password/reset/key/" in by_address[user.email].body
    # The unknown address is told, in its own mailbox only, that no account uses it.
    assert "/compte/password/reset/key/" not in by_address["personne@exemple.fr"].body


# The e-mail leaves from the outbox once the request's transaction commits.
@pytest.mark.django_db(transaction=True)
def test_verifying_in_another_browser_returns_to_the_call_sign_up_started_from(client):
    """The page sign-up came from is kept with the account, not only in the first browser."""
    call_page = "/appels/appel-de-test/candidater/"
    response = signup(client, email="ada@exemple.fr", next=call_page)
    assert response.status_code == 302
    assert User.objects.get(email="ada@exemple.fr").return_to == call_page
    link = link_in(mail.outbox[-1], "/compte/confirm-email/")

    other = Client()  # the verification link opened on the phone
    other.post(link)
    assert EmailAddress.objects.get(email="ada@exemple.fr").verified
    response = login(other, "ada@exemple.fr", NEW_PASSWORD)
    assert response["Location"] == call_page
    # Used once: the next log-in lands on the person's home.
    other.logout()
    assert login(other, "ada@exemple.fr", NEW_PASSWORD)["Location"] == reverse("portal:home")


def test_a_foreign_return_address_is_never_kept(client):
    signup(client, email="eve@exemple.fr", next="https://attaquant.example/")
    assert User.objects.get(email="eve@exemple.fr").return_to == ""


def test_signup_button_says_create_my_account(client):
    page = client.get(SIGNUP_URL).content.decode()
    assert re.search(r'<button[^>]*type="submit"[^>]*>\s*Créer mon compte\s*</button>', page), page
