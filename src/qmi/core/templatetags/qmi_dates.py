"""The `date` filter of every template, with French's « 1er » (see core.dates).

Loaded as a builtin after Django's own (settings.TEMPLATES), so it replaces
Django's `date` filter everywhere; it accepts the same arguments.
"""

from django import template
from django.template.defaultfilters import date as django_date

from ..dates import format_date

register = template.Library()


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if getattr(value, "day", None) == 1 and arg and "j" in arg:
        try:
            return format_date(value, arg)
        except AttributeError:
            return ""
    return django_date(value, arg)
