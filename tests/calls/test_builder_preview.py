"""The preview shows the editable revision as an applicant would see it, inputs disabled."""

import pytest

from qmi.calls.models import Question
from tests.factories import CallFactory, CommuneFactory, EditionCommuneFactory, add_question

pytestmark = pytest.mark.django_db

CONFIG = {
    "short_text": {"max_length": 120},
    "long_text": {"max_chars": 3000},
    "single_choice": {"choices": ["Prototype", "Produit fini"]},
    "multiple_choice": {"choices": ["Climat", "Sport en ville"]},
    "number": {"min": 0, "max": 50, "unit": "personnes"},
    "document": {"accepted": ["pdf", "text"], "max_size_mb": 7, "multiple": True},
    "commune_ranking": {"max_ranked": 2},
}


def test_preview_renders_every_kind_disabled(staff_client):
    call = CallFactory()
    EditionCommuneFactory(edition=call.edition, commune=CommuneFactory(name="Aubervilliers"))
    for kind in Question.Kind.values:
        add_question(
            call,
            kind.replace("_", "-"),
            kind,
            label=f"Question {kind}",
            config=CONFIG.get(kind, {}),
        )
    response = staff_client.get(f"/gestion/appels/{call.pk}/formulaire/apercu/")
    body = response.content.decode()
    assert response.status_code == 200
    for kind in Question.Kind.values:
        assert f"Question {kind}" in body
        assert f'data-kind="{kind}"' in body
    for text in [
        "Prototype",
        "Sport en ville",
        "personnes",
        "3000 caractères au maximum",
        "PDF, document Word ou OpenDocument",
        "7 Mo au plus",
        "Choix n° 2",
        "Aubervilliers",
        'type="date"',
        'type="email"',
        'type="url"',
        'type="tel"',
        'type="file"',
    ]:
        assert text in body, text
    assert body.count(" disabled") >= len(Question.Kind.values)
    assert (
        "<input" in body
        and 'name="csrfmiddlewaretoken"' not in body.split('class="builder-preview"')[1]
    )


def test_preview_shows_the_unpublished_draft(staff_client):
    call = CallFactory()
    question = add_question(call, "name")
    staff_client.post(
        f"/gestion/appels/{call.pk}/formulaire/questions/{question.pk}/",
        {"kind": "short_text", "key": "name", "label": "Libellé en cours de rédaction"},
    )
    body = staff_client.get(f"/gestion/appels/{call.pk}/formulaire/apercu/").content.decode()
    assert "Libellé en cours de rédaction" in body
    assert "pas encore publiée" in body
