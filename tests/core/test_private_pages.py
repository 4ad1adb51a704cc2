"""Pages answered to a logged-in person are never kept by a cache; public ones may be."""

import pytest
from django.urls import reverse

from tests.factories import ApplicationFactory, EditionFactory
from tests.utils import logged_in, member_of

pytestmark = pytest.mark.django_db


def _directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


@pytest.fixture
def applicant(client):
    application = ApplicationFactory()
    user = member_of(application.organisation)
    logged_in(client, user)
    return application


@pytest.mark.parametrize(
    "url",
    [
        lambda application: reverse("calls:application", kwargs={"pk": application.pk}),
        lambda application: reverse(
            "accounts:organisation", kwargs={"pk": application.organisation_id}
        ),
        lambda application: reverse("messaging:my_messages"),
        lambda application: reverse("mail:notifications"),
        lambda application: reverse("portal:home"),
        lambda application: "/",
    ],
    ids=["application", "organisation", "messages", "notifications", "home", "public-home"],
)
def test_pages_of_a_logged_in_person_are_private_and_not_stored(client, applicant, url):
    response = client.get(url(applicant))
    assert response.status_code in (200, 302)  # "Mon espace" may lead to the only organisation
    assert {"private", "no-store"} <= _directives(response)


def test_the_redirect_after_a_post_is_not_stored_either(client, applicant):
    response = client.post(
        reverse("accounts:organisation_edit", kwargs={"pk": applicant.organisation_id}), {}
    )
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.parametrize("page", ["home", "edition"])
def test_public_pages_stay_cacheable_for_anonymous_visitors(client, page):
    edition = EditionFactory()
    url = reverse("showcase:edition", kwargs={"slug": edition.slug}) if page == "edition" else "/"
    response = client.get(url)
    assert response.status_code == 200
    # The browser keeps the page and asks whether it changed (ETag); proxies do not keep
    # it, since it carries the visitor's CSRF token.
    assert _directives(response) == {"private", "no-cache"}
    assert response["ETag"]


def test_a_view_that_chose_its_own_cache_policy_keeps_it(client, applicant):
    response = client.get(reverse("showcase:communes_geojson"))
    assert _directives(response) == {"public", "max-age=3600"}
