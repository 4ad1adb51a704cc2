"""Staff build a phase's grid; jurors score on it: every bad input refused, nothing half-saved."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from qmi.core.models import AuditEntry
from qmi.review.models import Criterion, Phase, Review
from qmi.review.services import grid, scores
from tests.factories import (
    ApplicationFactory,
    CriterionFactory,
    ReviewPhaseFactory,
    UserFactory,
    review_of,
    staff_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase():
    return ReviewPhaseFactory()


def test_staff_add_a_criterion_with_its_scale_and_level_labels(phase):
    staff = staff_user()
    criterion = grid.save_criterion(
        phase=phase,
        by=staff,
        label="Pertinence du défi",
        weight="1,5",
        scale_min="0",
        scale_max="5",
        level_labels={"0": "Absent", "5": "Excellent", "3": ""},
        required=True,
    )
    assert criterion.weight == Decimal("1.50")
    assert criterion.level_labels == {"0": "Absent", "5": "Excellent"}
    assert criterion.levels()[0] == (0, "Absent")
    assert AuditEntry.objects.filter(action="criterion_added", object_id=str(phase.pk)).exists()


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"label": ""}, "label", "Donnez un intitulé"),
        ({"label": "x", "weight": "beaucoup"}, "weight", "Le poids est un nombre"),
        ({"label": "x", "weight": "-1"}, "weight", "entre 0 et 100"),
        ({"label": "x", "weight": "NaN"}, "weight", "Le poids est un nombre"),
        ({"label": "x", "scale_min": "5", "scale_max": "5"}, "scale_max", "doit dépasser"),
        ({"label": "x", "scale_min": "0", "scale_max": "100"}, "scale_max", "au plus 21 niveaux"),
        ({"label": "x", "scale_max": "cinq"}, "scale_max", "nombre entier"),
        ({"label": "x", "level_labels": {"9": "Trop"}}, "scale_max", "pas sur l'échelle"),
    ],
)
def test_a_bad_criterion_is_refused_with_its_reason(phase, values, field, message):
    with pytest.raises(ValidationError) as error:
        grid.save_criterion(phase=phase, by=staff_user(), **values)
    assert message in " ".join(error.value.message_dict[field])
    assert not Criterion.objects.filter(phase=phase).exists()


def test_a_grid_where_nothing_counts_is_refused(phase):
    staff = staff_user()
    only = grid.save_criterion(phase=phase, by=staff, label="Impact", weight="2")
    with pytest.raises(ValidationError) as error:
        grid.save_criterion(phase=phase, by=staff, criterion=only, label="Impact", weight="0")
    assert "Au moins un critère doit compter" in error.value.messages[0]
    only.refresh_from_db()
    assert only.weight == Decimal("2.00")  # nothing half-saved


def test_only_operator_staff_build_grids(phase):
    with pytest.raises(PermissionDenied):
        grid.save_criterion(phase=phase, by=UserFactory(), label="Impact")


def test_a_grid_is_frozen_once_reviews_started(phase):
    criterion = CriterionFactory(phase=phase)
    review_of(phase, ApplicationFactory(call=phase.call))
    with pytest.raises(ValidationError):
        grid.save_criterion(phase=phase, by=staff_user(), criterion=criterion, label="Autre")
    with pytest.raises(ValidationError):
        grid.remove_criterion(criterion=criterion, by=staff_user())


@pytest.fixture
def review(phase):
    CriterionFactory(phase=phase, label="Pertinence", weight=2, scale_max=5)
    CriterionFactory(phase=phase, label="Équipe", weight=1, scale_max=10, required=False)
    return review_of(phase, ApplicationFactory(call=phase.call))


def posted(review, *values):
    criteria = list(review.assignment.phase.criteria.order_by("order"))
    return {str(c.pk): {"value": v, "comment": ""} for c, v in zip(criteria, values, strict=False)}


def test_a_juror_saves_a_draft_and_submits_with_the_total_on_twenty(review):
    juror = review.assignment.juror.user
    scores.save_review(review=review, by=juror, scores=posted(review, "4", "na"), comment=" Bien ")
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT
    assert review.comment == "Bien"
    assert review.total == Decimal("16.00")  # "not applicable" left out: 20 × 4/5
    scores.submit_review(review=review, by=juror)
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED
    assert review.submitted_at is not None
    with pytest.raises(ValidationError):
        scores.save_review(review=review, by=juror, scores=posted(review, "1"))


def test_a_score_off_the_scale_is_refused_and_nothing_is_saved(review):
    juror = review.assignment.juror.user
    with pytest.raises(ValidationError) as error:
        scores.save_review(review=review, by=juror, scores=posted(review, "4", "11"))
    assert "se note de 0 à 10" in " ".join(error.value.messages)
    assert not review.scores.exists()
    with pytest.raises(ValidationError):
        scores.save_review(review=review, by=juror, scores=posted(review, "quatre"))


def test_a_required_criterion_left_blank_blocks_submission(review):
    juror = review.assignment.juror.user
    scores.save_review(review=review, by=juror, scores=posted(review, "", "7"))
    with pytest.raises(ValidationError) as error:
        scores.submit_review(review=review, by=juror)
    assert "Pertinence" in error.value.messages[0]
    review.refresh_from_db()
    assert review.status == Review.Status.DRAFT


def test_nobody_but_the_assigned_juror_scores(review):
    for intruder in (UserFactory(), staff_user()):
        with pytest.raises(PermissionDenied):
            scores.save_review(review=review, by=intruder, scores=posted(review, "3"))


def test_a_closed_phase_locks_its_reviews(review):
    Phase.objects.filter(pk=review.assignment.phase_id).update(status=Phase.Status.CLOSED)
    with pytest.raises(ValidationError) as error:
        scores.save_review(
            review=review, by=review.assignment.juror.user, scores=posted(review, "3")
        )
    assert "n'est pas ouverte" in error.value.messages[0]
