"""A minimal iCalendar (RFC 5545) writer for information sessions: one event per file.

The `icalendar` package is not a dependency; the few rules that matter are
applied here: CRLF line endings, lines folded at 75 octets (never inside a
UTF-8 character), TEXT values escaped, times in UTC with a trailing Z.
"""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import InformationSession

CRLF = "\r\n"
MAX_OCTETS = 75


def escape_text(value):
    """Escape a TEXT value: backslash, semicolon, comma and newlines (RFC 5545 §3.3.11)."""
    text = "" if value is None else str(value)
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("\n", "\\n")


def fold(line):
    """Split a content line into chunks of 75 octets at most, continuation lines start with a space."""
    encoded = line.encode("utf-8")
    if len(encoded) <= MAX_OCTETS:
        return line
    chunks = []
    current = b""
    limit = MAX_OCTETS
    for char in line:
        octets = char.encode("utf-8")
        if len(current) + len(octets) > limit:
            chunks.append(current.decode("utf-8"))
            current = b""
            limit = MAX_OCTETS - 1  # the leading space counts
        current += octets
    chunks.append(current.decode("utf-8"))
    return (CRLF + " ").join(chunks)


def utc_stamp(moment):
    """A DATE-TIME in UTC form: 20250612T163000Z."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ")


def _host():
    return urlsplit(settings.SITE_URL).hostname or "qmi"


def session_uid(session):
    return f"qmi-reunion-{session.pk}@{_host()}"


def session_calendar(session: InformationSession, *, page_url="", now=None):
    """The session as an iCalendar file (str, CRLF line endings)."""
    call = session.call
    description = [call.title]
    if session.link:
        description.append(_("Lien de connexion : %(link)s") % {"link": session.link})
    if page_url:
        description.append(_("Présentation de l'appel : %(url)s") % {"url": page_url})
    properties = [
        ("BEGIN", "VCALENDAR"),
        ("VERSION", "2.0"),
        ("PRODID", "-//QMI//Reunions d'information//FR"),
        ("CALSCALE", "GREGORIAN"),
        ("METHOD", "PUBLISH"),
        ("BEGIN", "VEVENT"),
        ("UID", session_uid(session)),
        ("DTSTAMP", utc_stamp(now or timezone.now())),
        ("DTSTART", utc_stamp(session.starts_at)),
        ("DTEND", utc_stamp(session.ends_at)),
        ("SUMMARY", escape_text(session.title)),
        ("DESCRIPTION", escape_text("\n".join(description))),
    ]
    # URL is a URI value: not TEXT-escaped (its commas are part of the address).
    url = session.link or page_url
    if url:
        properties.append(("URL", url.replace("\r", "").replace("\n", "")))
    if session.link:
        properties.append(("LOCATION", escape_text(_("En ligne"))))
    properties += [("END", "VEVENT"), ("END", "VCALENDAR")]
    return "".join(fold(f"{name}:{value}") + CRLF for name, value in properties)
