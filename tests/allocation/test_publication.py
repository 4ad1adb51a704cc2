"""Publishing an allocation once, after the selection decisions; withdrawals and the waiting
list afterwards."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from qmi.allocation import letters
from qmi.allocation.models import AllocationCommune, PendingChange, Placement
from qmi.allocation.services import preferences, publication, runs
from qmi.core.models import AuditEntry
from qmi.mail.models import OutgoingEmail
from qmi.review.models import Decision
from qmi.review.services import publication as decisions_publication
from tests.utils import pdf_text

from .conftest import open_allocation

pytestmark = pytest.mark.django_db


@pytest.fixture
def staged(world):
    a = world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
    b = world.add_laureate(ranking=("Issy-les-Moulineaux", "Argenteuil"))
    c = world.add_laureate(ranking=("Sucy-en-Brie", "Argenteuil"))
    waiting = world.add_laureate(ranking=("Argenteuil",), outcome="waiting_list")
    world.add_laureate(ranking=("Issy-les-Moulineaux",), outcome="waiting_list")
    allocation = open_allocation(world, bounds=(1, 1))
    for name, apps in (
        ("Argenteuil", [a, b, c]),
        ("Issy-les-Moulineaux", [b]),
        ("Sucy-en-Brie", [c, a]),
    ):
        preferences.save_wishes(
            commune=allocation.communes.get(edition_commune=world.communes[name]),
            by=world.referents[name],
            ranks={app.pk: i + 1 for i, app in enumerate(apps)},
        )
    run = runs.start_run(allocation=allocation, by=world.staff)
    publication.stage_run(run=run, rationale="Le comité retient ce calcul.", by=world.staff)
    allocation.refresh_from_db()
    return allocation, (a, b, c), waiting


def test_it_is_prepared_before_the_decisions_but_not_published_before_them(world, staged):
    allocation, _apps, _waiting = staged
    assert publication.readiness(allocation) == [
        "Les décisions de sélection ne sont pas encore publiées : publiez-les d'abord, "
        "la répartition suit le même jour."
    ]
    with pytest.raises(ValidationError, match="pas encore publiées"):
        publication.publish_allocation(allocation=allocation, by=world.staff)
    assert not Placement.objects.exists()


def test_publishing_places_everyone_once_holds_the_letters_and_locks(world, staged):
    allocation, (a, b, c), _waiting = staged
    decisions_publication.publish_decisions(call=world.call, by=world.staff)
    publication.publish_allocation(allocation=allocation, by=world.staff)
    assert dict(
        Placement.objects.values_list(
            "application__reference", "commune__edition_commune__commune__name"
        )
    ) == {
        a.reference: "Argenteuil",
        b.reference: "Issy-les-Moulineaux",
        c.reference: "Sucy-en-Brie",
    }
    placement = Placement.objects.get(application=a)
    assert placement.letter_subject == "Votre projet expérimentera à Argenteuil"
    assert a.reference in placement.letter_body
    argenteuil = AllocationCommune.objects.get(
        allocation=allocation, edition_commune=world.communes["Argenteuil"]
    )
    assert a.reference in argenteuil.letter_body
    held = publication.held_letters(allocation)
    assert held.count() == 3 + 3  # a member per laureate, a referent per commune
    assert set(held.values_list("status", flat=True)) == {OutgoingEmail.Status.HELD}
    with pytest.raises(ValidationError, match="déjà publiée"):
        publication.publish_allocation(allocation=allocation, by=world.staff)
    with pytest.raises(ValidationError, match="ne change plus"):
        runs.start_run(allocation=allocation, by=world.staff)
    assert Placement.objects.count() == 3
    assert AuditEntry.objects.filter(action="allocation_published").count() == 1
    sent = publication.send_letters(allocation=allocation, by=world.staff)
    assert len(sent) == 6
    assert (
        pdf_text(
            letters.letter_pdf(
                subject=placement.letter_subject,
                body=placement.letter_body,
                recipient=a.organisation.name,
                reference=a.reference,
                call=world.call,
                published_at=placement.published_at,
            )
        ).count("Argenteuil")
        >= 1
    )


def test_a_withdrawal_offers_the_waiting_list_that_ranked_the_commune(world, staged):
    allocation, (a, _b, _c), waiting = staged
    decisions_publication.publish_decisions(call=world.call, by=world.staff)
    publication.publish_allocation(allocation=allocation, by=world.staff)
    placement = Placement.objects.get(application=a)
    with pytest.raises(ValidationError, match="raison"):
        publication.withdraw(placement=placement, by=world.staff, note="")
    publication.withdraw(
        placement=placement, by=world.staff, note="La startup a cessé son activité."
    )
    placement.refresh_from_db()
    assert placement.status == Placement.Status.WITHDRAWN
    argenteuil = placement.commune
    assert publication.waiting_candidates(argenteuil) == [waiting]
    rows = {str(row["commune"]): row for row in publication.communes_after_publication(allocation)}
    assert (rows["Argenteuil"]["count"], rows["Argenteuil"]["candidates"]) == (0, [waiting])
    assert rows["Sucy-en-Brie"]["count"] == 1
    change = publication.stage_change(
        allocation=allocation,
        application=waiting,
        commune=argenteuil,
        kind=PendingChange.Kind.PROMOTION,
        rationale="Premier de la liste d'attente à avoir cité Argenteuil.",
        by=world.staff,
    )
    new = publication.publish_change(change=change, by=world.staff)
    assert new.commune == argenteuil and new.status == Placement.Status.ACTIVE
    assert Decision.objects.get(application=waiting).outcome == Decision.Outcome.SELECTED
    with pytest.raises(ValidationError, match="déjà publié"):
        publication.publish_change(change=change, by=world.staff)
    # Nobody else moved.
    assert Placement.objects.filter(status=Placement.Status.ACTIVE).count() == 3


def test_a_move_after_publication_is_staged_then_published(world, staged):
    allocation, (a, _b, _c), _waiting = staged
    decisions_publication.publish_decisions(call=world.call, by=world.staff)
    publication.publish_allocation(allocation=allocation, by=world.staff)
    sucy = AllocationCommune.objects.get(
        allocation=allocation, edition_commune=world.communes["Sucy-en-Brie"]
    )
    with pytest.raises(ValidationError, match="Motivez"):
        publication.stage_change(
            allocation=allocation,
            application=a,
            commune=sucy,
            kind="move",
            rationale="",
            by=world.staff,
        )
    change = publication.stage_change(
        allocation=allocation,
        application=a,
        commune=sucy,
        kind="move",
        rationale="Site indisponible.",
        by=world.staff,
    )
    with pytest.raises(ValidationError, match="attend déjà"):
        publication.stage_change(
            allocation=allocation,
            application=a,
            commune=sucy,
            kind="move",
            rationale="Encore.",
            by=world.staff,
        )
    publication.publish_change(change=change, by=world.staff)
    assert list(
        Placement.objects.filter(application=a)
        .order_by("pk")
        .values_list("status", "commune__edition_commune__commune__name")
    ) == [("moved", "Argenteuil"), ("active", "Sucy-en-Brie")]


def test_the_letters_follow_the_allocations_own_templates(world, staged, client):
    allocation, (a, _b, _c), _waiting = staged
    with pytest.raises(ValidationError) as refused:
        publication.save_letter_template(
            allocation=allocation,
            recipient="laureate",
            subject="Votre commune",
            body="Bonjour [organisation], vous irez à [ville].",
            by=world.staff,
        )
    assert "Champ inconnu : [ville]." in str(refused.value)
    publication.save_letter_template(
        allocation=allocation,
        recipient="laureate",
        subject="[dossier] : votre commune",
        body="Bonjour [organisation], vous expérimenterez à [commune].",
        by=world.staff,
    )
    publication.save_letter_template(
        allocation=allocation,
        recipient="commune",
        subject="Vos [nombre] projets",
        body="[commune] accueille :\n[projets]",
        by=world.staff,
    )
    decisions_publication.publish_decisions(call=world.call, by=world.staff)
    publication.publish_allocation(allocation=allocation, by=world.staff)
    placement = Placement.objects.get(application=a)
    assert placement.letter_subject == f"{a.reference} : votre commune"
    assert (
        placement.letter_body == f"Bonjour {a.organisation.name}, vous expérimenterez à Argenteuil."
    )
    argenteuil = AllocationCommune.objects.get(
        allocation=allocation, edition_commune=world.communes["Argenteuil"]
    )
    assert argenteuil.letter_subject == "Vos 1 projets"
    assert (
        argenteuil.letter_body == f"Argenteuil accueille :\n– {a.reference} : {a.organisation.name}"
    )
    with pytest.raises(ValidationError, match="ne changent plus"):
        publication.save_letter_template(
            allocation=allocation, recipient="commune", subject="X", body="Y", by=world.staff
        )


def test_the_letters_page_keeps_what_was_typed_when_refused(world, staged, client):
    allocation, _apps, _waiting = staged
    client.force_login(world.staff)
    url = reverse("allocation:letters", kwargs={"pk": allocation.pk})
    page = client.get(url)
    assert page.status_code == 200 and "[projets]" in page.content.decode()
    refused = client.post(url, {"recipient": "commune", "subject": "", "body": "Texte [inconnu]"})
    assert refused.status_code == 422
    content = refused.content.decode()
    assert "Donnez un objet au courrier." in content and "Texte [inconnu]" in content
    assert not allocation.letter_templates.exists()
