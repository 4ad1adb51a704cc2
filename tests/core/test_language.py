import pytest

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_interface_is_french_whatever_the_browser_prefers(client):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "fr"
    assert '<html lang="fr">' in response.content.decode()


def test_language_switch_turns_the_interface_to_english_and_back(client):
    response = client.post("/langue/", {"language": "en", "next": "/"})
    assert response["Location"] == "/"
    assert client.get("/")["Content-Language"] == "en"
    client.post("/langue/", {"language": "fr", "next": "/"})
    assert client.get("/")["Content-Language"] == "fr"


def test_language_switch_is_kept_on_the_profile_for_emails(client):
    person = UserFactory(language="fr")
    client.force_login(person)
    client.post("/langue/", {"language": "en", "next": "/"})
    person.refresh_from_db()
    assert person.language == "en"


def test_profile_language_applies_when_no_choice_was_made_on_this_browser(client):
    client.force_login(UserFactory(language="en"))
    assert client.get("/")["Content-Language"] == "en"


def test_language_switch_ignores_unknown_languages_and_foreign_redirects(client):
    response = client.post("/langue/", {"language": "xx", "next": "https://evil.example/"})
    assert response["Location"] == "/"
    assert client.get("/")["Content-Language"] == "fr"
