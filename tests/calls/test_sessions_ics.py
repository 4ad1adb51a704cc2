import datetime
import zoneinfo

import pytest

from qmi.calls.ics import escape_text, fold, session_calendar, utc_stamp
from qmi.calls.models import InformationSession
from tests.factories import CallFactory

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _session(**fields):
    call = fields.pop("call", None) or CallFactory(title="Appel, test; n°1")
    starts = fields.pop("starts_at", datetime.datetime(2030, 7, 10, 14, 0, tzinfo=PARIS))
    return InformationSession.objects.create(
        call=call,
        title=fields.pop("title", "Réunion d'information"),
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1, minutes=30),
        **fields,
    )


def _unfold(text):
    return text.replace("\r\n ", "")


def _properties(text):
    return dict(line.split(":", 1) for line in _unfold(text).split("\r\n") if line)


def test_escape_text_escapes_specials_and_newlines():
    assert escape_text("a,b;c\\d\ne\r\nf") == "a\\,b\\;c\\\\d\\ne\\nf"


def test_fold_keeps_lines_within_75_octets_without_cutting_characters():
    line = "DESCRIPTION:" + "é" * 100 + "x" * 50
    folded = fold(line)
    parts = folded.split("\r\n")
    assert len(parts) > 1
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert _unfold(folded) == line
    assert fold("SUMMARY:court") == "SUMMARY:court"


def test_utc_stamp():
    moment = datetime.datetime(2030, 1, 15, 14, 0, tzinfo=PARIS)
    assert utc_stamp(moment) == "20300115T130000Z"


def test_calendar_is_valid_rfc5545():
    session = _session(title="Présentation, questions; réponses " + "très longue " * 10)
    text = session_calendar(session, page_url="https://qmi.example/appels/x/")
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    props = _properties(text)
    assert props["VERSION"] == "2.0"
    assert props["UID"].startswith(f"qmi-reunion-{session.pk}@")
    assert props["DTSTAMP"].endswith("Z")
    assert props["SUMMARY"].startswith("Présentation\\, questions\\; réponses")
    # No link: the call's page is the URL, and no "online" location.
    assert props["URL"] == "https://qmi.example/appels/x/"
    assert "LOCATION" not in props
    assert "Appel\\, test\\; n°1" in props["DESCRIPTION"]


def test_summer_and_winter_time_become_utc():
    summer = _session(starts_at=datetime.datetime(2030, 7, 10, 14, 0, tzinfo=PARIS))
    winter = _session(starts_at=datetime.datetime(2030, 1, 15, 14, 0, tzinfo=PARIS))
    assert _properties(session_calendar(summer))["DTSTART"] == "20300710T120000Z"
    assert _properties(session_calendar(summer))["DTEND"] == "20300710T133000Z"
    assert _properties(session_calendar(winter))["DTSTART"] == "20300115T130000Z"


def test_online_session_has_link_and_location():
    session = _session(link="https://visio.example/r/abc,def?x=1;2")
    props = _properties(session_calendar(session, page_url="https://qmi.example/appels/x/"))
    assert props["URL"] == "https://visio.example/r/abc,def?x=1;2"
    assert props["LOCATION"] == "En ligne"
    assert "https://visio.example/r/abc\\,def?x=1\\;2" in props["DESCRIPTION"]
