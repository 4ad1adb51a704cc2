"""Lists run a fixed number of queries whatever the amount of data."""

import pytest

from qmi.programmes import services
from qmi.programmes.models import Stage
from tests.factories import (
    ChallengeFactory,
    CommuneRoleFactory,
    EditionCommuneFactory,
    EditionFactory,
    PhaseFactory,
    commune_member,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def _edition_with(communes):
    edition = EditionFactory()
    PhaseFactory(edition=edition, kind=Stage.EXPRESSION_OF_INTEREST)
    for _ in range(communes):
        ChallengeFactory(edition_commune=EditionCommuneFactory(edition=edition))
    return edition


def test_backoffice_editions_list_query_count_does_not_grow(staff_client):
    _edition_with(2)

    def grow():
        for _ in range(4):
            _edition_with(5)

    assert_constant_queries(staff_client, "/gestion/", grow=grow)


def test_edition_page_query_count_does_not_grow_with_communes(staff_client):
    edition = _edition_with(2)

    def grow():
        for _ in range(10):
            ChallengeFactory(edition_commune=EditionCommuneFactory(edition=edition))

    assert_constant_queries(staff_client, f"/gestion/editions/{edition.pk}/", grow=grow)


def test_challenge_history_query_count_does_not_grow_with_versions(staff_client, staff):
    challenge = ChallengeFactory()
    url = f"/gestion/communes/{challenge.edition_commune.pk}/defi/versions/"
    services.rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=staff,
        theme=challenge.theme,
        title="v2",
        statement="deux",
    )

    def grow():
        for number in range(3, 21):
            services.rewrite_challenge(
                edition_commune=challenge.edition_commune,
                by=staff,
                theme=challenge.theme,
                title=f"v{number}",
                statement=f"texte {number}",
            )

    assert_constant_queries(staff_client, url, grow=grow)


def test_workspace_query_count_does_not_grow_with_the_team(client):
    participation = EditionCommuneFactory()
    member = commune_member(participation.commune)
    client.force_login(member)
    url = f"/espace/commune/{participation.pk}/"
    CommuneRoleFactory(edition_commune=participation)
    assert_constant_queries(
        client, url, grow=lambda: CommuneRoleFactory.create_batch(15, edition_commune=participation)
    )
