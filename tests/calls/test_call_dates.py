"""Dates of the back office's forms: seconds kept, daylight-saving nights handled in Paris."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from qmi.calls.forms.staff import CallForm, ParisDateTimeField
from qmi.calls.models import Call
from qmi.core.models import AuditEntry
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
UTC = datetime.UTC


def paris(*args, fold=0):
    return datetime.datetime(*args, tzinfo=PARIS, fold=fold)


def _input_value(html, name):
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    return re.search(r'value="([^"]*)"', tag).group(1)


def _edit_data(call, html, **overrides):
    data = {
        "edition": call.edition_id,
        "kind": call.kind,
        "title": call.title,
        "slug": call.slug,
        "presentation": call.presentation or "<p>Présentation</p>",
        "eligible_kinds": call.eligible_kinds,
        "opens_at": _input_value(html, "opens_at"),
        "closes_at": _input_value(html, "closes_at"),
        "contact_name": call.contact_name or "Paris&Co",
        "contact_email": call.contact_email or "appel@parisandco.fr",
        "criteria": call.criteria or "Pertinence",
        "reference_prefix": call.reference_prefix,
    }
    data.update(overrides)
    return data


def _edit_url(call):
    return f"/gestion/appels/{call.pk}/modifier/"


def test_saving_another_field_keeps_the_deadline_s_seconds_exactly(staff_client):
    call = CallFactory(
        opens_at=paris(2025, 12, 1, 9, 0, 0), closes_at=paris(2026, 1, 12, 23, 59, 59)
    )
    html = staff_client.get(_edit_url(call)).content.decode()
    assert _input_value(html, "closes_at") == "2026-01-12T23:59:59"
    assert re.search(r'<input[^>]*name="closes_at"[^>]*step="1"', html)

    response = staff_client.post(_edit_url(call), _edit_data(call, html, title="Nouveau titre"))

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.title == "Nouveau titre"
    assert call.closes_at == paris(2026, 1, 12, 23, 59, 59)
    assert call.opens_at == paris(2025, 12, 1, 9, 0, 0)
    entry = AuditEntry.objects.get(object_id=str(call.pk), action="updated")
    assert "closes_at" not in entry.changes and "opens_at" not in entry.changes
    # A file submitted in the deadline's last minute is still on time.
    assert call.accepts_submissions(now=paris(2026, 1, 12, 23, 59, 30))


def test_a_time_typed_without_seconds_is_still_accepted():
    field = ParisDateTimeField()
    assert field.clean("2026-01-12T23:59") == paris(2026, 1, 12, 23, 59)
    assert field.clean("2026-01-12T23:59:59") == paris(2026, 1, 12, 23, 59, 59)


def test_a_time_that_does_not_exist_in_paris_gets_its_own_message(staff_client):
    call = CallFactory(closes_at=paris(2027, 4, 30, 12, 0))
    before = call.closes_at
    html = staff_client.get(_edit_url(call)).content.decode()

    response = staff_client.post(
        _edit_url(call), _edit_data(call, html, closes_at="2027-03-28T02:30")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["closes_at"]
    assert errors == [
        "Le 28 mars 2027 à 02:30 n'existe pas à Paris : cette nuit-là, les horloges passent "
        "de 2 h à 3 h (heure d'été). Choisissez une autre heure."
    ]
    assert 'name="closes_at_fold"' not in response.content.decode()
    call.refresh_from_db()
    assert call.closes_at == before


def test_an_ambiguous_time_asks_summer_or_winter_time_then_keeps_the_choice(staff_client):
    call = CallFactory(opens_at=paris(2026, 9, 1, 9, 0), closes_at=paris(2026, 12, 1, 12, 0))
    html = staff_client.get(_edit_url(call)).content.decode()
    assert 'name="closes_at_fold"' not in html  # shown only when the time is ambiguous

    response = staff_client.post(
        _edit_url(call), _edit_data(call, html, closes_at="2026-10-25T02:30")
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "a lieu deux fois à Paris" in response.context["form"].errors["closes_at"][0]
    assert 'name="closes_at_fold" value="0"' in page
    assert "heure d&#x27;été (UTC+02:00)" in page
    assert "heure d&#x27;hiver (UTC+01:00)" in page
    call.refresh_from_db()
    assert call.closes_at == paris(2026, 12, 1, 12, 0)

    response = staff_client.post(
        _edit_url(call),
        _edit_data(call, html, closes_at="2026-10-25T02:30", closes_at_fold="1"),
    )

    assert response.status_code == 302
    call.refresh_from_db()
    assert call.closes_at == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # winter time
    # Shown again with the choice made, and saved again untouched, it stays the same.
    html = staff_client.get(_edit_url(call)).content.decode()
    assert re.search(r'name="closes_at_fold" value="1"[^>]* checked', html)
    data = _edit_data(call, html, closes_at_fold="1", title="Autre titre")
    assert staff_client.post(_edit_url(call), data).status_code == 302
    call.refresh_from_db()
    assert call.closes_at == datetime.datetime(2026, 10, 25, 1, 30, tzinfo=UTC)


def test_the_summer_time_choice_is_the_first_occurrence():
    field = ParisDateTimeField()
    widget = field.widget
    value = widget.value_from_datadict(
        {"closes_at": "2026-10-25T02:30", "closes_at_fold": "0"}, {}, "closes_at"
    )
    assert field.clean(value) == datetime.datetime(2026, 10, 25, 0, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    ["0001-01-01T00:00", "9999-12-31T23:59:59", "2026-02-30T10:00", "2026-13-01T10:00", "x"],
)
def test_dates_out_of_range_are_refused_or_accepted_never_crash(text):
    form = CallForm(data={"opens_at": text, "closes_at": text})
    form.is_valid()  # no exception
    if "opens_at" in form.errors:
        assert form.errors["opens_at"]


def test_an_aware_time_is_kept_as_given():
    field = ParisDateTimeField()
    assert field.clean("2026-10-25T02:30:00+01:00") == datetime.datetime(
        2026, 10, 25, 1, 30, tzinfo=UTC
    )
    assert timezone.is_aware(field.clean("2026-07-01T10:00"))


def test_new_call_dates_with_seconds_are_saved_in_paris_time(staff_client):
    call = CallFactory()
    html = staff_client.get(_edit_url(call)).content.decode()
    data = _edit_data(call, html, opens_at="2026-03-01T08:00:00", closes_at="2026-03-31T23:59:59")
    assert staff_client.post(_edit_url(call), data).status_code == 302
    call.refresh_from_db()
    assert call.closes_at == paris(2026, 3, 31, 23, 59, 59)
    assert Call.objects.filter(pk=call.pk, closes_at__second=59).exists()
