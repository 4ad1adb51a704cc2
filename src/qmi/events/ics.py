"""Calendar files (RFC 5545, through the `icalendar` package): one event per file.

A file keeps the same UID for the life of its event and carries the event's
SEQUENCE, so a calendar programme that imported it replaces its copy when the
event moves, and removes it on the cancelling file (METHOD:CANCEL, SEQUENCE+1).
"""

import datetime
from email.utils import parseaddr
from urllib.parse import urlsplit

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Event

# Information sessions keep the UID their files had before events existed (same
# primary keys), so calendars that imported those files update rather than duplicate.
UID_PREFIXES = {
    Event.Kind.INFORMATION_SESSION: "qmi-reunion",
    Event.Kind.AUDITION: "qmi-audition",
}
FILE_STEMS = {Event.Kind.INFORMATION_SESSION: "reunion", Event.Kind.AUDITION: "audition"}
DEFAULT_UID_PREFIX = "qmi-evenement"
DEFAULT_FILE_STEM = "evenement"
PRODID = "-//QMI//Evenements//FR"


def host():
    return urlsplit(settings.SITE_URL).hostname or "qmi"


def uid(event):
    return f"{UID_PREFIXES.get(event.kind, DEFAULT_UID_PREFIX)}-{event.pk}@{host()}"


def filename(event, cancelled=False):
    stem = FILE_STEMS.get(event.kind, DEFAULT_FILE_STEM)
    return f"{stem}-annulation.ics" if cancelled else f"{stem}.ics"


def _utc(moment):
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC)


def build(event, *, about_title="", page_url="", page_line="", now=None, cancelled=False):
    """The event as an iCalendar file (str, CRLF line endings).

    `cancelled` gives the cancelling file: METHOD:CANCEL, STATUS:CANCELLED and the
    next SEQUENCE, which calendar programmes need to drop their copy.
    """
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if cancelled else "PUBLISH")

    description = [about_title] if about_title else []
    if event.link:
        description.append(_("Lien de connexion : %(link)s") % {"link": event.link})
    if page_url and page_line:
        description.append(page_line % {"url": page_url})

    item = icalendar.Event()
    item.add("uid", uid(event))
    item.add("dtstamp", _utc(now or timezone.now()))
    item.add("dtstart", _utc(event.starts_at))
    item.add("dtend", _utc(event.ends_at))
    item.add("sequence", event.sequence + (1 if cancelled else 0))
    item.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    item.add("summary", event.title)
    if description:
        item.add("description", "\n".join(description))
    url = event.link or page_url
    if url:
        item.add("url", url.replace("\r", "").replace("\n", ""))
    location = event.location or (_("En ligne") if event.link else "")
    if location:
        item.add("location", location)
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    if address:
        # RFC 5546 wants an organizer for PUBLISH and CANCEL; some programmes ignore a
        # cancellation without one.
        organizer = icalendar.vCalAddress(f"mailto:{address}")
        if name:
            organizer.params["cn"] = name
        item.add("organizer", organizer)
    calendar.add_component(item)
    return calendar.to_ical().decode("utf-8")
