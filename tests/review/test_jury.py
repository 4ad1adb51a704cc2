"""A call's jury: exclusions no assignment can break, exact assignment, conflicts mid-phase."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from qmi.calls.models import Application, Call, Question
from qmi.review import queries
from qmi.review.models import Assignment, Conflict, Juror, Review
from qmi.review.services import jury
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    EditionCommuneFactory,
    JurorFactory,
    MembershipFactory,
    OrganisationFactory,
    ReviewPhaseFactory,
    UserFactory,
    add_question,
    staff_user,
)

pytestmark = pytest.mark.django_db
COMPLETE = Application.Status.COMPLETE


@pytest.fixture
def call():
    call = CallFactory(kind=Call.Kind.PROJECTS)
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    return call


@pytest.fixture
def staff():
    return staff_user()


def complete_file(call, **fields):
    return ApplicationFactory(call=call, status=COMPLETE, submitted_at=timezone.now(), **fields)


def complete(call, count, **fields):
    return [complete_file(call, **fields) for _ in range(count)]


def pairs(phase):
    return set(Assignment.objects.filter(phase=phase).values_list("juror_id", "application_id"))


def test_each_file_gets_its_reviews_within_every_jurors_load(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=2)
    files = complete(call, 4)
    jurors = [JurorFactory(call=call, capacity=3) for _ in range(3)]
    outcome = jury.assign_automatically(phase=phase, by=staff)
    assert outcome.result.status == "optimal"
    assert outcome.shortfall == ""
    assigned = pairs(phase)
    assert len(assigned) == 8
    for application in files:
        assert sum(1 for _j, a in assigned if a == application.pk) == 2
    for juror in jurors:
        assert sum(1 for j, _a in assigned if j == juror.pk) <= 3
    assert "8 attributions ajoutées." in outcome.message


def test_a_commune_agent_reads_the_files_that_ranked_their_commune(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    argenteuil = EditionCommuneFactory(edition=call.edition, commune__name="Argenteuil")
    ranked = complete_file(call, answers={"communes": [str(argenteuil.pk)]})
    other = complete_file(call)
    agent = JurorFactory(call=call, kind=Juror.Kind.COMMUNE, capacity=1)
    agent.communes.add(argenteuil)
    JurorFactory(call=call, capacity=1)
    jury.assign_automatically(phase=phase, by=staff)
    mine = Assignment.objects.get(phase=phase, juror=agent)
    assert mine.application == ranked
    assert mine.explanation == {"communes": ["Argenteuil"], "themes": [], "load": 1, "capacity": 1}
    assert Assignment.objects.get(phase=phase, application=other).juror != agent


def test_a_commune_agent_with_room_still_reads_only_the_files_of_their_commune(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    argenteuil = EditionCommuneFactory(edition=call.edition, commune__name="Argenteuil")
    ranked = complete_file(call, answers={"communes": [str(argenteuil.pk)]})
    others = complete(call, 2)
    agent = JurorFactory(call=call, kind=Juror.Kind.COMMUNE, capacity=5)
    agent.communes.add(argenteuil)
    JurorFactory(call=call, capacity=1)
    outcome = jury.assign_automatically(phase=phase, by=staff)
    assert set(Assignment.objects.filter(juror=agent).values_list("application_id", flat=True)) == {
        ranked.pk
    }
    # One of the two other files cannot be read by anyone: said, and named.
    left = [a for a in others if not Assignment.objects.filter(application=a).exists()]
    assert len(left) == 1
    assert left[0].reference in outcome.shortfall


def test_a_juror_never_gets_a_file_of_their_own_organisation_or_a_linked_one(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    own, linked = OrganisationFactory(), OrganisationFactory()
    juror = JurorFactory(call=call, capacity=5)
    MembershipFactory(user=juror.user, organisation=own)
    jury.record_known_link(
        user=juror.user, organisation=linked, reason="Lettre de soutien", by=staff
    )
    mine = complete_file(call, organisation=own)
    theirs = complete_file(call, organisation=linked)
    free = complete_file(call)
    JurorFactory(call=call, capacity=5)
    jury.assign_automatically(phase=phase, by=staff)
    assert set(Assignment.objects.filter(juror=juror).values_list("application_id", flat=True)) <= {
        free.pk
    }
    assert {(juror.pk, mine.pk), (juror.pk, theirs.pk)} <= queries.excluded_pairs(call)


def test_a_link_recorded_mid_phase_takes_the_file_away_unless_reviewed(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    [application] = complete(call, 1)
    juror = JurorFactory(call=call)
    jury.assign_automatically(phase=phase, by=staff)
    assert pairs(phase) == {(juror.pk, application.pk)}
    jury.record_known_link(
        user=juror.user, organisation=application.organisation, reason="Ancien employeur", by=staff
    )
    assert pairs(phase) == set()


def test_too_few_places_are_named_with_the_files_left_short(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    complete(call, 12)
    JurorFactory(call=call, capacity=5)
    JurorFactory(call=call, capacity=5)
    outcome = jury.assign_automatically(phase=phase, by=staff)
    assert outcome.result.status == "short"
    assert len(pairs(phase)) == 10
    assert outcome.shortfall.startswith(
        "12 dossiers à lire 1 fois pour 2 jurés qui peuvent en lire 5 chacun : il manque 2 lectures."
    )
    assert outcome.shortfall.count("(0 sur 1)") == 2


def test_a_declared_conflict_reassigns_the_file_and_moves_nothing_else(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    complete(call, 4)
    jurors = [JurorFactory(call=call, capacity=4) for _ in range(2)]
    jury.assign_automatically(phase=phase, by=staff)
    before = pairs(phase)
    assignment = Assignment.objects.filter(phase=phase, juror=jurors[0]).first()
    others = before - {(assignment.juror_id, assignment.application_id)}
    outcome = jury.declare_conflict(
        assignment=assignment, by=jurors[0].user, reason="Mon ancien associé"
    )
    after = pairs(phase)
    assert others <= after  # every other assignment kept
    assert (jurors[0].pk, assignment.application_id) not in after
    assert (jurors[1].pk, assignment.application_id) in after  # refilled by the other juror
    assert Conflict.objects.filter(
        juror=jurors[0], application_id=assignment.application_id
    ).exists()
    assert [a.application_id for a in outcome.added] == [assignment.application_id]


def test_a_conflict_needs_a_reason_and_the_jurors_own_file(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    complete(call, 1)
    juror = JurorFactory(call=call)
    jury.assign_automatically(phase=phase, by=staff)
    assignment = Assignment.objects.get(phase=phase)
    with pytest.raises(ValidationError):
        jury.declare_conflict(assignment=assignment, by=juror.user, reason="  ")
    with pytest.raises(ValidationError):
        jury.declare_conflict(assignment=assignment, by=UserFactory(), reason="Moi aussi")
    assert assignment.review.status == Review.Status.DRAFT  # made with the assignment
    Review.objects.filter(assignment=assignment).update(status=Review.Status.SUBMITTED)
    with pytest.raises(ValidationError) as error:
        jury.declare_conflict(assignment=assignment, by=juror.user, reason="Trop tard")
    assert "écrivez à l'équipe" in error.value.messages[0]
    assert not Conflict.objects.exists()


def test_a_withdrawn_juror_keeps_submitted_reviews_and_hands_over_the_rest(call, staff):
    phase = ReviewPhaseFactory(call=call, reviews_per_application=1)
    first, second, *_rest = complete(call, 4)
    leaving = JurorFactory(call=call, capacity=2)
    staying = JurorFactory(call=call, capacity=4)
    done, _pending = (
        Assignment.objects.create(phase=phase, juror=leaving, application=a, source="manual")
        for a in (first, second)
    )
    jury.assign_automatically(phase=phase, by=staff)  # the two others go to `staying`
    Review.objects.update_or_create(assignment=done, defaults={"status": Review.Status.SUBMITTED})
    jury.withdraw_juror(juror=leaving, by=staff)
    after = pairs(phase)
    assert (leaving.pk, first.pk) in after  # a submitted review never moves
    assert (leaving.pk, second.pk) not in after
    assert (staying.pk, second.pk) in after
    assert len(after) == 4


def test_only_operator_staff_run_the_assignment(call):
    phase = ReviewPhaseFactory(call=call)
    complete(call, 1)
    JurorFactory(call=call)
    with pytest.raises(PermissionDenied):
        jury.assign_automatically(phase=phase, by=UserFactory())
    assert not Assignment.objects.exists()


def test_nothing_to_assign_is_said_plainly(call, staff):
    phase = ReviewPhaseFactory(call=call)
    JurorFactory(call=call)
    with pytest.raises(ValidationError) as error:
        jury.assign_automatically(phase=phase, by=staff)
    assert "Aucun dossier complet" in error.value.messages[0]


@pytest.mark.parametrize("capacity", [0, "501", "beaucoup", None])
def test_a_juror_reads_between_1_and_500_files(call, staff, capacity):
    with pytest.raises(ValidationError) as error:
        jury.add_juror(call=call, user=UserFactory(), kind="expert", capacity=capacity, by=staff)
    assert "entre 1 et 500" in error.value.messages[0]
    assert not Juror.objects.exists()
