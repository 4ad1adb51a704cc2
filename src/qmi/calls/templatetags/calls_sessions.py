"""Template tags of information session registrations (public call page, staff call page)."""

from django import template

from .. import services_sessions

register = template.Library()


@register.filter
def registration_open(session):
    """True while one may still register: the session has not started."""
    return services_sessions.session_is_open(session)


@register.simple_tag
def registrants_who_started(call):
    """Distinct registrants who are members of an organisation with an application (one query)."""
    return services_sessions.registrants_who_started(call)
