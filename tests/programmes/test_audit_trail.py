"""Every edit made through the back office leaves an audit entry with before and after."""

import json

import pytest

from qmi.core.audit import entries_for
from qmi.core.models import AuditEntry
from qmi.programmes.models import Stage
from tests.factories import (
    CommuneFactory,
    EditionCommuneFactory,
    EditionFactory,
    PhaseFactory,
    ThemeFactory,
    commune_member,
)

pytestmark = pytest.mark.django_db

SECTOR = {
    "type": "Polygon",
    "coordinates": [[[2.285, 48.775], [2.29, 48.775], [2.29, 48.78], [2.285, 48.775]]],
}


def test_every_backoffice_edit_leaves_an_audit_entry(staff_client, staff):
    edition = EditionFactory(stage=Stage.PREPARATION)
    participation = EditionCommuneFactory(edition=edition, district="Avant")
    phase = PhaseFactory(edition=edition, kind=Stage.FRAMING)
    theme = ThemeFactory()
    colleague = commune_member(participation.commune)
    new_commune = CommuneFactory()
    edits = [
        (
            f"/gestion/editions/{edition.pk}/modifier/",
            {
                "programme": edition.programme.pk,
                "number": edition.number,
                "title": "Nouveau titre",
                "slug": edition.slug,
                "is_public": "on",
            },
        ),
        (f"/gestion/editions/{edition.pk}/etape/", {"target": Stage.EXPRESSION_OF_INTEREST}),
        (
            f"/gestion/editions/{edition.pk}/phases/nouvelle/",
            {
                "kind": Stage.CALL_FOR_PROJECTS,
                "starts_on": "2030-01-01",
                "ends_on": "2030-02-01",
            },
        ),
        (
            f"/gestion/editions/{edition.pk}/phases/{phase.pk}/",
            {
                "kind": Stage.FRAMING,
                "starts_on": "2024-01-01",
                "ends_on": "2024-02-02",
            },
        ),
        (
            f"/gestion/editions/{edition.pk}/communes/ajouter/",
            {
                "commune": new_commune.pk,
                "district": "Centre",
            },
        ),
        (f"/gestion/communes/{participation.pk}/", {"district": "Après"}),
        (
            f"/gestion/communes/{participation.pk}/defi/",
            {
                "theme": theme.pk,
                "title": "Défi",
                "statement": "Énoncé",
            },
        ),
        (
            f"/gestion/communes/{participation.pk}/secteur/",
            {
                "name": "Secteur",
                "geometry": json.dumps(SECTOR),
            },
        ),
        (
            f"/espace/commune/{participation.pk}/equipe/",
            {
                "user": colleague.pk,
                "role": "agent_referent",
                "from": "backoffice",
            },
        ),
        (f"/gestion/editions/{edition.pk}/phases/{phase.pk}/supprimer/", {}),
    ]
    for url, data in edits:
        before = AuditEntry.objects.count()
        response = staff_client.post(url, data)
        assert response.status_code == 302, (url, response.content.decode()[:2000])
        entries = AuditEntry.objects.order_by("-pk")[: AuditEntry.objects.count() - before]
        assert entries, url
        assert all(entry.actor == staff for entry in entries), url

    district = entries_for(participation).get(action="updated")
    assert district.changes == {"district": ["Avant", "Après"]}
