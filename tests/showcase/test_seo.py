"""What search engines read: each public page's description, and /robots.txt."""

import io
import urllib.robotparser
from html.parser import HTMLParser

import pytest
from django.core.management import call_command
from django.urls import reverse

from qmi.core.templatetags.qmi_text import DESCRIPTION_LENGTH, meta_description
from qmi.programmes.models import Stage
from tests.factories import CallFactory, EditionCommuneFactory, EditionFactory

pytestmark = pytest.mark.django_db

# The public pages of the demo data, as `make bench-http` has Lighthouse audit them.
DEMO_PUBLIC_PAGES = [
    "/",
    "/editions/qmi-2/",
    "/editions/qmi-2/communes/argenteuil/",
    "/appels/qmi-2-ami/",
    "/appels/qmi-2-appel-a-experimenter/",
    "/appels/demo-appel-fictif/",
    "/appels/demo-appel-a-experimenter/",
    "/mentions-legales/",
    "/donnees-personnelles/",
    "/accessibilite/",
    "/compte/login/",
    "/compte/signup/",
]


class _Meta(HTMLParser):
    def __init__(self):
        super().__init__()
        self.descriptions = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name") == "description":
            self.descriptions.append(attrs.get("content"))


def description(response):
    """The page's one meta description, entities decoded."""
    assert response.status_code == 200
    parser = _Meta()
    parser.feed(response.content.decode())
    (content,) = parser.descriptions
    return content


def test_every_public_page_describes_itself(client):
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())

    descriptions = {path: description(client.get(path)) for path in DEMO_PUBLIC_PAGES}

    for path, text in descriptions.items():
        assert text and text.strip() == text, path
        assert "<" not in text and "&amp;" not in text, (path, text)
    # The pages with content of their own say what it is, not the programme's presentation.
    specific = [path for path in DEMO_PUBLIC_PAGES if not path.startswith("/compte/")]
    assert len({descriptions[path] for path in specific}) == len(specific), descriptions
    assert "Argenteuil" in descriptions["/editions/qmi-2/communes/argenteuil/"]
    assert descriptions["/mentions-legales/"].startswith("Mentions légales")


def test_a_description_comes_from_the_text_of_the_page_cut_at_a_word(client):
    call = CallFactory(
        presentation="<p>Un appel <strong>ouvert</strong> aux communes &amp; aux EPT.</p>"
        "<ul><li>" + "Des quartiers à transformer, " * 20 + "</li></ul>"
    )

    text = description(client.get(call.get_absolute_url()))

    assert text.startswith("Un appel ouvert aux communes & aux EPT. Des quartiers")
    assert len(text) <= DESCRIPTION_LENGTH and text.endswith("transformer…")


def test_pages_without_a_text_of_their_own_say_what_they_hold(client):
    edition = EditionFactory(title="Édition d'essai", summary="", stage=Stage.FRAMING)
    participation = EditionCommuneFactory(edition=edition, commune__name="Bagnolet")
    call = CallFactory(edition=edition, presentation="")

    assert "Édition d'essai" in description(client.get(edition.get_absolute_url()))
    commune = description(client.get(participation.get_absolute_url()))
    assert commune.startswith("Bagnolet, commune lauréate de l'édition « Édition d'essai »")
    assert "Édition d'essai" in description(client.get(call.get_absolute_url()))


def test_a_description_in_english_for_people_who_chose_english(client):
    participation = EditionCommuneFactory(edition__stage=Stage.FRAMING, commune__name="Bagnolet")
    client.post(reverse("core:set_language"), {"language": "en", "next": "/"})

    text = description(client.get(participation.get_absolute_url()))

    assert text.startswith("Bagnolet, a winning municipality of the")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ""),
        (None, ""),
        ("  Deux\n lignes  ", "Deux lignes"),
        ("<p>a</p><p>b &lt;c&gt;</p>", "a b <c>"),
        ("mot " * 60, ("mot " * 39).strip() + "…"),
    ],
)
def test_meta_description_filter(text, expected):
    assert meta_description(text) == expected


def test_robots_txt_lets_search_engines_read_the_public_site_only(client):
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())

    response = client.get("/robots.txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    robots = urllib.robotparser.RobotFileParser()
    robots.parse(response.content.decode().splitlines())
    for path in DEMO_PUBLIC_PAGES:
        assert robots.can_fetch("*", path), path
    for path in (reverse("portal:backoffice"), "/admin/", "/gestion/appels/"):
        assert not robots.can_fetch("*", path), path
