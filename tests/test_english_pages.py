"""In English, no page shows a sentence of the interface in French.

The catalogue's French sentences (source strings whose English differs) are looked for
in every page the access sweep's world reaches, as staff and as the owning commune's
admin, with English chosen. A string built at import time, or left out of the
catalogue, shows up here as French in an English page.
"""

import html
import re

import pytest
from django.conf import settings

from qmi.calls.models import Application
from tests.test_access_sweep import ALL_ROUTES, World, url_for
from tests.test_i18n import CATALOGUES

pytestmark = pytest.mark.django_db


def french_sentences():
    """Catalogue entries long enough to be unambiguous, with no placeholder."""
    text = CATALOGUES[0].read_text(encoding="utf-8")
    found = set()
    for msgid, msgstr in re.findall(r'\nmsgid "(.+)"\nmsgstr "(.+)"\n', text):
        msgid = msgid.replace('\\"', '"')
        if len(msgid) >= 24 and msgid != msgstr and "%" not in msgid and "{" not in msgid:
            found.add(msgid)
    return found


def pages(world):
    """(person, URL) for every page of the world that answers 200 to GET."""
    for path, name, keywords in ALL_ROUTES:
        if path.startswith("admin/") or path.startswith("compte/"):
            continue
        user = world.staff if path.startswith("gestion/") else world.membership.user
        yield user, url_for(world, path, name, keywords)


@pytest.mark.parametrize("application_status", ["draft", "submitted"])
def test_no_french_sentence_in_english_pages(client, application_status):
    world = World()
    Application.objects.filter(pk=world.application.pk).update(status=application_status)
    sentences = french_sentences()
    assert len(sentences) > 300, "the catalogue was not read"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    seen, leaks = 0, []
    for user, url in pages(world):
        client.force_login(user)
        response = client.get(url)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        seen += 1
        # Content staff wrote in French and marked so (lang="fr") is not the interface.
        content = re.sub(
            r'<section[^>]* lang="fr">.*?</section>', "", response.content.decode(), flags=re.S
        )
        page = html.unescape(content)
        leaks += [f"{url}: « {sentence} »" for sentence in sentences if sentence in page]
    assert seen > 40, f"only {seen} pages read"
    assert not leaks, "French left in English pages:\n" + "\n".join(sorted(set(leaks)))
