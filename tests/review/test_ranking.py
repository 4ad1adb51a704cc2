"""The ranking table: figures from submitted reviews only, filters, exports, constant queries."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from qmi.calls.models import Application, Call, Question
from qmi.review.models import Review, Score
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    CriterionFactory,
    EditionCommuneFactory,
    JurorFactory,
    ReviewPhaseFactory,
    add_question,
    review_of,
)
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


@pytest.fixture
def phase():
    call = CallFactory(kind=Call.Kind.PROJECTS)
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    phase = ReviewPhaseFactory(call=call)
    CriterionFactory(phase=phase, label="Impact", scale_max=5)
    return phase


def scored(phase, application, value, juror=None, status=Review.Status.SUBMITTED):
    """A review of `application` scoring `value` on the grid's single criterion."""
    review = review_of(phase, application, juror)
    Score.objects.create(review=review, criterion=phase.criteria.get(), value=value)
    total = Decimal(20 * value) / 5
    Review.objects.filter(pk=review.pk).update(status=status, total=total)
    return review


def complete_file(call, **fields):
    return ApplicationFactory(
        call=call, status=Application.Status.COMPLETE, submitted_at=timezone.now(), **fields
    )


def test_files_are_ranked_by_the_mean_of_submitted_reviews(staff_client, phase):
    low, high = complete_file(phase.call), complete_file(phase.call)
    scored(phase, low, 2)
    scored(phase, low, 3)
    scored(phase, high, 5)
    scored(phase, high, 4)
    scored(phase, high, 0, status=Review.Status.DRAFT)  # a draft never counts
    page = staff_client.get(reverse("review:ranking", args=[phase.call.pk])).content.decode()
    assert page.index(high.reference) < page.index(low.reference)
    assert "18,00" in page  # (20 + 16) / 2
    assert "10,00" in page  # (8 + 12) / 2
    assert "2 dossiers évalués" in page


def test_a_wide_spread_is_flagged_and_can_be_filtered(staff_client, phase):
    split, agreed = complete_file(phase.call), complete_file(phase.call)
    scored(phase, split, 0)
    scored(phase, split, 5)
    scored(phase, agreed, 3)
    scored(phase, agreed, 3)
    url = reverse("review:ranking", args=[phase.call.pk])
    page = staff_client.get(url, {"desaccord": "1"}).content.decode()
    assert split.reference in page and agreed.reference not in page
    assert "écart de 20,0 points" in page


def test_the_corrected_column_follows_each_jurors_severity(staff_client, phase):
    """A severe juror's best file outranks a lenient juror's worst once corrected."""
    severe, lenient = JurorFactory(call=phase.call), JurorFactory(call=phase.call)
    severe_low, severe_best = complete_file(phase.call), complete_file(phase.call)
    lenient_worst, lenient_high = complete_file(phase.call), complete_file(phase.call)
    scored(phase, severe_low, 1, severe)
    scored(phase, severe_best, 3, severe)  # 12 / 20: their best
    scored(phase, lenient_worst, 4, lenient)  # 16 / 20: their worst
    scored(phase, lenient_high, 5, lenient)
    url = reverse("review:ranking", args=[phase.call.pk])
    raw = staff_client.get(url).content.decode()
    assert raw.index(lenient_worst.reference) < raw.index(severe_best.reference)
    corrected = staff_client.get(url, {"corrige": "1"}).content.decode()
    assert "Corrigée / 20" in corrected
    assert corrected.index(severe_best.reference) < corrected.index(lenient_worst.reference)


def test_filters_by_commune_and_status(staff_client, phase):
    argenteuil = EditionCommuneFactory(edition=phase.call.edition, commune__name="Argenteuil")
    ranked = complete_file(phase.call, answers={"communes": [str(argenteuil.pk)]})
    other = complete_file(phase.call)
    scored(phase, ranked, 3)
    scored(phase, other, 4)
    url = reverse("review:ranking", args=[phase.call.pk])
    page = staff_client.get(url, {"commune": argenteuil.pk}).content.decode()
    assert ranked.reference in page and other.reference not in page
    page = staff_client.get(url, {"status": "inadmissible"}).content.decode()
    assert ranked.reference not in page and other.reference not in page


def test_exports_neutralise_formulas_and_carry_the_figures(staff_client, phase):
    application = complete_file(phase.call, organisation__name="=HYPERLINK(evil)")
    scored(phase, application, 4)
    url = reverse("review:ranking", args=[phase.call.pk])
    csv = staff_client.get(url, {"format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK(evil)" in text
    assert "16,00" in text
    xlsx = staff_client.get(url, {"format": "xlsx"})
    assert xlsx.status_code == 200
    assert b"".join(xlsx.streaming_content)[:2] == b"PK"


def test_the_ranking_query_count_does_not_grow(staff_client, phase):
    for _ in range(2):
        scored(phase, complete_file(phase.call), 3)

    def grow():
        for value in range(18):
            scored(phase, complete_file(phase.call), value % 6)

    result = assert_constant_queries(
        staff_client, reverse("review:ranking", args=[phase.call.pk]), grow=grow
    )
    assert "20 dossiers évalués" in result.content.decode()


def test_only_operator_staff_see_the_ranking(client, phase):
    scored(phase, complete_file(phase.call), 3)
    juror = JurorFactory(call=phase.call).user
    client.force_login(juror)
    assert client.get(reverse("review:ranking", args=[phase.call.pk])).status_code == 404
