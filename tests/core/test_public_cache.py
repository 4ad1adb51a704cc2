"""The anonymous public pages' cache: hits, invalidation, privacy, conditional answers."""

import datetime
import re

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from django.middleware.csrf import _unmask_cipher_token
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from qmi.calls.services.calls import save_call
from qmi.core.csrf import PLACEHOLDER as CSRF_PLACEHOLDER
from qmi.core.public_cache import CACHE_HEADER, watched_models
from qmi.programmes.models import Stage
from qmi.programmes.services import rewrite_challenge, save_phase, update_edition
from qmi.showcase.models import SitePage
from tests.factories import (
    CallFactory,
    ChallengeFactory,
    EditionFactory,
    PhaseFactory,
    UserFactory,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    edition = EditionFactory(stage=Stage.FRAMING, title="Édition des quartiers", is_public=True)
    PhaseFactory(edition=edition, kind=Stage.EXPRESSION_OF_INTEREST)
    challenge = ChallengeFactory(edition_commune__edition=edition, title="Rafraîchir la gare")
    call = CallFactory(edition=edition, title="Appel aux communes", slug="appel-communes")
    participation = challenge.edition_commune
    return {
        "edition": edition,
        "call": call,
        "challenge": challenge,
        "staff": staff_user(),
        "urls": {
            "home": "/",
            "edition": reverse("showcase:edition", kwargs={"slug": edition.slug}),
            "commune": participation.get_absolute_url(),
            "call": reverse("calls:call", kwargs={"slug": call.slug}),
            "legal": reverse(f"showcase:{SitePage.Slug.LEGAL_NOTICE}"),
        },
    }


def english_client():
    client = Client()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.mark.parametrize("page", ["home", "edition", "commune", "call", "legal"])
def test_the_second_anonymous_request_comes_from_the_cache(client, world, page):
    url = world["urls"][page]
    first, second = client.get(url), client.get(url)
    assert first.status_code == second.status_code == 200
    assert (first[CACHE_HEADER], second[CACHE_HEADER]) == ("miss", "hit")
    assert second.content == first.content.replace(
        _token_in(first).encode(), _token_in(second).encode()
    )


def _token_in(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())[1]


def test_each_language_has_its_own_copy(client, world):
    call = world["call"]
    call.title_en = "Call to the communes"
    call.save()
    url = world["urls"]["call"]
    assert "Appel aux communes" in client.get(url).content.decode()
    english = english_client().get(url)
    assert english[CACHE_HEADER] == "miss"
    assert "Call to the communes" in english.content.decode()
    assert "Appel aux communes" in client.get(url).content.decode()


def _both_languages(world, page):
    url = world["urls"][page]
    french, english = Client(), english_client()
    return lambda: (french.get(url).content.decode(), english.get(url).content.decode())


def test_an_edition_changed_through_its_service_shows_on_the_next_request(world):
    pages = [_both_languages(world, page) for page in ("home", "edition")]
    for read in pages:
        read()
    update_edition(
        edition=world["edition"],
        by=world["staff"],
        title="Édition renommée",
        title_en="Renamed edition",
    )
    for read in pages:
        french, english = read()
        assert "Édition renommée" in french and "Édition des quartiers" not in french
        assert "Renamed edition" in english


def test_a_phase_changed_through_its_service_shows_on_the_next_request(world):
    read = _both_languages(world, "edition")
    before, _ = read()
    assert "15 février 2024" not in before
    phase = world["edition"].phases.get()
    save_phase(
        edition=world["edition"],
        phase=phase,
        by=world["staff"],
        kind=phase.kind,
        starts_on=phase.starts_on,
        ends_on=datetime.date(2024, 2, 15),
        description="",
    )
    french, english = read()
    assert "15 février 2024" in french
    assert "Feb. 15, 2024" in english


def test_a_call_changed_through_its_service_shows_on_the_next_request(world):
    pages = [_both_languages(world, page) for page in ("call", "edition")]
    for read in pages:
        read()
    save_call(by=world["staff"], call=world["call"], title="Appel renommé", title_en="New call")
    for read in pages:
        french, english = read()
        assert "Appel renommé" in french and "Appel aux communes" not in french
        assert "New call" in english


def test_a_challenge_rewritten_through_its_service_shows_on_the_next_request(world):
    read = _both_languages(world, "commune")
    read()
    challenge = world["challenge"]
    rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=world["staff"],
        theme=challenge.theme,
        title="Ombrager les cours d'école",
        statement="Des arbres et des toiles.",
    )
    for html in read():
        assert "Ombrager les cours d&#x27;école" in html and "Rafraîchir la gare" not in html


def test_a_person_logged_in_never_gets_a_page_cached_for_someone_else(client, world):
    url = world["urls"]["call"]
    client.get(url)  # the anonymous copy is in the cache now
    # Same address, two people whose header differs: the operator's and an applicant's.
    operator, applicant = world["staff"], UserFactory()
    pages = {}
    for name, person in (("operator", operator), ("applicant", applicant)):
        own = Client()
        own.force_login(person)
        for _ in range(2):
            response = own.get(url)
            assert response.status_code == 200
            assert CACHE_HEADER not in response
        pages[name] = response.content.decode()
    assert "Espace de gestion" in pages["operator"] and "Mes candidatures" not in pages["operator"]
    assert (
        "Mes candidatures" in pages["applicant"] and "Espace de gestion" not in pages["applicant"]
    )
    for html in pages.values():
        assert "Se connecter" not in html and "Se déconnecter" in html


def test_an_anonymous_visitor_with_a_session_gets_a_page_of_their_own(client, world):
    """A session may carry a message for them: their page is rendered for them."""
    client.get(world["urls"]["home"])
    session = client.session
    session["anything"] = 1
    session.save()
    client.cookies[settings.SESSION_COOKIE_NAME] = session.session_key
    assert CACHE_HEADER not in client.get(world["urls"]["home"])


def test_no_visitor_gets_another_visitor_s_csrf_token(world):
    url = world["urls"]["home"]
    first, second = Client(), Client()
    secrets = []
    for visitor in (first, second):
        response = visitor.get(url)
        html = response.content.decode()
        assert CSRF_PLACEHOLDER not in html
        secret = visitor.cookies[settings.CSRF_COOKIE_NAME].value
        secrets.append(secret)
        for token in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html):
            assert _unmask_cipher_token(token) == secret
    assert secrets[0] != secrets[1]


def test_the_token_from_a_cached_page_is_accepted(world):
    visitor = Client(enforce_csrf_checks=True)
    visitor.get("/")
    page = visitor.get("/")
    assert page[CACHE_HEADER] == "hit"
    switched = visitor.post(
        reverse("core:set_language"),
        {"language": "en", "next": "/", "csrfmiddlewaretoken": _token_in(page)},
    )
    assert switched.status_code == 302


def test_a_304_only_while_the_content_is_unchanged(client, world):
    url = world["urls"]["edition"]
    first = client.get(url)
    etag = first["ETag"]
    assert first["Last-Modified"]
    again = client.get(url, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    update_edition(edition=world["edition"], by=world["staff"], title="Édition renommée")
    changed = client.get(url, headers={"if-none-match": etag})
    assert changed.status_code == 200
    assert "Édition renommée" in changed.content.decode()
    assert changed["ETag"] != etag
    # Another visitor's tag (another CSRF secret) never validates this visitor's copy.
    assert Client().get(url, headers={"if-none-match": changed["ETag"]}).status_code == 200


def test_a_change_of_setting_renders_the_pages_anew(client, world, settings):
    url = world["urls"]["legal"]
    client.get(url)
    settings.QMI_HOSTING_PROVIDER = "Hébergeur Exemple SAS"
    assert "Hébergeur Exemple SAS" in client.get(url).content.decode()


def test_only_successful_pages_are_kept_and_others_carry_a_real_token(client):
    assert client.get("/editions/inconnue/").status_code == 404
    missing = client.get("/editions/inconnue/")
    assert CACHE_HEADER not in missing
    html = missing.content.decode()
    assert CSRF_PLACEHOLDER not in html
    secret = client.cookies[settings.CSRF_COOKIE_NAME].value
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    assert tokens and all(_unmask_cipher_token(token) == secret for token in tokens)


# Not content: what the public pages read for the visitor or for the framework itself.
NOT_SHOWN = {"django_session", "django_content_type", "qmi_cache"}


def test_every_table_a_public_page_reads_is_watched(client, world):
    """A model read by a public page but not watched would leave its changes unseen."""
    watched = {model._meta.db_table for model in watched_models()}
    tables = {model._meta.db_table: model for model in apps.get_models()}
    for url in world["urls"].values():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url, {"fresh": url}).status_code == 200
        read = {
            name
            for query in queries.captured_queries
            for name in re.findall(r'(?:FROM|JOIN) "([a-z_0-9]+)"', query["sql"])
        }
        unwatched = read - watched - NOT_SHOWN
        assert not unwatched, f"{url} reads {[tables.get(t, t) for t in sorted(unwatched)]}"


def test_the_cache_can_be_turned_off(client, world, settings):
    settings.QMI_PUBLIC_CACHE_SECONDS = 0
    client.get("/")
    second = client.get("/")
    assert second.status_code == 200 and CACHE_HEADER not in second


def test_a_page_from_the_cache_carries_every_security_header(client, world):
    url = world["urls"]["home"]
    first, second = client.get(url), client.get(url)
    assert second[CACHE_HEADER] == "hit"
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "X-Content-Type-Options",
        "Referrer-Policy",
        "Cross-Origin-Opener-Policy",
        "Content-Language",
        "Content-Type",
    ):
        assert second[name] == first[name], name
    assert "Cookie" in second["Vary"]
