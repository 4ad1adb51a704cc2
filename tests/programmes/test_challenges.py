import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.core.audit import entries_for
from qmi.core.models import AuditEntry
from qmi.programmes import services
from qmi.programmes.models import Challenge, ChallengeVersion, Sector
from tests.factories import ChallengeFactory, EditionCommuneFactory, ThemeFactory

pytestmark = pytest.mark.django_db


def test_rewriting_a_challenge_keeps_every_version_with_its_author(staff_client, staff):
    challenge = ChallengeFactory()
    theme = ThemeFactory(slug="climat", name="Adaptation au changement climatique")
    response = staff_client.post(
        f"/gestion/communes/{challenge.edition_commune.pk}/defi/",
        {
            "theme": theme.pk,
            "title": challenge.title,
            "statement": "Des solutions pour rafraîchir les cours d'école et les espaces publics.",
        },
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    assert challenge.version == 2
    versions = list(ChallengeVersion.objects.filter(challenge=challenge).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    assert versions[1].author == staff
    assert versions[0].statement == "Des solutions pour rafraîchir les espaces publics."
    entry = entries_for(challenge).get(action="updated")
    assert entry.changes["statement"][1].startswith("Des solutions pour rafraîchir les cours")


def test_saving_an_unchanged_challenge_creates_no_version(staff):
    challenge = ChallengeFactory()
    services.rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=staff,
        theme=challenge.theme,
        title=challenge.title,
        statement=challenge.statement,
    )
    assert ChallengeVersion.objects.filter(challenge=challenge).count() == 1


def test_first_challenge_is_version_one(staff):
    participation = EditionCommuneFactory()
    challenge = services.rewrite_challenge(
        edition_commune=participation, by=staff, theme=ThemeFactory(), title="T", statement="S"
    )
    assert challenge.version == 1
    assert ChallengeVersion.objects.get(challenge=challenge).author == staff


def test_history_shows_a_word_diff_between_two_versions(staff_client, staff):
    challenge = ChallengeFactory(statement="Rafraîchir les espaces publics.")
    services.rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=staff,
        theme=challenge.theme,
        title=challenge.title,
        statement="Rafraîchir les cours d'école.",
    )
    response = staff_client.get(f"/gestion/communes/{challenge.edition_commune.pk}/defi/versions/")
    html = response.content.decode()
    assert "<del>espaces publics.</del>" in html
    assert "<ins>cours d&#x27;école.</ins>" in html


def test_challenge_diff_escapes_html_typed_in_the_statement(staff_client, staff):
    challenge = ChallengeFactory(statement="Texte")
    services.rewrite_challenge(
        edition_commune=challenge.edition_commune,
        by=staff,
        theme=challenge.theme,
        title=challenge.title,
        statement="Texte <script>alert(1)</script>",
    )
    response = staff_client.get(f"/gestion/communes/{challenge.edition_commune.pk}/defi/versions/")
    html = response.content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;" in html


def test_challenge_form_requires_theme_title_and_statement(staff_client):
    participation = EditionCommuneFactory()
    response = staff_client.post(f"/gestion/communes/{participation.pk}/defi/", {"title": "Titre"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"theme", "statement"}
    assert "Titre" in response.content.decode()  # what was typed stays in the form
    assert not Challenge.objects.exists()


SECTOR = {
    "type": "Polygon",
    "coordinates": [[[2.285, 48.775], [2.29, 48.775], [2.29, 48.78], [2.285, 48.775]]],
}


def test_uploading_a_sector_file_saves_it_with_its_area(staff_client):
    participation = EditionCommuneFactory()
    upload = SimpleUploadedFile(
        "blagis.geojson",
        json.dumps({"type": "Feature", "properties": {}, "geometry": SECTOR}).encode(),
        content_type="application/geo+json",
    )
    response = staff_client.post(
        f"/gestion/communes/{participation.pk}/secteur/", {"name": "Blagis", "upload": upload}
    )
    assert response.status_code == 302
    sector = Sector.objects.get(edition_commune=participation)
    assert sector.geometry == SECTOR
    assert sector.area_hectares > 0
    assert AuditEntry.objects.filter(action="created", object_id=str(sector.pk)).exists()


def test_drawn_sector_outside_the_commune_is_refused_next_to_the_field(staff_client):
    participation = EditionCommuneFactory()
    far = {
        "type": "Polygon",
        "coordinates": [[[2.45, 48.9], [2.46, 48.9], [2.46, 48.91], [2.45, 48.9]]],
    }
    response = staff_client.post(
        f"/gestion/communes/{participation.pk}/secteur/",
        {"name": "Ailleurs", "geometry": json.dumps(far)},
    )
    assert response.status_code == 200
    assert "km de la commune" in str(response.context["form"].errors["geometry"])
    assert "Ailleurs" in response.content.decode()
    assert not Sector.objects.exists()


def test_sector_file_that_is_not_geojson_is_refused(staff_client):
    participation = EditionCommuneFactory()
    upload = SimpleUploadedFile(
        "secteur.geojson", b"\x89PNG\r\n\x1a\n\x00\x00", content_type="image/png"
    )
    response = staff_client.post(
        f"/gestion/communes/{participation.pk}/secteur/", {"name": "X", "upload": upload}
    )
    assert response.context["form"].errors["upload"]
    assert not Sector.objects.exists()


def test_sector_file_over_the_size_limit_is_refused(staff_client, settings):
    settings.QMI_SECTOR_MAX_BYTES = 1024
    participation = EditionCommuneFactory()
    body = json.dumps({"type": "Feature", "properties": {"pad": "x" * 2000}, "geometry": SECTOR})
    upload = SimpleUploadedFile("gros.geojson", body.encode(), content_type="application/json")
    response = staff_client.post(
        f"/gestion/communes/{participation.pk}/secteur/", {"name": "X", "upload": upload}
    )
    assert "trop volumineux" in str(response.context["form"].errors["upload"])
    assert not Sector.objects.exists()
