"""The public site: home, edition and commune pages, the communes' GeoJSON."""

import datetime
import io
import json
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from qmi.programmes.models import Commune, Sector, Stage
from tests.factories import (
    CallFactory,
    ChallengeFactory,
    CommuneFactory,
    EditionCommuneFactory,
    EditionFactory,
    PhaseFactory,
    ThemeFactory,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db

D = datetime.date
SECTOR_SQUARE = {
    "type": "Polygon",
    "coordinates": [
        [[2.285, 48.775], [2.29, 48.775], [2.29, 48.78], [2.285, 48.78], [2.285, 48.775]]
    ],
}


@pytest.fixture
def uncached(settings):
    """Query counts measure the rendering: the public page cache is off (see core.public_cache)."""
    settings.QMI_PUBLIC_CACHE_SECONDS = 0


class _Tags(HTMLParser):
    """Every start tag of a page, with its attributes (no third-party HTML parser needed)."""

    def __init__(self):
        super().__init__()
        self.tags = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def start_tags(html):
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def timeline_steps(html):
    """{phase name: (css class, aria-current, text)} for each step of the timelines."""
    steps = {}
    for attrs, body in re.findall(r"<li (class=\"[^\"]*\"[^>]*)>(.*?)</li>", html, re.S):
        name = re.search(r'class="phase-name">([^<]+)<', body)
        if name:
            css = re.search(r'class="([^"]*)"', attrs).group(1)
            current = 'aria-current="step"' in attrs
            text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", body)).strip()
            steps[name.group(1)] = (css, current, text)
    return steps


def json_script(html, element_id):
    match = re.search(rf'<script id="{element_id}" type="application/json">(.*?)</script>', html)
    assert match, f"no json_script #{element_id}"
    return json.loads(match.group(1))


def edition_in_experimentation(**kwargs):
    edition = EditionFactory(stage=Stage.EXPERIMENTATION, **kwargs)
    PhaseFactory(
        edition=edition,
        kind=Stage.CALL_FOR_PROJECTS,
        starts_on=D(2024, 5, 13),
        ends_on=D(2024, 6, 16),
    )
    PhaseFactory(
        edition=edition,
        kind=Stage.EXPERIMENTATION,
        starts_on=D(2024, 10, 1),
        ends_on=D(2025, 12, 31),
    )
    PhaseFactory(
        edition=edition, kind=Stage.EVALUATION, starts_on=D(2026, 1, 1), ends_on=D(2026, 2, 28)
    )
    return edition


def commune_with_challenge(edition, name, district, theme=None):
    participation = EditionCommuneFactory(
        edition=edition, commune=CommuneFactory(name=name), district=district
    )
    ChallengeFactory(
        edition_commune=participation,
        theme=theme or ThemeFactory(),
        title=f"Défi de {name}",
        statement=f"Énoncé du défi de {name}.",
    )
    return participation


# Home ------------------------------------------------------------------------


def test_home_lists_public_editions_with_communes_and_themes(client):
    climate = ThemeFactory(name="Adaptation au changement climatique", order=2)
    ThemeFactory(name="Sport en ville", order=8)
    edition = edition_in_experimentation(title="Deuxième édition")
    sceaux = commune_with_challenge(edition, "Sceaux", "Blagis", theme=climate)
    meudon = commune_with_challenge(edition, "Meudon", "Meudon-la-Forêt")

    html = client.get(reverse("showcase:home")).content.decode()

    assert "Deuxième édition" in html
    assert edition.get_absolute_url() in html
    for participation in (sceaux, meudon):
        assert participation.commune.name in html
        assert participation.district in html
        assert f'href="{participation.get_absolute_url()}"' in html
    assert "Adaptation au changement climatique" in html
    assert "Sport en ville" in html


def test_home_highlights_the_current_phase_in_text(client):
    edition_in_experimentation()

    html = client.get(reverse("showcase:home")).content.decode()
    steps = timeline_steps(html)

    css, current, text = steps["Expérimentation"]
    assert current and "current" in css and "En cours" in text
    assert "du 1er octobre 2024 au 31 décembre 2025" in text
    css, current, text = steps["Appel à expérimenter"]
    assert not current and "Terminée" in text
    css, current, text = steps["Évaluation et essaimage"]
    assert not current and "À venir" in text
    assert html.count('aria-current="step"') == 1
    assert "Étape en cours :" in html


def test_home_has_no_current_phase_when_edition_is_closed(client):
    edition = edition_in_experimentation()
    edition.stage = Stage.CLOSED
    edition.save()

    html = client.get(reverse("showcase:home")).content.decode()

    assert 'aria-current="step"' not in html
    assert "Édition clôturée" in html
    assert all("Terminée" in text for _, _, text in timeline_steps(html).values())


def test_home_map_highlights_communes_of_public_editions_only(client):
    public = EditionCommuneFactory(
        edition=EditionFactory(title="Publique", stage=Stage.FRAMING), district="Blagis"
    )
    hidden = EditionCommuneFactory(edition=EditionFactory(is_public=False, stage=Stage.FRAMING))
    outsider = CommuneFactory()

    html = client.get(reverse("showcase:home")).content.decode()
    highlight = json_script(html, "map-highlight")

    assert set(highlight) == {public.commune.insee}
    assert highlight[public.commune.insee] == [
        {
            "name": public.commune.name,
            "edition": "Publique",
            "number": public.edition.number,
            "district": "Blagis",
            "url": public.get_absolute_url(),
        }
    ]
    assert hidden.commune.insee not in highlight and outsider.insee not in highlight
    (map_tag,) = [attrs for tag, attrs in start_tags(html) if "data-map" in attrs]
    assert map_tag["role"] == "region" and map_tag["aria-label"]
    assert map_tag["data-geojson-url"] == reverse("showcase:communes_geojson")
    assert map_tag["data-highlight"] == "map-highlight"


def test_home_hides_non_public_edition(client):
    EditionFactory(title="Édition publique")
    hidden = EditionCommuneFactory(
        edition=EditionFactory(title="Édition secrète", is_public=False),
        commune=CommuneFactory(name="Commune cachée"),
    )

    html = client.get(reverse("showcase:home")).content.decode()

    assert "Édition publique" in html
    assert "Édition secrète" not in html
    assert "Commune cachée" not in html
    assert hidden.get_absolute_url() not in html


def test_home_shows_ten_newest_editions_at_most(client):
    editions = [
        EditionFactory(number=number, title=f"Édition n°{number}") for number in range(1, 13)
    ]

    html = client.get(reverse("showcase:home")).content.decode()

    assert "Édition n°1<" not in html and "Édition n°2<" not in html
    for edition in editions[2:]:
        assert f"{edition.title}<" in html
    assert html.index("Édition n°12<") < html.index("Édition n°11<")


def test_home_query_count_does_not_grow_with_editions_and_communes(client, uncached):
    first = edition_in_experimentation()
    for index in range(2):
        commune_with_challenge(first, f"Commune A{index}", f"Quartier A{index}")

    def grow():
        for index in range(2, 5):
            commune_with_challenge(first, f"Commune A{index}", f"Quartier A{index}")
        for number in range(3):
            edition = edition_in_experimentation()
            for index in range(5):
                commune_with_challenge(edition, f"Commune {number}-{index}", f"Quartier {number}")

    large = assert_constant_queries(client, reverse("showcase:home"), grow=grow, warm=False)
    assert "Commune 2-4" in large.content.decode()  # the larger data set is really rendered


# Edition page ------------------------------------------------------------------


def test_edition_page_shows_communes_with_district_theme_and_challenge(client):
    edition = edition_in_experimentation(title="Deuxième édition", summary="Six communes.")
    theme = ThemeFactory(name="Économie circulaire")
    noisy = commune_with_challenge(edition, "Noisy-le-Grand", "Mont d'Est", theme=theme)
    draft = EditionCommuneFactory(
        edition=edition, commune=CommuneFactory(name="Athis-Mons"), district=""
    )

    response = client.get(edition.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "Deuxième édition" in html and "Six communes." in html
    assert "Mont d&#x27;Est" in html
    assert "Économie circulaire" in html
    assert "Défi de Noisy-le-Grand" in html
    assert noisy.get_absolute_url() in html
    assert draft.get_absolute_url() in html
    assert "en cours de rédaction" in html
    assert "Étape en cours :" in html and 'aria-current="step"' in html
    assert set(json_script(html, "map-highlight")) == {
        noisy.commune.insee,
        draft.commune.insee,
    }


def test_edition_page_query_count_does_not_grow_with_communes(client, uncached):
    edition = edition_in_experimentation()
    for index in range(2):
        commune_with_challenge(edition, f"Commune {index}", f"Quartier {index}")

    def grow():
        for index in range(2, 8):
            commune_with_challenge(edition, f"Commune {index}", f"Quartier {index}")
        EditionCommuneFactory(edition=edition)  # no challenge yet

    large = assert_constant_queries(client, edition.get_absolute_url(), grow=grow, warm=False)
    assert "Défi de Commune 7" in large.content.decode()


def test_edition_page_of_non_public_edition_is_404(client):
    hidden = EditionCommuneFactory(edition=EditionFactory(is_public=False))

    assert client.get(hidden.edition.get_absolute_url()).status_code == 404
    assert client.get(hidden.get_absolute_url()).status_code == 404


# Commune page ------------------------------------------------------------------


def test_commune_page_shows_district_challenge_and_sector_area(client):
    edition = edition_in_experimentation(title="Deuxième édition")
    participation = commune_with_challenge(
        edition, "Argenteuil", "Porte Saint-Germain", theme=ThemeFactory(name="Sport en ville")
    )
    Sector.objects.create(
        edition_commune=participation,
        name="Porte Saint-Germain",
        geometry=SECTOR_SQUARE,
        area_hectares=Decimal("1275.5"),
    )

    response = client.get(participation.get_absolute_url())
    html = response.content.decode()

    assert response.status_code == 200
    assert "<h1>Argenteuil</h1>" in html
    assert "Porte Saint-Germain" in html
    assert "Sport en ville" in html
    assert "Défi de Argenteuil" in html and "Énoncé du défi de Argenteuil." in html
    # French number format: narrow no-break or no-break space for thousands, comma for decimals.
    assert re.search(r"1[\u00a0\u202f ]275,5 ha", html)
    breadcrumbs = re.search(r'<nav class="breadcrumbs".*?</nav>', html, re.S).group(0)
    assert reverse("showcase:home") in breadcrumbs
    assert edition.get_absolute_url() in breadcrumbs
    assert 'aria-current="page">Argenteuil<' in breadcrumbs
    map_data = json_script(html, "map-data")
    assert map_data["sector"]["geometry"] == SECTOR_SQUARE
    assert map_data["commune"]["geometry"] == participation.commune.geometry


def test_commune_page_without_challenge_or_sector_says_so(client):
    participation = EditionCommuneFactory(district="", edition__stage=Stage.FRAMING)

    html = client.get(participation.get_absolute_url()).content.decode()

    assert "Le défi de la commune est en cours de rédaction" in html
    assert "Le secteur n'a pas encore été délimité" in html
    assert json_script(html, "map-data")["sector"] is None


def test_commune_page_of_commune_not_in_edition_is_404(client):
    participation = EditionCommuneFactory()
    other = CommuneFactory()
    url = reverse(
        "showcase:edition_commune",
        kwargs={"slug": participation.edition.slug, "commune": other.slug},
    )

    assert client.get(url).status_code == 404


# GeoJSON -----------------------------------------------------------------------


def test_communes_geojson_has_one_feature_per_commune(client):
    communes = [CommuneFactory() for _ in range(3)]
    CommuneFactory(geometry={})

    data = client.get(reverse("showcase:communes_geojson")).json()

    assert data["type"] == "FeatureCollection"
    insees = [feature["properties"]["insee"] for feature in data["features"]]
    assert sorted(insees) == sorted(Commune.objects.values_list("insee", flat=True))
    assert len(insees) == 4
    by_insee = {feature["properties"]["insee"]: feature for feature in data["features"]}
    assert by_insee[communes[0].insee]["geometry"]["type"] == "Polygon"
    assert by_insee[communes[0].insee]["properties"]["name"] == communes[0].name


# Assets and CSP ----------------------------------------------------------------


def _public_pages():
    edition = edition_in_experimentation()
    participation = commune_with_challenge(edition, "Sceaux", "Blagis")
    return [reverse("showcase:home"), edition.get_absolute_url(), participation.get_absolute_url()]


def test_pages_load_vendored_leaflet_not_a_cdn(client):
    for url in _public_pages():
        tags = start_tags(client.get(url).content.decode())
        scripts = [attrs for tag, attrs in tags if tag == "script" and "src" in attrs]
        styles = [attrs["href"] for tag, attrs in tags if tag == "link" and "href" in attrs]
        assert all(attrs["src"].startswith("/static/") for attrs in scripts), (url, scripts)
        assert all(href.startswith("/static/") for href in styles), (url, styles)
        # Leaflet is not loaded with the page: map.js loads it, from here, near the map.
        (map_script,) = [attrs for attrs in scripts if attrs["src"] == "/static/qmi/js/map.js"]
        assert "defer" in map_script, url
        assert map_script["data-leaflet-js"] == "/static/vendor/leaflet/leaflet.js", url
        assert map_script["data-leaflet-css"] == "/static/vendor/leaflet/leaflet.css", url
        assert "/static/vendor/leaflet/leaflet.js" not in [attrs["src"] for attrs in scripts]
        assert "/static/vendor/leaflet/leaflet.css" not in styles, url


def test_pages_have_no_inline_script_or_style(client):
    for url in _public_pages():
        response = client.get(url)
        html = response.content.decode()
        tags = start_tags(html)
        inline = [
            attrs
            for tag, attrs in tags
            if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json"
        ]
        assert not inline, (url, inline)
        assert not [attrs for tag, attrs in tags if "style" in attrs], url
        assert not [tag for tag, _ in tags if tag == "style"], url
        assert not [a for _, attrs in tags for a in attrs if a.startswith("on")], url
        assert "script-src 'self'" in response.headers["Content-Security-Policy"]


def test_map_gets_tile_settings_only_from_configuration(client, settings):
    urls = _public_pages()
    settings.QMI_MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.QMI_MAP_TILE_ATTRIBUTION = "© Exemple"

    for url in urls:
        (map_tag,) = [
            attrs
            for tag, attrs in start_tags(client.get(url).content.decode())
            if "data-map" in attrs
        ]
        assert map_tag["data-tile-url"] == "https://tiles.example.org/{z}/{x}/{y}.png"
        assert map_tag["data-tile-attribution"] == "© Exemple"


# Demo data ---------------------------------------------------------------------

DEMO_COMMUNES = [
    "Aulnay-sous-Bois",
    "Meudon",
    "Noisy-le-Grand",
    "Sceaux",
    "Argenteuil",
    "Athis-Mons",
    "Aubervilliers",
    "Fontenay-sous-Bois",
    "Issy-les-Moulineaux",
    "Sucy-en-Brie",
]


def test_home_with_demo_data_shows_both_editions_and_ten_communes(client):
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())

    html = client.get(reverse("showcase:home")).content.decode()

    assert "1re édition" in html and "2e édition" in html
    assert reverse("showcase:edition", kwargs={"slug": "qmi-1"}) in html
    assert reverse("showcase:edition", kwargs={"slug": "qmi-2"}) in html
    for name in DEMO_COMMUNES:
        assert f">{name}</a>" in html, name
    # The ten real communes and the fictional edition's four.
    assert len(json_script(html, "map-highlight")) == 14
    # The 2nd edition is evaluating, the fictional one calling for projects; the 1st is closed.
    current = re.findall(r'<li [^>]*aria-current="step"[^>]*>(.*?)</li>', html, re.S)
    assert len(current) == 2
    assert any("Évaluation et essaimage" in step and "En cours" in step for step in current)
    assert any("Appel à expérimenter" in step for step in current)


@pytest.mark.django_db
def test_home_and_edition_pages_link_to_their_calls(client):
    call = CallFactory(title="Appel ouvert aux communes")
    draft = CallFactory(edition=call.edition, title="Appel en préparation", status="draft")
    home = client.get("/").content.decode()
    assert call.get_absolute_url() in home
    assert draft.get_absolute_url() not in home
    page = client.get(call.edition.get_absolute_url())
    assert page.status_code == 200
    html = page.content.decode()
    assert call.get_absolute_url() in html
    assert draft.get_absolute_url() not in html


def test_the_communes_selection_is_public_once_the_edition_moves_past_it(client):
    """The Métropole's decision is announced by moving the edition to framing, not before."""
    edition = EditionFactory(stage=Stage.COMMUNE_SELECTION, title="Édition en sélection")
    participation = EditionCommuneFactory(edition=edition, district="Les Blagis")
    name = participation.commune.name

    page = client.get(edition.get_absolute_url()).content.decode()
    home = client.get(reverse("showcase:home")).content.decode()
    assert name not in page and "ne sont pas encore désignées" in page
    assert participation.commune.insee not in json_script(home, "map-highlight")
    assert client.get(participation.get_absolute_url()).status_code == 404

    edition.stage = Stage.FRAMING
    edition.save()
    page = client.get(edition.get_absolute_url()).content.decode()
    assert name in page
    assert client.get(participation.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_programme_content_shows_its_english_version_to_people_who_chose_english(client):
    call = CallFactory(
        title="Appel à expérimenter",
        title_en="Call for projects",
        presentation="<p>Présentation en français</p>",
        presentation_en="<p>Presentation in English</p>",
    )
    untranslated = CallFactory(title="Appel sans traduction")
    french = client.get(call.get_absolute_url()).content.decode()
    assert "Appel à expérimenter" in french and "Call for projects" not in french

    client.cookies["django_language"] = "en"
    english = client.get(call.get_absolute_url()).content.decode()
    assert "<h1>Call for projects</h1>" in english and "Presentation in English" in english
    assert "Présentation en français" not in english
    # Without an English version, the French text is shown rather than nothing.
    assert "Appel sans traduction" in client.get(untranslated.get_absolute_url()).content.decode()
