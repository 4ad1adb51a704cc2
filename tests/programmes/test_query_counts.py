"""Lists run a fixed number of queries whatever the amount of data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from qmi.programmes.models import Stage
from tests.factories import (
    ChallengeFactory,
    CommuneRoleFactory,
    EditionCommuneFactory,
    EditionFactory,
    PhaseFactory,
)

pytestmark = pytest.mark.django_db


def _count(client, url):
    client.get(url)  # warm per-process caches (content types, sessions) first
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _edition_with(communes):
    edition = EditionFactory()
    PhaseFactory(edition=edition, kind=Stage.EXPRESSION_OF_INTEREST)
    for _ in range(communes):
        ChallengeFactory(edition_commune=EditionCommuneFactory(edition=edition))
    return edition


def test_backoffice_editions_list_query_count_does_not_grow(staff_client):
    _edition_with(2)
    small = _count(staff_client, "/gestion/")
    for _ in range(4):
        _edition_with(5)
    assert _count(staff_client, "/gestion/") == small


def test_edition_page_query_count_does_not_grow_with_communes(staff_client):
    edition = _edition_with(2)
    small = _count(staff_client, f"/gestion/editions/{edition.pk}/")
    for _ in range(10):
        ChallengeFactory(edition_commune=EditionCommuneFactory(edition=edition))
    assert _count(staff_client, f"/gestion/editions/{edition.pk}/") == small


def test_challenge_history_query_count_does_not_grow_with_versions(staff_client, staff):
    from qmi.programmes import services

    challenge = ChallengeFactory()
    url = f"/gestion/communes/{challenge.edition_commune.pk}/defi/versions/"
    services.rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=staff,
        theme=challenge.theme,
        title="v2",
        statement="deux",
    )
    small = _count(staff_client, url)
    for number in range(3, 21):
        services.rewrite_challenge(
            edition_commune=challenge.edition_commune,
            by=staff,
            theme=challenge.theme,
            title=f"v{number}",
            statement=f"texte {number}",
        )
    assert _count(staff_client, url) == small


def test_workspace_query_count_does_not_grow_with_the_team(client):
    from tests.factories import commune_member

    participation = EditionCommuneFactory()
    member = commune_member(participation.commune)
    client.force_login(member)
    url = f"/espace/commune/{participation.pk}/"
    CommuneRoleFactory(edition_commune=participation)
    small = _count(client, url)
    for _ in range(15):
        CommuneRoleFactory(edition_commune=participation)
    assert _count(client, url) == small
