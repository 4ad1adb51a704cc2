"""Reads behind the public pages, each in a fixed number of queries."""

from qmi.programmes.models import STAGE_ORDER, Edition
from qmi.programmes.queries import editions_with_timeline

# The home page shows this many editions at most, newest first.
HOME_EDITION_LIMIT = 10


def public_editions():
    """Public editions with their phases and communes (outlines left out: the map fetches them)."""
    return editions_with_timeline(Edition.objects.filter(is_public=True)).order_by("-number")


def timeline(edition):
    """The edition's phases, each with its place relative to the edition's current stage.

    The stage set by the operator decides, not today's date: a phase can overrun
    its planned dates, and the public page must say what the programme is doing.
    """
    current = STAGE_ORDER.index(edition.stage)
    steps = []
    for phase in edition.phases.all():
        index = STAGE_ORDER.index(phase.kind)
        if index == current:
            status = "current"
        elif index < current:
            status = "past"
        else:
            status = "upcoming"
        steps.append({"phase": phase, "status": status})
    return steps


def with_public_communes(editions):
    """Each edition with `public_communes`: its communes once their selection is announced."""
    for edition in editions:
        edition.public_communes = (
            list(edition.communes.all()) if edition.selection_is_public else []
        )
    return editions


def map_highlight(editions):
    """Communes to highlight on a map, by INSEE code: one entry per edition they took part in."""
    highlighted = {}
    for edition in editions:
        for participation in edition.public_communes:
            highlighted.setdefault(participation.commune.insee, []).append(
                {
                    "name": participation.commune.name,
                    "edition": edition.title,
                    "number": edition.number,
                    "district": participation.district,
                    "url": participation.get_absolute_url(),
                }
            )
    return highlighted
