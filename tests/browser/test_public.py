"""The public showcase: editions, communes, the map and the language switch."""

import re

from playwright.sync_api import expect

from .helpers import check_page, visit

EDITIONS = {
    "qmi-1": "1re édition",
    "qmi-2": "2e édition",
}
COMMUNES = [
    # 1st edition
    "Aulnay-sous-Bois",
    "Meudon",
    "Noisy-le-Grand",
    "Sceaux",
    # 2nd edition
    "Argenteuil",
    "Athis-Mons",
    "Aubervilliers",
    "Fontenay-sous-Bois",
    "Issy-les-Moulineaux",
    "Sucy-en-Brie",
]
# Leaflet draws each GeoJSON outline as an SVG path, with or without tiles; the outlines one
# can click or hover (highlighted communes, a sector) also carry `leaflet-interactive`.
INTERACTIVE_OUTLINES = ".leaflet-container svg path.leaflet-interactive"
ANY_OUTLINES = ".leaflet-container .leaflet-overlay-pane svg path"


def assert_map_draws_outlines(page, at_least, *, interactive=True):
    # The map is built once it comes near the viewport (map.js): scroll to it, as one reads.
    page.locator("[data-map]").first.scroll_into_view_if_needed()
    expect(page.locator(".leaflet-container").first).to_be_visible()
    selector = INTERACTIVE_OUTLINES if interactive else ANY_OUTLINES
    page.wait_for_selector(selector, state="attached")
    count = page.locator(selector).count()
    assert count >= at_least, f"{page.url}: {count} outline(s) {selector}, expected ≥ {at_least}"


def test_public_home(page, demo):
    visit(page, "/")
    main = page.locator("main")
    expect(page.locator("h1")).to_have_count(1)

    for slug, label in EDITIONS.items():
        expect(main.locator(f"a[href*='/editions/{slug}/']").first).to_be_visible()
        expect(main.get_by_text(label).first).to_be_visible()
    for name in COMMUNES:
        expect(
            main.get_by_role("link", name=re.compile(rf"\b{re.escape(name)}\b")).first
        ).to_be_attached()

    # The 2nd edition is in its evaluation phase: that step is the one highlighted.
    current = main.locator("[aria-current='step'], [aria-current='true'], .timeline .current")
    expect(current.filter(has_text="Évaluation").first).to_be_visible()

    # No tile URL in the tests: the outlines alone must still be drawn, and no tile requested.
    assert_map_draws_outlines(page, at_least=len(COMMUNES))
    expect(page.locator("img.leaflet-tile")).to_have_count(0)
    check_page(page)


def test_public_edition_and_commune(page, demo):
    visit(page, "/")
    with page.expect_navigation():
        page.locator("main a[href$='/editions/qmi-2/']").first.click()
    assert page.url.endswith("/editions/qmi-2/"), page.url
    check_page(page)
    expect(page.locator("h1")).to_contain_text("2e édition")
    assert_map_draws_outlines(page, at_least=6)

    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile(r"\bArgenteuil\b")).first.click()
    assert re.search(r"/editions/qmi-2/communes/[\w-]+/$", page.url), page.url
    check_page(page)
    expect(page.locator("h1")).to_contain_text("Argenteuil")
    # The commune's own outline (dashed, not interactive) on its page.
    assert_map_draws_outlines(page, at_least=1, interactive=False)

    # A commune of the 1st edition with its published challenge.
    visit(page, "/editions/qmi-1/")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=re.compile(r"\bSceaux\b")).first.click()
    check_page(page)
    expect(page.locator("h1")).to_contain_text("Sceaux")
    expect(page.locator("main")).to_contain_text("Blagis")


def test_public_language_switch(page, demo):
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    header_fr = page.locator("header").inner_text()

    with page.expect_navigation():
        page.locator("form.language-switch button[value='en']").click()
    check_page(page)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    header_en = page.locator("header").inner_text()
    assert header_en != header_fr, (
        f"html lang is 'en' but the header is still French: {header_en!r}"
    )

    # The choice sticks on the next page.
    visit(page, "/editions/qmi-1/")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    with page.expect_navigation():
        page.locator("form.language-switch button[value='fr']").click()
    check_page(page)
    expect(page.locator("html")).to_have_attribute("lang", "fr")
