import pytest
from django.test import Client


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
