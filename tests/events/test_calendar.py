"""Calendar files: valid RFC 5545 from `icalendar`, stable UID, SEQUENCE, cancellation."""

import datetime
import zoneinfo

import icalendar
import pytest
from django.core import mail
from django.utils import timezone

from qmi.events import services
from qmi.events.models import Registration
from tests.factories import CallFactory, information_session, staff_user

pytestmark = pytest.mark.django_db
PARIS = zoneinfo.ZoneInfo("Europe/Paris")


def _session(**fields):
    call = fields.pop("call", None) or CallFactory(title="Appel, test; n°1")
    starts = fields.pop("starts_at", datetime.datetime(2030, 7, 10, 14, 0, tzinfo=PARIS))
    return information_session(
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


def _vevent(text):
    calendar = icalendar.Calendar.from_ical(text)
    (event,) = calendar.walk("VEVENT")
    return calendar, event


def test_text_values_are_escaped():
    session = _session(title="a,b;c\\d")
    props = _properties(services.calendar_for(session))
    assert props["SUMMARY"] == "a\\,b\\;c\\\\d"
    _, event = _vevent(services.calendar_for(session))
    assert str(event["summary"]) == "a,b;c\\d"


def test_long_lines_are_folded_within_75_octets_without_cutting_characters():
    session = _session(title="é" * 100 + "x" * 50)
    text = services.calendar_for(session)
    parts = [line for line in text.split("\r\n") if line]
    summary = next(i for i, line in enumerate(parts) if line.startswith("SUMMARY:"))
    assert parts[summary + 1].startswith(" ")  # folded
    assert all(len(part.encode("utf-8")) <= 75 for part in parts)
    assert _properties(text)["SUMMARY"] == "é" * 100 + "x" * 50


def test_calendar_is_valid_rfc5545():
    session = _session(title="Présentation, questions; réponses " + "très longue " * 10)
    text = services.calendar_for(session)
    assert text.startswith("BEGIN:VCALENDAR\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode("utf-8")) <= 75 for line in text.split("\r\n"))
    props = _properties(text)
    assert props["VERSION"] == "2.0"
    assert props["METHOD"] == "PUBLISH"
    assert props["UID"] == f"qmi-reunion-{session.pk}@testserver"
    assert props["DTSTAMP"].endswith("Z")
    assert props["SEQUENCE"] == "0"
    assert props["SUMMARY"].startswith("Présentation\\, questions\\; réponses")
    # No link: the call's page is the URL, and no "online" location.
    assert props["URL"] == f"http://testserver/appels/{session.about.slug}/"
    assert "LOCATION" not in props
    assert "Appel\\, test\\; n°1" in props["DESCRIPTION"]
    _, event = _vevent(text)
    assert str(event["uid"]) == props["UID"]
    assert "Présentation de l'appel : http://testserver/appels/" in str(event["description"])


def test_summer_and_winter_time_become_utc():
    summer = _session(starts_at=datetime.datetime(2030, 7, 10, 14, 0, tzinfo=PARIS))
    winter = _session(starts_at=datetime.datetime(2030, 1, 15, 14, 0, tzinfo=PARIS))
    assert _properties(services.calendar_for(summer))["DTSTART"] == "20300710T120000Z"
    assert _properties(services.calendar_for(summer))["DTEND"] == "20300710T133000Z"
    assert _properties(services.calendar_for(winter))["DTSTART"] == "20300115T130000Z"
    _, event = _vevent(services.calendar_for(winter))
    assert event.decoded("dtstart") == datetime.datetime(2030, 1, 15, 13, 0, tzinfo=datetime.UTC)


def test_online_session_has_link_and_location():
    session = _session(link="https://visio.example/r/abc,def?x=1;2")
    props = _properties(services.calendar_for(session))
    assert props["URL"] == "https://visio.example/r/abc,def?x=1;2"
    assert props["LOCATION"] == "En ligne"
    assert "https://visio.example/r/abc\\,def?x=1\\;2" in props["DESCRIPTION"]


def test_session_in_person_gives_its_place():
    session = _session(location="Maison des projets, 2 rue Haute", link="https://visio.example")
    _, event = _vevent(services.calendar_for(session))
    assert str(event["location"]) == "Maison des projets, 2 rue Haute"


def test_uid_is_stable_and_sequence_grows_with_each_change():
    session = _session()
    staff = staff_user()
    call = session.about
    _, first = _vevent(services.calendar_for(session))
    assert first["sequence"] == 0

    # Saving without changing anything keeps the sequence.
    session = services.save_event(about=call, by=staff, event=session, title=session.title)
    assert session.sequence == 0

    moved = session.starts_at + datetime.timedelta(days=1)
    session = services.save_event(
        about=call,
        by=staff,
        event=session,
        starts_at=moved,
        ends_at=moved + datetime.timedelta(hours=1),
    )
    session.refresh_from_db()
    _, second = _vevent(services.calendar_for(session))
    assert second["sequence"] == 1
    assert second.decoded("dtstart") == moved

    session = services.save_event(about=call, by=staff, event=session, title="Nouveau titre")
    session = services.save_event(about=call, by=staff, event=session, location="Salle 2")
    session.refresh_from_db()
    _, third = _vevent(services.calendar_for(session))
    assert third["sequence"] == 3
    assert str(third["summary"]) == "Nouveau titre"
    assert str(first["uid"]) == str(second["uid"]) == str(third["uid"])


def test_cancelling_tells_registrants_with_a_cancelling_file(django_capture_on_commit_callbacks):
    session = _session(starts_at=datetime.datetime(2099, 7, 10, 14, 0, tzinfo=PARIS))
    session = services.save_event(
        about=session.about, by=staff_user(), event=session, title="Réunion déplacée"
    )
    session.refresh_from_db()
    uid = str(_vevent(services.calendar_for(session))[1]["uid"])
    for email in ("a@exemple.fr", "b@exemple.fr"):
        Registration.objects.create(
            event=session, name="Camille", email=email, confirmed_at=timezone.now()
        )
    # Never confirmed: not told (the address may be anybody's).
    Registration.objects.create(event=session, name="Camille", email="pending@exemple.fr")
    with django_capture_on_commit_callbacks(execute=True):
        told = services.cancel_event(event=session, by=staff_user())
    assert told == 2
    assert not Registration.objects.exists()
    assert sorted(message.to[0] for message in mail.outbox) == ["a@exemple.fr", "b@exemple.fr"]
    message = mail.outbox[0]
    assert "Annulation : Réunion déplacée" in message.subject
    assert "est annulée" in message.body
    (name, content, mimetype) = message.attachments[0]
    assert (name, mimetype) == ("reunion-annulation.ics", "text/calendar")
    calendar, event = _vevent(content)
    assert str(calendar["method"]) == "CANCEL"
    assert str(event["status"]) == "CANCELLED"
    assert str(event["uid"]) == uid
    assert event["sequence"] == 2  # the last file sent had 1


def test_cancelling_a_past_event_or_one_without_registrants_sends_nothing(
    django_capture_on_commit_callbacks,
):
    past = _session(starts_at=datetime.datetime(2020, 1, 15, 14, 0, tzinfo=PARIS))
    Registration.objects.create(
        event=past, name="Camille", email="a@exemple.fr", confirmed_at=timezone.now()
    )
    empty = _session()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.cancel_event(event=past, by=staff_user()) == 0
        assert services.cancel_event(event=empty, by=staff_user()) == 0
    assert mail.outbox == []
