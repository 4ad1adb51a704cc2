"""The footer's pages: published from a fresh install, edited by the operator only,
sanitised and audited; the sign-up page says what is collected and links to them."""

import pytest
from django.urls import reverse

from qmi.core.models import AuditEntry
from qmi.showcase.models import SitePage
from tests.factories import UserFactory, metropolis_user, staff_user

pytestmark = pytest.mark.django_db

URLS = {
    "mentions-legales": "/mentions-legales/",
    "donnees-personnelles": "/donnees-personnelles/",
    "accessibilite": "/accessibilite/",
}


@pytest.mark.parametrize(
    ("slug", "words"),
    [
        ("mentions-legales", ["Métropole du Grand Paris", "Paris&amp;Co", "AGPL-3.0"]),
        (
            "donnees-personnelles",
            ["réunions d'information", "journal des modifications", "boîte d'envoi", "CNIL"],
        ),
        ("accessibilite", ["partiellement conforme", "axe-core", "Défenseur des droits"]),
    ],
)
def test_a_fresh_install_publishes_the_three_pages_linked_from_every_footer(client, slug, words):
    assert reverse(f"showcase:{slug}") == URLS[slug]
    html = client.get(URLS[slug]).content.decode()
    for word in words:
        assert word in html
    home = client.get(reverse("showcase:home")).content.decode()
    assert f'href="{URLS[slug]}"' in home


def test_the_legal_notice_names_the_host_the_deployer_set_or_says_it_is_missing(client, settings):
    settings.QMI_HOSTING_PROVIDER = ""
    html = client.get(URLS["mentions-legales"]).content.decode()
    assert "n'a pas encore indiqué son hébergeur" in html
    settings.QMI_HOSTING_PROVIDER = "Hébergeur Exemple SAS\n1 rue du Nuage, 75000 Paris"
    html = client.get(URLS["mentions-legales"]).content.decode()
    assert "Hébergeur Exemple SAS<br>1 rue du Nuage" in html
    # Only on the legal notice.
    assert "Hébergeur Exemple" not in client.get(URLS["accessibilite"]).content.decode()


def test_the_operator_edits_a_page_sanitised_and_audited(client):
    operator = staff_user()
    client.force_login(operator)
    url = reverse("showcase:backoffice_site_page_edit", args=["accessibilite"])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Accessibilité",
            "body": '<p onclick="x()">Audit prévu en 2027.</p><script>alert(1)</script>',
        },
    )
    assert response.status_code == 302
    page = SitePage.objects.get(slug="accessibilite")
    assert page.body == "<p>Audit prévu en 2027.</p>"
    entry = AuditEntry.objects.get(object_id=str(page.pk), action="updated")
    assert entry.actor == operator
    assert set(entry.changes) == {"title", "body"}
    html = client.get(URLS["accessibilite"]).content.decode()
    assert "Audit prévu en 2027." in html
    assert "alert(1)" not in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"title": "Titre", "body": "<script>alert(1)</script>"}, "Il ne reste aucun texte"),
        ({"title": "Titre", "body": "   "}, "Ce champ est obligatoire"),
        ({"title": "", "body": "<p>Texte</p>"}, "Ce champ est obligatoire"),
    ],
)
def test_a_page_left_empty_is_refused_with_a_message_and_nothing_saved(client, data, message):
    client.force_login(staff_user())
    before = SitePage.objects.get(slug="mentions-legales")
    response = client.post(
        reverse("showcase:backoffice_site_page_edit", args=["mentions-legales"]), data
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    after = SitePage.objects.get(slug="mentions-legales")
    assert (after.title, after.body) == (before.title, before.body)


def test_the_metropolis_reads_the_list_but_may_not_edit(client):
    client.force_login(metropolis_user())
    listing = client.get(reverse("showcase:backoffice_site_pages"))
    assert listing.status_code == 200
    edit_url = reverse("showcase:backoffice_site_page_edit", args=["mentions-legales"])
    assert edit_url not in listing.content.decode()
    assert client.get(edit_url).status_code == 403
    assert client.post(edit_url, {"title": "x", "body": "<p>x</p>"}).status_code == 403
    assert SitePage.objects.get(slug="mentions-legales").title == "Mentions légales"


def test_people_outside_the_staff_get_404_and_visitors_the_login(client):
    edit_url = reverse("showcase:backoffice_site_page_edit", args=["mentions-legales"])
    assert client.get(edit_url).status_code == 302
    client.force_login(UserFactory())
    assert client.get(reverse("showcase:backoffice_site_pages")).status_code == 404
    assert client.get(edit_url).status_code == 404


def test_the_operator_sees_the_edit_links_and_an_unknown_page_is_404(client):
    client.force_login(staff_user())
    html = client.get(reverse("showcase:backoffice_site_pages")).content.decode()
    for slug in URLS:
        assert reverse("showcase:backoffice_site_page_edit", args=[slug]) in html
    assert client.get("/gestion/pages/inconnue/").status_code == 404


def test_the_sign_up_page_says_what_is_collected_and_links_to_the_privacy_page(client):
    html = client.get(reverse("account_signup")).content.decode()
    assert "Votre adresse e-mail et votre nom servent" in html
    assert 'href="/donnees-personnelles/"' in html
