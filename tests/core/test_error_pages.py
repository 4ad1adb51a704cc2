import subprocess
from pathlib import Path

import pytest
from django.test import Client

from tests.factories import UserFactory


@pytest.mark.django_db
def test_unknown_page_gets_a_french_404_with_a_way_back(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert 'href="/"' in html


@pytest.mark.django_db
def test_stale_form_gets_a_csrf_page_that_says_nothing_was_saved():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/langue/", {"language": "en"})
    assert response.status_code == 403
    assert "pas été enregistré" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/cette-page-n-existe-pas/", "/organisations/999999/"])
def test_with_debug_on_as_under_make_run_a_404_is_still_the_product_s_page(client, settings, path):
    """Django's technical 404 (English, every URL pattern listed) never reaches the demo."""
    settings.DEBUG = True
    client.force_login(UserFactory())
    response = client.get(path)
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page introuvable" in html
    assert "URLconf" not in html and "Using the URLconf" not in html


def test_make_run_points_links_at_its_own_port():
    """E-mails and notifications link to the server `make run` starts, whatever PORT is."""
    root = Path(__file__).resolve().parents[2]
    printed = subprocess.run(
        ["make", "-n", "run", "PORT=8123"], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    assert "QMI_SITE_URL=http://127.0.0.1:8123" in printed
    assert "runserver 127.0.0.1:8123" in printed
