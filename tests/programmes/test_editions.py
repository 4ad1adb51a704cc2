import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmi.core.audit import entries_for
from qmi.core.models import AuditEntry
from qmi.core.workflow import TransitionNotAllowed
from qmi.programmes import services
from qmi.programmes.models import Edition, Phase, Stage
from tests.factories import EditionFactory, PhaseFactory, ProgrammeFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_move_edition_advances_one_stage_and_audits(staff):
    edition = EditionFactory(stage=Stage.PREPARATION)
    services.move_edition(edition=edition, target=Stage.EXPRESSION_OF_INTEREST, by=staff)
    edition.refresh_from_db()
    assert edition.stage == Stage.EXPRESSION_OF_INTEREST
    entry = AuditEntry.objects.get(action="transition", object_id=str(edition.pk))
    assert entry.actor == staff
    assert entry.changes == {"stage": ["preparation", "expression_of_interest"]}


def test_move_edition_cannot_skip_a_stage(staff):
    edition = EditionFactory(stage=Stage.PREPARATION)
    with pytest.raises(TransitionNotAllowed):
        services.move_edition(edition=edition, target=Stage.FRAMING, by=staff)
    edition.refresh_from_db()
    assert edition.stage == Stage.PREPARATION
    assert not AuditEntry.objects.filter(action="transition").exists()


def test_move_edition_back_requires_a_reason(staff):
    edition = EditionFactory(stage=Stage.FRAMING)
    with pytest.raises(TransitionNotAllowed):
        services.move_edition(edition=edition, target=Stage.COMMUNE_SELECTION, by=staff)
    services.move_edition(
        edition=edition, target=Stage.COMMUNE_SELECTION, by=staff, note="Erreur de clic"
    )
    edition.refresh_from_db()
    assert edition.stage == Stage.COMMUNE_SELECTION
    assert AuditEntry.objects.get(action="transition").note == "Erreur de clic"


def test_move_edition_is_refused_to_people_outside_the_operator():
    edition = EditionFactory(stage=Stage.PREPARATION)
    with pytest.raises(PermissionDenied):
        services.move_edition(
            edition=edition, target=Stage.EXPRESSION_OF_INTEREST, by=UserFactory()
        )


def test_closed_edition_has_no_further_stage():
    assert Edition.workflow.find(Stage.CLOSED, Stage.PREPARATION) is None
    targets = [move.target for move in Edition.workflow.moves_from(Stage.CLOSED)]
    assert targets == [Stage.EVALUATION]


def test_edition_move_view_shows_refusal_and_keeps_state(staff_client):
    edition = EditionFactory(stage=Stage.FRAMING)
    response = staff_client.post(
        f"/gestion/editions/{edition.pk}/etape/",
        {"target": Stage.COMMUNE_SELECTION, "note": ""},
        follow=True,
    )
    assert "doit être motivé" in response.content.decode()
    edition.refresh_from_db()
    assert edition.stage == Stage.FRAMING


def test_phase_ending_before_it_starts_is_refused_next_to_the_field(staff_client):
    edition = EditionFactory()
    response = staff_client.post(
        f"/gestion/editions/{edition.pk}/phases/nouvelle/",
        {"kind": Stage.FRAMING, "starts_on": "2024-03-01", "ends_on": "2024-02-01"},
    )
    assert response.status_code == 200
    assert "ne peut pas se terminer avant de commencer" in response.content.decode()
    assert response.context["form"].errors["ends_on"]
    assert not Phase.objects.exists()


def test_overlapping_phases_are_refused_with_the_other_phase_named(staff_client):
    phase = PhaseFactory(
        kind=Stage.EXPRESSION_OF_INTEREST,
        starts_on=datetime.date(2023, 10, 23),
        ends_on=datetime.date(2024, 1, 12),
    )
    response = staff_client.post(
        f"/gestion/editions/{phase.edition.pk}/phases/nouvelle/",
        {"kind": Stage.COMMUNE_SELECTION, "starts_on": "2024-01-10", "ends_on": "2024-02-06"},
    )
    html = response.content.decode()
    assert "chevauchent la phase" in html
    assert "Appel à manifestation d&#x27;intérêt" in html
    assert Phase.objects.count() == 1


def test_phase_kind_appears_once_per_edition(staff_client):
    phase = PhaseFactory(kind=Stage.FRAMING)
    response = staff_client.post(
        f"/gestion/editions/{phase.edition.pk}/phases/nouvelle/",
        {"kind": Stage.FRAMING, "starts_on": "2025-01-01", "ends_on": "2025-02-01"},
    )
    assert "déjà une phase de ce type" in response.content.decode()
    assert Phase.objects.count() == 1


def test_phase_can_be_moved_without_overlapping_itself(staff_client):
    phase = PhaseFactory(
        kind=Stage.FRAMING, starts_on=datetime.date(2024, 2, 7), ends_on=datetime.date(2024, 5, 12)
    )
    response = staff_client.post(
        f"/gestion/editions/{phase.edition.pk}/phases/{phase.pk}/",
        {"kind": Stage.FRAMING, "starts_on": "2024-02-10", "ends_on": "2024-05-12"},
    )
    assert response.status_code == 302
    phase.refresh_from_db()
    assert phase.starts_on == datetime.date(2024, 2, 10)
    entry = entries_for(phase).get(action="updated")
    assert entry.changes == {"starts_on": ["2024-02-07", "2024-02-10"]}


def test_service_refuses_overlap_even_without_the_form(staff):
    phase = PhaseFactory(starts_on=datetime.date(2024, 1, 1), ends_on=datetime.date(2024, 3, 1))

    with pytest.raises(ValidationError):
        services.save_phase(
            edition=phase.edition,
            by=staff,
            kind=Stage.FRAMING,
            starts_on=datetime.date(2024, 2, 1),
            ends_on=datetime.date(2024, 4, 1),
            description="",
        )


def test_edition_create_and_edit_leave_audit_entries(staff_client, staff):
    programme = ProgrammeFactory()
    response = staff_client.post(
        "/gestion/editions/nouvelle/",
        {
            "programme": programme.pk,
            "number": 3,
            "title": "Troisième édition",
            "slug": "qmi-3",
            "is_public": "on",
        },
    )
    edition = Edition.objects.get(slug="qmi-3")
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="created", object_id=str(edition.pk)).exists()
    staff_client.post(
        f"/gestion/editions/{edition.pk}/modifier/",
        {
            "programme": programme.pk,
            "number": 3,
            "title": "QMI 3",
            "slug": "qmi-3",
            "is_public": "",
        },
    )
    entry = entries_for(edition).get(action="updated")
    assert entry.changes["title"] == ["Troisième édition", "QMI 3"]
    assert entry.changes["is_public"] == [True, False]
    assert entry.actor == staff
