"""The experiment's transition table: every move it allows, every one it refuses, its notes."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmi.core.audit import entries_for
from qmi.experiments.models import Experiment, ExperimentEvent, Status
from qmi.experiments.services import change_status, open_experiment
from tests.factories import metropolis_user
from tests.utils import member_of

pytestmark = pytest.mark.django_db

# The issue's table: framing → preparation → running ⇄ paused → finished; stopped from the
# three states under way; withdrawn from framing and those three.
EXPECTED = {
    (Status.FRAMING, Status.PREPARATION),
    (Status.PREPARATION, Status.RUNNING),
    (Status.RUNNING, Status.PAUSED),
    (Status.PAUSED, Status.RUNNING),
    (Status.RUNNING, Status.FINISHED),
    (Status.PAUSED, Status.FINISHED),
    (Status.PREPARATION, Status.STOPPED),
    (Status.RUNNING, Status.STOPPED),
    (Status.PAUSED, Status.STOPPED),
    (Status.FRAMING, Status.WITHDRAWN),
    (Status.PREPARATION, Status.WITHDRAWN),
    (Status.RUNNING, Status.WITHDRAWN),
    (Status.PAUSED, Status.WITHDRAWN),
}
REFUSED = sorted(set(itertools.product(Status.values, Status.values)) - EXPECTED)


@pytest.fixture
def experiment(programme, staff):
    return open_experiment(placement=programme.place(), by=staff)


def in_state(experiment, status):
    Experiment.objects.filter(pk=experiment.pk).update(status=status)
    experiment.refresh_from_db()
    return experiment


def test_the_table_is_the_issue_s():
    table = {(move.source, move.target) for move in Experiment.workflow.transitions}
    assert table == EXPECTED
    required = {
        (move.source, move.target) for move in Experiment.workflow.transitions if move.note_required
    }
    assert required == {pair for pair in EXPECTED if pair[1] in (Status.STOPPED, Status.WITHDRAWN)}
    assert {move.permission for move in Experiment.workflow.transitions} == {
        "experiments.manage_experiment"
    }


@pytest.mark.parametrize(("source", "target"), sorted(EXPECTED))
def test_every_allowed_move_changes_the_state_with_its_history_and_audit(
    experiment, staff, source, target
):
    in_state(experiment, source)
    moved = change_status(experiment=experiment, target=target, by=staff, note="Décidé en COTECH")
    assert moved.status == target
    experiment.refresh_from_db()
    assert experiment.status == target
    event = experiment.events.get(kind=ExperimentEvent.Kind.STATUS_CHANGED)
    assert (event.from_status, event.to_status, event.note, event.by) == (
        source,
        target,
        "Décidé en COTECH",
        staff,
    )
    entry = entries_for(experiment).get(action="transition")
    assert entry.changes == {"status": [source, target]}
    assert entry.actor == staff


@pytest.mark.parametrize(("source", "target"), REFUSED)
def test_a_move_outside_the_table_is_refused_and_changes_nothing(experiment, staff, source, target):
    in_state(experiment, source)
    with pytest.raises(ValidationError, match="pas possible"):
        change_status(experiment=experiment, target=target, by=staff, note="Essai")
    experiment.refresh_from_db()
    assert experiment.status == source
    assert not experiment.events.filter(kind=ExperimentEvent.Kind.STATUS_CHANGED).exists()


@pytest.mark.parametrize(
    ("source", "target"),
    [(Status.RUNNING, Status.STOPPED), (Status.FRAMING, Status.WITHDRAWN)],
)
@pytest.mark.parametrize("note", ["", "   "])
def test_stopping_and_withdrawing_need_a_note(experiment, staff, source, target, note):
    in_state(experiment, source)
    with pytest.raises(ValidationError, match="motivé"):
        change_status(experiment=experiment, target=target, by=staff, note=note)
    experiment.refresh_from_db()
    assert experiment.status == source


def test_only_the_operator_moves_an_experiment(experiment):
    for person in (member_of(experiment.organisation), metropolis_user()):
        with pytest.raises(PermissionDenied):
            change_status(experiment=experiment, target=Status.PREPARATION, by=person)
    experiment.refresh_from_db()
    assert experiment.status == Status.FRAMING


def test_the_moves_offered_follow_the_state_and_the_person(experiment, staff):
    offered = {move.target for move in Experiment.workflow.available(experiment, staff)}
    assert offered == {Status.PREPARATION, Status.WITHDRAWN}
    in_state(experiment, Status.RUNNING)
    offered = {move.target for move in Experiment.workflow.available(experiment, staff)}
    assert offered == {Status.PAUSED, Status.FINISHED, Status.STOPPED, Status.WITHDRAWN}
    assert Experiment.workflow.available(experiment, member_of(experiment.organisation)) == []
