"""map.js and sector-draw.js in Debian's chromium, under the site's real CSP.

Pages are rendered by Django's test client first; Playwright then serves them, and the
static files straight from src/qmi/static, from a fake origin. Nothing reaches the network:
a tile server configured here cannot answer, as on a machine without internet.
"""

import json
import re
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

import qmi
from qmi.programmes.models import Stage
from tests.factories import CommuneFactory, EditionCommuneFactory, EditionFactory

pytestmark = pytest.mark.django_db

STATIC_DIR = Path(qmi.__file__).resolve().parent / "static"
ORIGIN = "http://qmi.test"
UNREACHABLE_TILES = "https://tiles.invalid/{z}/{x}/{y}.png"
CONTENT_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png"}


@contextmanager
def browser_page(browser, documents):
    """A page of the shared chromium where ORIGIN + path serves `documents[path]` = (body, headers)."""
    problems = []
    page = browser.new_page(locale="fr-FR", viewport={"width": 1200, "height": 900})
    page.set_default_timeout(10_000)

    def serve(route):
        url = urlsplit(route.request.url)
        if f"{url.scheme}://{url.netloc}" != ORIGIN:
            route.abort("internetdisconnected")
        elif url.path.startswith("/static/"):
            path = (STATIC_DIR / url.path.removeprefix("/static/")).resolve()
            if STATIC_DIR in path.parents and path.is_file():
                content_type = CONTENT_TYPES.get(path.suffix, "application/octet-stream")
                route.fulfill(path=str(path), content_type=content_type)
            else:
                route.fulfill(status=404, body="")
        elif url.path in documents:
            body, headers = documents[url.path]
            route.fulfill(status=200, body=body, headers=headers)
        else:
            route.fulfill(status=404, body="")

    def on_console(message):
        location = (message.location or {}).get("url", "")
        if message.type == "error" and not location.startswith("https://tiles.invalid/"):
            problems.append(message.text)

    page.route("**/*", serve)
    page.on("console", on_console)
    page.on("pageerror", lambda error: problems.append(f"uncaught: {error}"))
    try:
        yield page, problems
    finally:
        page.close()


def _document(response):
    headers = {
        "content-type": response["Content-Type"],
        "content-security-policy": response["Content-Security-Policy"],
    }
    return response.content.decode(), headers


def test_map_draws_outlines_when_tiles_are_unreachable(browser, client, settings):
    settings.QMI_MAP_TILE_URL = UNREACHABLE_TILES
    edition = EditionFactory(stage=Stage.FRAMING)  # its selection is public
    highlighted = [EditionCommuneFactory(edition=edition) for _ in range(2)]
    CommuneFactory()  # not in the edition: drawn thin, not interactive
    documents = {
        "/": _document(client.get(reverse("showcase:home"))),
        reverse("showcase:communes_geojson"): _document(
            client.get(reverse("showcase:communes_geojson"))
        ),
    }
    assert UNREACHABLE_TILES in documents["/"][0]

    with browser_page(browser, documents) as (page, problems):
        page.goto(ORIGIN + "/")
        page.locator("#metropole-map").scroll_into_view_if_needed()
        page.wait_for_selector(".leaflet-overlay-pane path.leaflet-interactive")
        paths = page.locator("#metropole-map .leaflet-overlay-pane path")
        interactive = page.locator("#metropole-map .leaflet-overlay-pane path.leaflet-interactive")
        assert paths.count() == 3
        assert interactive.count() == len(highlighted)
        # The tiles were asked for (and failed): the outlines did not wait for them.
        assert page.locator("#metropole-map img.leaflet-tile").count() > 0
        assert page.locator(".map-status").count() == 0

        # The factories' communes share one outline: the last drawn is on top.
        interactive.last.click()
        link = page.locator(".leaflet-popup-content a")
        link.wait_for()
        assert link.get_attribute("href") in {p.get_absolute_url() for p in highlighted}

    assert not problems, problems


def test_map_says_so_when_outlines_cannot_load(browser, client):
    EditionCommuneFactory()
    documents = {"/": _document(client.get(reverse("showcase:home")))}  # no GeoJSON served

    with browser_page(browser, documents) as (page, problems):
        page.goto(ORIGIN + "/")
        page.locator("#metropole-map").scroll_into_view_if_needed()
        status = page.locator(".map-status")
        status.wait_for()
        assert "n'ont pas pu être chargés" in status.inner_text()

    assert [p for p in problems if "404" not in p] == []


def test_map_loads_leaflet_only_when_it_comes_near_the_viewport(browser, client, settings):
    settings.QMI_MAP_TILE_URL = UNREACHABLE_TILES
    edition = EditionFactory(stage=Stage.FRAMING)
    EditionCommuneFactory(edition=edition)
    documents = {
        "/": _document(client.get(reverse("showcase:home"))),
        reverse("showcase:communes_geojson"): _document(
            client.get(reverse("showcase:communes_geojson"))
        ),
    }

    with browser_page(browser, documents) as (page, problems):
        # A phone's screen: the map is several screens down the home page.
        page.set_viewport_size({"width": 412, "height": 823})
        requested = []
        page.on("request", lambda request: requested.append(urlsplit(request.url).path))
        page.goto(ORIGIN + "/", wait_until="load")
        page.wait_for_timeout(300)
        assert page.evaluate("typeof L") == "undefined"
        assert not [path for path in requested if "leaflet" in path or "geojson" in path]
        assert page.locator("#metropole-map.leaflet-container").count() == 0

        page.locator("#metropole-map").scroll_into_view_if_needed()
        page.wait_for_selector("#metropole-map .leaflet-overlay-pane path.leaflet-interactive")
        assert "/static/vendor/leaflet/leaflet.js" in requested
        assert "/static/vendor/leaflet/leaflet.css" in requested
        # Its stylesheet came with it: leaflet.css stacks the map's panes.
        pane = page.locator("#metropole-map .leaflet-map-pane")
        assert pane.evaluate("element => getComputedStyle(element).position") == "absolute"

    assert not problems, problems


EDITOR_PAGE = """<!DOCTYPE html>
<html lang="fr"><head><meta charset="utf-8"><title>Secteur</title>
<link rel="stylesheet" href="/static/qmi/css/qmi.css">
<link rel="stylesheet" href="/static/qmi/css/showcase.css">
<link rel="stylesheet" href="/static/vendor/leaflet/leaflet.css">
<script src="/static/vendor/leaflet/leaflet.js" defer></script>
<script src="/static/qmi/js/sector-draw.js" defer></script>
</head><body><main>
<div id="sector-map" class="map" role="region" aria-label="Carte du secteur"
     data-sector-editor data-map-data="map-data" data-target="id_geometry"
     data-tile-url="https://tiles.invalid/{z}/{x}/{y}.png" data-tile-attribution="© Tuiles"
     data-label-finish="Terminer le polygone" data-label-undo="Annuler le dernier point"
     data-label-clear="Effacer" data-label-points="Points : {count}."
     data-label-finished="Terminé : {count} sommets." data-label-loaded="Contour chargé."
     data-label-invalid="GeoJSON illisible."></div>
<script id="map-data" type="application/json">MAP_DATA</script>
<label for="id_geometry">Contour GeoJSON</label>
<textarea id="id_geometry" name="geometry"></textarea>
</main></body></html>"""

COMMUNE = {
    "type": "Feature",
    "properties": {"name": "Sceaux"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [
            [[2.28, 48.77], [2.30, 48.77], [2.30, 48.785], [2.28, 48.785], [2.28, 48.77]]
        ],
    },
}


def _policy(client, settings):
    """The site's real CSP, as the back office page will be served with it."""
    settings.QMI_MAP_TILE_URL = UNREACHABLE_TILES
    return client.get(reverse("showcase:home"))["Content-Security-Policy"]


def test_sector_editor_writes_a_closed_polygon_in_lon_lat(browser, client, settings):
    policy = _policy(client, settings)
    body = EDITOR_PAGE.replace("MAP_DATA", json.dumps({"commune": COMMUNE, "sector": None}))
    documents = {
        "/secteur/": (body, {"content-type": "text/html", "content-security-policy": policy})
    }

    with browser_page(browser, documents) as (page, problems):
        page.goto(ORIGIN + "/secteur/")
        page.wait_for_selector("#sector-map.leaflet-container")
        buttons = page.locator(".sector-editor-toolbar button")
        assert buttons.all_inner_texts() == [
            "Terminer le polygone",
            "Annuler le dernier point",
            "Effacer",
        ]
        assert all(b.get_attribute("type") == "button" for b in buttons.all())
        status = page.locator(".sector-editor-status")

        box = page.locator("#sector-map").bounding_box()
        for dx, dy in [(0.3, 0.3), (0.7, 0.3), (0.7, 0.7), (0.5, 0.9)]:
            page.mouse.click(box["x"] + box["width"] * dx, box["y"] + box["height"] * dy)
        assert status.inner_text() == "Points : 4."
        page.get_by_role("button", name="Annuler le dernier point").click()
        assert status.inner_text() == "Points : 3."
        # Keyboard path to the buttons: focus the finish button and press Enter.
        page.get_by_role("button", name="Terminer le polygone").focus()
        page.keyboard.press("Enter")
        assert status.inner_text() == "Terminé : 3 sommets."

        geometry = json.loads(page.locator("#id_geometry").input_value())
        assert geometry["type"] == "Polygon"
        (ring,) = geometry["coordinates"]
        assert len(ring) == 4 and ring[0] == ring[-1]
        for lon, lat in ring:
            # [longitude, latitude] order, inside the view of the commune around Sceaux.
            assert 2.2 < lon < 2.4 and 48.7 < lat < 48.9, (lon, lat)
            assert all(len(repr(value).split(".")[1]) <= 6 for value in (lon, lat))
        assert (
            page.locator("#sector-map .leaflet-overlay-pane path.leaflet-interactive").count() == 0
        )

        # Pasting GeoJSON redraws on change; nonsense is reported, not drawn.
        pasted = {
            "type": "Feature",
            "geometry": {
                "type": "Polygon",
                "coordinates": [[[2.285, 48.775], [2.29, 48.775], [2.29, 48.78], [2.285, 48.775]]],
            },
        }
        page.locator("#id_geometry").fill(json.dumps(pasted))
        page.locator("#id_geometry").dispatch_event("change")
        assert status.inner_text() == "Contour chargé."
        page.locator("#id_geometry").fill("{pas du json")
        page.locator("#id_geometry").dispatch_event("change")
        assert status.inner_text() == "GeoJSON illisible."

        page.get_by_role("button", name="Effacer").click()
        assert page.locator("#id_geometry").input_value() == ""
        # Only the commune's dashed outline is left on the map.
        assert page.locator("#sector-map .leaflet-overlay-pane path").count() == 1
        assert re.search(
            r"6 4", page.locator("#sector-map path").first.get_attribute("stroke-dasharray")
        )

    assert not problems, problems


def test_sector_editor_shows_the_saved_sector(browser, client, settings):
    policy = _policy(client, settings)
    sector = {"type": "Feature", "properties": {"name": "Blagis"}, "geometry": COMMUNE["geometry"]}
    body = EDITOR_PAGE.replace("MAP_DATA", json.dumps({"commune": COMMUNE, "sector": sector}))
    documents = {
        "/secteur/": (body, {"content-type": "text/html", "content-security-policy": policy})
    }

    with browser_page(browser, documents) as (page, problems):
        page.goto(ORIGIN + "/secteur/")
        page.wait_for_selector("#sector-map .leaflet-overlay-pane path")
        assert page.locator("#sector-map .leaflet-overlay-pane path").count() == 2
        assert page.locator("#id_geometry").input_value() == ""

    assert not problems, problems
