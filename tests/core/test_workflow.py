"""The generic transition machinery, exercised on the edition table it serves today."""

import pytest
from django.core.exceptions import PermissionDenied

from qmi.core.models import AuditEntry
from qmi.core.workflow import Transition, TransitionNotAllowed, Workflow, transition
from qmi.programmes.models import Edition, Stage
from tests.factories import EditionFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_available_lists_only_the_moves_the_person_may_make(staff):
    edition = EditionFactory(stage=Stage.FRAMING)
    targets = {move.target for move in Edition.workflow.available(edition, staff)}
    assert targets == {Stage.CALL_FOR_PROJECTS, Stage.COMMUNE_SELECTION}
    assert Edition.workflow.available(edition, UserFactory()) == []


def test_transition_runs_the_after_commit_hook_once_committed(
    staff, django_capture_on_commit_callbacks
):
    edition = EditionFactory(stage=Stage.PREPARATION)
    seen = []
    with django_capture_on_commit_callbacks(execute=True):
        transition(
            edition,
            workflow=Edition.workflow,
            target=Stage.EXPRESSION_OF_INTEREST,
            by=staff,
            after_commit=lambda obj: seen.append(obj.stage),
        )
    # Once: the public pages' own hook (core.public_cache) is registered beside it.
    assert seen == [Stage.EXPRESSION_OF_INTEREST]


def test_transition_from_a_stale_copy_checks_the_stored_state(staff):
    edition = EditionFactory(stage=Stage.PREPARATION)
    stale = Edition.objects.get(pk=edition.pk)
    transition(edition, workflow=Edition.workflow, target=Stage.EXPRESSION_OF_INTEREST, by=staff)
    # The stale copy still says "preparation": the same move must not run twice.
    with pytest.raises(TransitionNotAllowed):
        transition(stale, workflow=Edition.workflow, target=Stage.EXPRESSION_OF_INTEREST, by=staff)
    assert AuditEntry.objects.filter(action="transition").count() == 1


def test_transition_checks_the_permission_of_the_move(staff):
    edition = EditionFactory(stage=Stage.PREPARATION)
    locked = Workflow(
        field="stage",
        transitions=[
            Transition(
                source=Stage.PREPARATION,
                target=Stage.EXPRESSION_OF_INTEREST,
                label="x",
                permission="accounts.list_organisations_nobody_has",
            )
        ],
    )
    with pytest.raises(PermissionDenied):
        transition(edition, workflow=locked, target=Stage.EXPRESSION_OF_INTEREST, by=staff)
    edition.refresh_from_db()
    assert edition.stage == Stage.PREPARATION
