"""What a French public service must show: the footer's pages, a person's data and
account deletion, the operator's page editor; each page through `check_page`."""

import json
from importlib import import_module
from pathlib import Path

from django.apps import apps
from playwright.sync_api import expect

from qmi.showcase.models import SitePage

from .helpers import check_page, login, visit

PAGES = {
    "Mentions légales": "/mentions-legales/",
    "Données personnelles": "/donnees-personnelles/",
    "Accessibilité : partiellement conforme": "/accessibilite/",
}


def _site_pages():
    """The pages the data migration wrote: a transactional test's flush removed them."""
    if not SitePage.objects.exists():
        import_module("qmi.showcase.migrations.0002_initial_site_pages").create_pages(apps, None)


def test_the_footer_pages_and_the_privacy_notice_at_sign_up(page, demo):
    _site_pages()
    visit(page, "/")
    for link, path in PAGES.items():
        with page.expect_navigation():
            page.locator("footer").get_by_role("link", name=link).click()
        assert page.url.endswith(path), page.url
        check_page(page)
        expect(page.locator("h1")).to_have_count(1)
    visit(page, "/compte/signup/")
    notice = page.locator(".privacy-notice")
    expect(notice).to_be_visible()
    expect(notice.get_by_role("link")).to_have_attribute("href", "/donnees-personnelles/")


def test_a_person_downloads_their_data_and_reaches_the_deletion_page(page, demo):
    login(page, "experimentateur@demo.qmi.example")
    visit(page, "/compte/profil/")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Télécharger mes données").click()
    check_page(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Télécharger mes données (JSON)").click()
    data = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert data["account"]["email"] == "experimentateur@demo.qmi.example"
    assert data["memberships"]

    visit(page, "/compte/supprimer/")
    expect(page.locator("h1")).to_have_text("Supprimer mon compte")
    # The demo startup's only administrator: told what to do first, no form.
    expect(page.get_by_role("alert")).to_contain_text("dernier administrateur")


def test_the_operator_edits_a_footer_page(page, demo):
    _site_pages()
    login(page, "operateur@demo.qmi.example")
    visit(page, "/gestion/pages/")
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name="Mentions légales").click()
    check_page(page)
    page.get_by_label("Titre").fill("Mentions légales de la plateforme")
    with page.expect_navigation():
        page.get_by_role("button", name="Enregistrer").click()
    check_page(page)
    visit(page, "/mentions-legales/")
    expect(page.locator("h1")).to_have_text("Mentions légales de la plateforme")
