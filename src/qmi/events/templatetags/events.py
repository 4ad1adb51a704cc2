"""Template tags of events (pages of the objects they are about)."""

from django import template

from .. import queries

register = template.Library()


@register.filter
def registration_open(event):
    """True while one may still register: the event has not started."""
    return queries.is_open(event)
