"""Funnel figures of calls: numbers, themes, the daily series, the SVG chart and the dashboard."""

import datetime
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from qmi.calls import charts
from qmi.calls.funnel import call_funnel
from qmi.calls.models import Application, Call, Question
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    EditionCommuneFactory,
    OrganisationFactory,
    ThemeFactory,
    UserFactory,
    add_question,
)
from tests.utils import assert_constant_queries, count_queries

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
UTC = datetime.UTC
Status = Application.Status


def _measures(row):
    return {m: row[m] for m in ("started", "submitted", "complete", "inadmissible")}


@pytest.fixture
def projects_call():
    """A call for projects with three communes: themes A, B and a challenge without theme."""
    call = CallFactory(kind=Call.Kind.PROJECTS)
    theme_a = ThemeFactory(slug="chaleur", name="Chaleur", order=1)
    theme_b = ThemeFactory(slug="mobilite", name="Mobilité", order=2)
    communes = []
    for theme in (theme_a, theme_b, None):
        participation = EditionCommuneFactory(edition=call.edition)
        ChallengeFactory(edition_commune=participation, theme=theme)
        communes.append(str(participation.pk))
    add_question(call, "communes", Question.Kind.COMMUNE_RANKING)
    return call, communes


def _build_projects_data(call, communes):
    a, b, untitled = communes
    now = timezone.now()
    german = OrganisationFactory(country="DE")
    ApplicationFactory(call=call, answers={"communes": [a]})  # French experimenter, draft
    ApplicationFactory(
        call=call,
        status=Status.COMPLETE,
        submitted_at=now,
        organisation=OrganisationFactory(country="BE"),
        answers={"communes": [a, b]},
    )
    ApplicationFactory(
        call=call,
        status=Status.WITHDRAWN,
        submitted_at=now,
        organisation=german,
        answers={"communes": [b]},
    )
    # The same German organisation starts again after withdrawing: still one organisation.
    ApplicationFactory(call=call, organisation=german, answers={"communes": [a]})
    ApplicationFactory(
        call=call,
        status=Status.INADMISSIBLE,
        submitted_at=now,
        organisation=OrganisationFactory(kind="partner", legal_form=""),
        answers={"communes": [untitled]},
    )
    ApplicationFactory(call=call, status=Status.SUBMITTED, submitted_at=now)  # no answer


def test_funnel_by_status_kind_and_country(projects_call):
    call, communes = projects_call
    _build_projects_data(call, communes)
    funnel = call_funnel(call)
    # Withdrawn applications are marks of interest; organisations are counted once.
    assert funnel["total"] == {"started": 5, "submitted": 4, "complete": 1, "inadmissible": 1}
    assert funnel["abroad"] == {"started": 2, "submitted": 2, "complete": 1, "inadmissible": 0}
    assert funnel["abroad_share"] == {
        "started": 40,
        "submitted": 50,
        "complete": 100,
        "inadmissible": 0,
    }
    kinds = {row["label"]: _measures(row) for row in funnel["kinds"]}
    assert kinds == {
        "Expérimentateur": {"started": 4, "submitted": 3, "complete": 1, "inadmissible": 0},
        "Partenaire": {"started": 1, "submitted": 1, "complete": 0, "inadmissible": 1},
    }
    countries = [(row["code"], _measures(row)) for row in funnel["countries"]]
    assert countries[0] == (
        "FR",
        {"started": 3, "submitted": 2, "complete": 0, "inadmissible": 1},
    )
    assert dict(countries[1:]) == {
        "BE": {"started": 1, "submitted": 1, "complete": 1, "inadmissible": 0},
        "DE": {"started": 1, "submitted": 1, "complete": 0, "inadmissible": 0},
    }


def test_share_international_is_none_without_applications():
    funnel = call_funnel(CallFactory())
    assert funnel["total"] == {"started": 0, "submitted": 0, "complete": 0, "inadmissible": 0}
    assert set(funnel["abroad_share"].values()) == {None}
    assert funnel["kinds"] == funnel["countries"] == funnel["themes"] == []


def test_themes_of_a_call_for_projects_come_from_the_ranked_communes(projects_call):
    call, communes = projects_call
    _build_projects_data(call, communes)
    themes = [(row["label"], _measures(row)) for row in call_funnel(call)["themes"]]
    assert themes == [
        ("Chaleur", {"started": 3, "submitted": 1, "complete": 1, "inadmissible": 0}),
        ("Mobilité", {"started": 2, "submitted": 2, "complete": 1, "inadmissible": 0}),
        ("Sans thème déterminé", {"started": 2, "submitted": 2, "complete": 0, "inadmissible": 1}),
    ]


def test_themes_of_an_expression_of_interest_come_from_the_theme_question():
    call = CallFactory(kind=Call.Kind.EXPRESSION_OF_INTEREST)
    ThemeFactory(slug="chaleur", name="Chaleur", order=1)
    ThemeFactory(slug="mobilite", name="Mobilité", order=2)
    add_question(
        call,
        "secteur-theme",
        Question.Kind.SINGLE_CHOICE,
        config={"choices": ["Chaleur", "Mobilité"]},
    )
    # A single choice whose choices are not theme names is not a theme question.
    add_question(
        call, "statut", Question.Kind.SINGLE_CHOICE, config={"choices": ["Chaleur", "Autre"]}
    )
    now = timezone.now()
    commune = {"kind": "commune", "legal_form": ""}
    ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(**commune),
        answers={"secteur-theme": "Chaleur", "statut": "Autre"},
    )
    ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(**commune),
        status=Status.COMPLETE,
        submitted_at=now,
        answers={"secteur-theme": "Chaleur"},
    )
    ApplicationFactory(
        call=call,
        organisation=OrganisationFactory(**commune),
        status=Status.WITHDRAWN,
        answers={"secteur-theme": "Mobilité"},
    )
    ApplicationFactory(
        call=call, organisation=OrganisationFactory(**commune), answers={"statut": "Chaleur"}
    )
    themes = [(row["label"], _measures(row)) for row in call_funnel(call)["themes"]]
    assert themes == [
        ("Chaleur", {"started": 2, "submitted": 1, "complete": 1, "inadmissible": 0}),
        ("Mobilité", {"started": 1, "submitted": 0, "complete": 0, "inadmissible": 0}),
        ("Sans thème déterminé", {"started": 1, "submitted": 0, "complete": 0, "inadmissible": 0}),
    ]
    assert call_funnel(call)["kinds"][0]["label"] == "Commune"


def _utc(*args):
    return datetime.datetime(*args, tzinfo=UTC)


def test_daily_series_fills_missing_days_and_counts_in_paris_days():
    call = CallFactory(
        opens_at=_utc(2025, 3, 30, 8, 0),  # 10:00 in Paris (summer time since that night)
        closes_at=_utc(2025, 4, 3, 21, 59),  # 23:59 in Paris
    )
    started = [
        (ApplicationFactory(call=call), _utc(2025, 3, 30, 12, 0)),
        # 23:30 UTC on 31 March is 01:30 on 1 April in Paris.
        (ApplicationFactory(call=call), _utc(2025, 3, 31, 23, 30)),
        (
            ApplicationFactory(
                call=call, status=Status.SUBMITTED, submitted_at=_utc(2025, 4, 2, 21, 30)
            ),
            _utc(2025, 3, 31, 21, 0),
        ),
        (
            ApplicationFactory(
                call=call, status=Status.SUBMITTED, submitted_at=_utc(2025, 4, 2, 22, 30)
            ),
            _utc(2025, 4, 1, 6, 0),
        ),
    ]
    for application, created_at in started:
        Application.objects.filter(pk=application.pk).update(created_at=created_at)
    days = call_funnel(call, today=datetime.date(2025, 4, 20))["days"]
    assert [(d["day"].isoformat(), d["started"], d["submitted"]) for d in days] == [
        ("2025-03-30", 1, 0),
        ("2025-03-31", 1, 0),
        ("2025-04-01", 2, 0),
        ("2025-04-02", 0, 1),  # 23:30 in Paris
        ("2025-04-03", 0, 1),  # 00:30 in Paris
    ]


def test_daily_series_stops_today_while_the_call_is_open():
    call = CallFactory(opens_at=_utc(2025, 3, 1, 8, 0), closes_at=_utc(2025, 6, 1, 8, 0))
    days = call_funnel(call, today=datetime.date(2025, 3, 3))["days"]
    assert [d["day"].day for d in days] == [1, 2, 3]
    assert {(d["started"], d["submitted"]) for d in days} == {(0, 0)}


def _svg_tree(svg):
    return ET.fromstring(svg if isinstance(svg, bytes) else str(svg).encode())


def _assert_accessible_chart(root):
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None and title.text
    assert root.get("aria-labelledby") == title.get("id")
    assert root.find(f"{SVG}desc").get("id") == root.get("aria-describedby")
    assert len(root.findall(f".//{SVG}polyline")) == 2  # one line per series
    assert all("style" not in element.attrib for element in root.iter())
    assert root.find(f".//{SVG}script") is None


def test_chart_is_well_formed_accessible_svg_without_style(projects_call):
    call, communes = projects_call
    call.title = 'Appel <"test"> & essai'
    call.save()
    _build_projects_data(call, communes)
    root = _svg_tree(call_funnel(call)["chart"])
    _assert_accessible_chart(root)
    assert 'Appel <"test"> & essai' in root.find(f"{SVG}title").text
    legend = [t.text for t in root.iterfind(f".//{SVG}g[@class='chart-legend']/{SVG}text")]
    assert legend == ["Dossiers commencés (6)", "Dossiers déposés (4)"]


def test_chart_builder_handles_one_day_and_labels_first_and_last_days():
    days = [datetime.date(2025, 4, 1)]
    svg = charts.line_chart(
        chart_id="c",
        title="T",
        description="D",
        days=days,
        series=[charts.Series("a", [3], "#000", "a"), charts.Series("b", [1], "#111", "b")],
    )
    root = _svg_tree(svg)
    _assert_accessible_chart(root)
    assert root.find(f".//{SVG}text[@class='chart-max']").text == "3"
    assert charts.label_positions(0) == []
    assert charts.label_positions(5) == [0, 1, 2, 3, 4]
    positions = charts.label_positions(31)
    assert positions[0] == 0 and positions[-1] == 30 and len(positions) <= charts.MAX_LABELS
    with pytest.raises(ValueError):
        charts.line_chart(
            chart_id="c",
            title="T",
            description="D",
            days=days,
            series=[charts.Series("a", [1, 2], "#000", "a")],
        )


def test_svg_endpoint_for_staff(staff_client):
    call = CallFactory()
    ApplicationFactory(call=call)
    response = staff_client.get(f"/gestion/appels/{call.pk}/entonnoir.svg")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    # Opened in a tab, an SVG is a document at our origin: it runs nothing.
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert response["X-Content-Type-Options"] == "nosniff"
    _assert_accessible_chart(_svg_tree(response.content))


def test_svg_endpoint_is_404_for_non_staff(client):
    call = CallFactory()
    url = f"/gestion/appels/{call.pk}/entonnoir.svg"
    assert client.get(url).status_code == 302  # anonymous: to the login page
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


def test_call_page_shows_the_chart_and_its_data_table(staff_client):
    call = CallFactory()
    ApplicationFactory(call=call)
    html = staff_client.get(f"/gestion/appels/{call.pk}/").content.decode()
    assert f'id="funnel-chart-{call.pk}"' in html
    assert "Données du graphique" in html
    assert f"/gestion/appels/{call.pk}/entonnoir.svg" in html


def _add_applications(call, communes, count):
    for index in range(count):
        ApplicationFactory(
            call=call,
            status=Status.SUBMITTED if index % 2 else Status.DRAFT,
            submitted_at=timezone.now() if index % 2 else None,
            organisation=OrganisationFactory(country="FR" if index % 3 else "IT"),
            answers={"communes": communes[index % 3 : index % 3 + 1]},
        )


def test_dashboard_query_count_does_not_grow_with_applications(staff_client, projects_call):
    call, communes = projects_call
    _add_applications(call, communes, 2)
    large = assert_constant_queries(
        staff_client, "/gestion/", grow=lambda: _add_applications(call, communes, 18)
    )
    # The funnels kept from the first view were computed again: 20 files started now.
    total = re.search(r'<tr class="total">.*?</tr>', large.content.decode(), re.S)[0]
    assert re.findall(r'<td class="numeric">(\d+)</td>', total)[0] == "20"


def test_the_dashboard_computes_the_funnels_once_until_an_application_changes(
    staff_client, projects_call
):
    call, communes = projects_call
    _add_applications(call, communes, 2)
    kept = count_queries(staff_client, "/gestion/")  # the warm-up view computed them
    _add_applications(call, communes, 1)
    computed = count_queries(staff_client, "/gestion/", warm=False)
    kept_again = count_queries(staff_client, "/gestion/", warm=False)
    assert computed.queries > kept.queries == kept_again.queries

    def funnels(counted):
        html = counted.content.decode()
        return html[html.index('id="call-funnels-title"') :]

    assert funnels(kept_again) == funnels(computed) != funnels(kept)


def test_dashboard_lists_the_five_most_recent_published_or_closed_calls(staff_client):
    now = timezone.now()
    calls = [
        CallFactory(
            opens_at=now - datetime.timedelta(days=10 - n),
            status=Call.Status.CLOSED if n == 2 else Call.Status.PUBLISHED,
        )
        for n in range(6)
    ]
    draft = CallFactory(status=Call.Status.DRAFT, opens_at=now)
    response = staff_client.get("/gestion/")
    assert response.status_code == 200
    listed = [funnel["call"] for funnel in response.context["call_funnels"]()]
    assert listed == calls[:0:-1]  # newest first; the oldest and the draft are left out
    html = response.content.decode()
    section = html[html.index('id="call-funnels-title"') :]
    assert "Candidatures par appel" in html
    assert draft.title not in section
    assert section.count('role="img"') == 5
    assert 'style="' not in section
