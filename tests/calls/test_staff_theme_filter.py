"""The applications list filters by theme, with the rule the funnel uses."""

import pytest

from qmi.calls.models import Call, Question
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    EditionCommuneFactory,
    ThemeFactory,
    add_question,
)

pytestmark = pytest.mark.django_db


def _references(response):
    return {application.reference for application in response.context["page"].object_list}


def test_call_for_projects_filters_on_the_themes_of_ranked_communes(staff_client):
    climate = ThemeFactory(name="Adaptation au changement climatique")
    mobility = ThemeFactory(name="Flux, mobilités et logistique")
    call = CallFactory(kind=Call.Kind.PROJECTS)
    hot = ChallengeFactory(
        edition_commune=EditionCommuneFactory(edition=call.edition), theme=climate
    )
    busy = ChallengeFactory(
        edition_commune=EditionCommuneFactory(edition=call.edition), theme=mobility
    )
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    ApplicationFactory(
        call=call, reference="P-1", answers={"communes": [str(hot.edition_commune_id)]}
    )
    ApplicationFactory(
        call=call,
        reference="P-2",
        answers={"communes": [str(busy.edition_commune_id), str(hot.edition_commune_id)]},
    )
    ApplicationFactory(
        call=call, reference="P-3", answers={"communes": [str(busy.edition_commune_id)]}
    )
    url = f"/gestion/appels/{call.pk}/candidatures/"
    assert _references(staff_client.get(url, {"theme": climate.pk})) == {"P-1", "P-2"}
    assert _references(staff_client.get(url, {"theme": mobility.pk})) == {"P-2", "P-3"}


def test_expression_of_interest_filters_on_the_theme_answer(staff_client):
    climate = ThemeFactory(name="Adaptation au changement climatique")
    sport = ThemeFactory(name="Sport en ville")
    call = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST)
    add_question(
        call, "theme", Question.Kind.SINGLE_CHOICE, config={"choices": [climate.name, sport.name]}
    )
    ApplicationFactory(call=call, reference="A-1", answers={"theme": sport.name})
    ApplicationFactory(call=call, reference="A-2", answers={"theme": climate.name})
    ApplicationFactory(call=call, reference="A-3", answers={})
    response = staff_client.get(f"/gestion/appels/{call.pk}/candidatures/", {"theme": sport.pk})
    assert _references(response) == {"A-1"}
