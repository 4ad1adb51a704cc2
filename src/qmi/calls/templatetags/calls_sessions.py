"""Template tags of a call's information sessions (staff call page)."""

from django import template

from .. import funnel

register = template.Library()


@register.simple_tag
def registrants_who_started(call):
    """Distinct registrants who are members of an organisation with an application (one query)."""
    return funnel.registrants_who_started(call)
