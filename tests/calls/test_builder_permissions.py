"""Only operator staff reach the builder; every builder action leaves an audit entry on the call."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from qmi.accounts.models import Organisation
from qmi.calls.models import Question
from qmi.core.audit import entries_for
from tests.factories import (
    CallFactory,
    EditionFactory,
    MembershipFactory,
    UserFactory,
    add_question,
)
from tests.utils import pdf_bytes

pytestmark = pytest.mark.django_db


def urls(call, section, question):
    base = f"/gestion/appels/{call.pk}/formulaire/"
    return [
        ("get", base),
        ("get", base + "apercu/"),
        ("post", base + "publier/"),
        ("post", base + "abandonner/"),
        ("get", base + "revisions/"),
        ("get", base + "sections/nouvelle/"),
        ("post", base + "sections/nouvelle/"),
        ("get", base + f"sections/{section.pk}/"),
        ("post", base + f"sections/{section.pk}/supprimer/"),
        ("post", base + f"sections/{section.pk}/deplacer/"),
        ("get", base + f"sections/{section.pk}/questions/nouvelle/"),
        ("get", base + f"questions/{question.pk}/"),
        ("post", base + f"questions/{question.pk}/"),
        ("post", base + f"questions/{question.pk}/supprimer/"),
        ("post", base + f"questions/{question.pk}/deplacer/"),
        ("post", base + f"questions/{question.pk}/modele/"),
        ("get", base + f"questions/{question.pk}/modele/telecharger/"),
        ("get", f"/gestion/appels/{call.pk}/dupliquer/"),
        ("post", f"/gestion/appels/{call.pk}/dupliquer/"),
    ]


@pytest.mark.parametrize(
    "kind", [Organisation.Kind.COMMUNE, Organisation.Kind.EXPERIMENTER, Organisation.Kind.PARTNER]
)
def test_builder_urls_are_404_for_non_staff(client, kind):
    call = CallFactory()
    question = add_question(call, "a", Question.Kind.DOCUMENT)
    member = UserFactory()
    MembershipFactory(user=member, organisation__kind=kind)
    client.force_login(member)
    for method, url in urls(call, question.section, question):
        response = getattr(client, method)(url, {"title": "x", "direction": "up"})
        assert response.status_code == 404, url
    assert call.revisions.count() == 1
    assert not entries_for(call).exists()


def test_builder_urls_send_anonymous_to_login(client):
    call = CallFactory()
    question = add_question(call, "a", Question.Kind.DOCUMENT)
    for method, url in urls(call, question.section, question):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/compte/login/"), url
    assert call.revisions.count() == 1


def test_builder_urls_are_404_for_a_question_of_another_call(staff_client):
    call = CallFactory()
    other = CallFactory()
    question = add_question(other, "a")
    response = staff_client.get(f"/gestion/appels/{call.pk}/formulaire/questions/{question.pk}/")
    assert response.status_code == 404
    response = staff_client.post(
        f"/gestion/appels/{call.pk}/formulaire/sections/{question.section.pk}/supprimer/"
    )
    assert response.status_code == 404
    assert question.section.revision.sections.exists()


def test_every_builder_action_leaves_an_audit_entry(staff_client, staff):
    call = CallFactory()
    base = f"/gestion/appels/{call.pk}/formulaire/"
    staff_client.post(base + "sections/nouvelle/", {"title": "Un"})
    staff_client.post(base + "sections/nouvelle/", {"title": "Deux"})
    one, two = call.revisions.get(published_at__isnull=True).sections.order_by("order")
    staff_client.post(base + f"sections/{one.pk}/", {"title": "Un bis"})
    staff_client.post(base + f"sections/{two.pk}/deplacer/", {"direction": "up"})
    staff_client.post(
        base + f"sections/{one.pk}/questions/nouvelle/",
        {"kind": "document", "key": "lettre", "label": "Lettre", "accepted": ["pdf"]},
    )
    staff_client.post(
        base + f"sections/{one.pk}/questions/nouvelle/", {"kind": "short_text", "label": "Nom"}
    )
    lettre = Question.objects.get(section=one, key="lettre")
    nom = Question.objects.get(section=one, key="nom")
    staff_client.post(
        base + f"questions/{nom.pk}/", {"kind": "short_text", "key": "nom", "label": "Nom complet"}
    )
    staff_client.post(base + f"questions/{nom.pk}/deplacer/", {"direction": "up"})
    staff_client.post(
        base + f"questions/{lettre.pk}/modele/",
        {"template": SimpleUploadedFile("m.pdf", pdf_bytes())},
    )
    staff_client.post(base + f"questions/{lettre.pk}/modele/", {"remove": "1"})
    staff_client.post(base + f"questions/{lettre.pk}/supprimer/")
    staff_client.post(base + f"sections/{two.pk}/supprimer/")
    staff_client.post(base + "publier/")
    staff_client.post(
        f"/gestion/appels/{call.pk}/dupliquer/",
        {
            "edition": EditionFactory().pk,
            "title": "Copie",
            "slug": "copie",
            "opens_at": "2030-01-01T00:00",
            "closes_at": "2030-02-01T00:00",
            "reference_prefix": "CP1",
        },
    )
    actions = list(entries_for(call).order_by("pk").values_list("action", flat=True))
    assert actions == [
        "form_section_added",
        "form_section_added",
        "form_section_updated",
        "form_section_moved",
        "form_question_added",
        "form_question_added",
        "form_question_updated",
        "form_question_moved",
        "form_template_uploaded",
        "form_template_removed",
        "form_question_deleted",
        "form_section_deleted",
        "form_published",
        "duplicated",
    ]
    assert all(entry.actor == staff for entry in entries_for(call))
    updated = entries_for(call).get(action="form_question_updated")
    assert updated.changes == {"label": ["Nom", "Nom complet"]}
