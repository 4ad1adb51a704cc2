"""Decisions staged with their rationale, staff only, before any publication."""

import html

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application
from qmi.core.models import AuditEntry
from qmi.review.models import Decision
from qmi.review.services import decisions
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    JurorFactory,
    UserFactory,
    metropolis_user,
    staff_user,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def complete_file(call, **fields):
    return ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now(), **fields
    )


def test_staff_stage_a_decision_and_change_it_with_its_trail():
    application = complete_file(CallFactory())
    staff = staff_user()
    decisions.stage_decision(
        application=application,
        outcome="waiting_list",
        rationale="Bon projet, budget flou.",
        by=staff,
    )
    decisions.stage_decision(
        application=application, outcome="selected", rationale="Budget précisé.", by=staff
    )
    decision = Decision.objects.get(application=application)
    assert (decision.outcome, decision.rationale, decision.published_at) == (
        "selected",
        "Budget précisé.",
        None,
    )
    trail = AuditEntry.objects.filter(action="decision_staged", object_id=str(application.pk))
    assert trail.count() == 2


@pytest.mark.parametrize(
    ("outcome", "rationale", "field", "message"),
    [
        ("selected", "  ", "rationale", "Motivez la décision"),
        ("laureat", "Très bien.", "outcome", "Choisissez une décision."),
        ("selected", "x" * 5001, "rationale", "5 000 caractères au plus"),
    ],
)
def test_a_decision_without_rationale_or_outcome_is_refused(outcome, rationale, field, message):
    application = complete_file(CallFactory())
    with pytest.raises(ValidationError) as error:
        decisions.stage_decision(
            application=application, outcome=outcome, rationale=rationale, by=staff_user()
        )
    assert message in " ".join(error.value.message_dict[field])
    assert not Decision.objects.exists()


def test_only_complete_files_and_only_programme_staff():
    submitted = ApplicationFactory(status=Application.Status.SUBMITTED, submitted_at=timezone.now())
    with pytest.raises(ValidationError):
        decisions.stage_decision(
            application=submitted, outcome="selected", rationale="Oui.", by=staff_user()
        )
    application = complete_file(CallFactory())
    for outsider in (UserFactory(), JurorFactory(call=application.call).user):
        with pytest.raises(PermissionDenied):
            decisions.stage_decision(
                application=application, outcome="selected", rationale="Oui.", by=outsider
            )
    decisions.stage_decision(
        application=application, outcome="selected", rationale="Oui.", by=metropolis_user()
    )
    assert Decision.objects.get().outcome == "selected"


def test_a_published_decision_no_longer_changes():
    application = complete_file(CallFactory())
    staff = staff_user()
    decisions.stage_decision(
        application=application, outcome="selected", rationale="Oui.", by=staff
    )
    Decision.objects.update(published_at=timezone.now())
    with pytest.raises(ValidationError) as error:
        decisions.stage_decision(
            application=application, outcome="not_selected", rationale="Non.", by=staff
        )
    assert "publiée" in error.value.messages[0]
    assert Decision.objects.get().outcome == "selected"


def test_the_decisions_page_keeps_what_was_typed_on_a_refusal(staff_client):
    call = CallFactory()
    application = complete_file(call)
    url = reverse("review:decisions", args=[call.pk])
    refused = staff_client.post(
        url, {"file": application.pk, "outcome": "selected", "rationale": ""}
    )
    assert refused.status_code == 422
    page = html.unescape(refused.content.decode())
    assert "Motivez la décision" in page
    assert 'value="selected" checked' in page
    done = staff_client.post(
        url, {"file": application.pk, "outcome": "selected", "rationale": "Solide."}, follow=True
    )
    page = html.unescape(done.content.decode())
    assert f"Décision préparée pour {application.reference}." in page
    assert "Retenu : 1" in page and "Sans décision : 0" in page


def test_the_decisions_page_is_staff_only_and_its_query_count_does_not_grow(client, staff_client):
    call = CallFactory()
    complete_file(call)
    url = reverse("review:decisions", args=[call.pk])

    def grow():
        staff = staff_user()
        for _ in range(19):
            decisions.stage_decision(
                application=complete_file(call), outcome="selected", rationale="Oui.", by=staff
            )

    result = assert_constant_queries(staff_client, url, grow=grow)
    assert html.unescape(result.content.decode()).count("Enregistrer la décision") == 20
    applicant = UserFactory()
    client.force_login(applicant)
    assert client.get(url).status_code == 404
