from django import template
from django.utils.formats import date_format
from django.utils.translation import get_language

register = template.Library()


@register.filter
def long_date(value):
    """The date in the active language's long format, with French « 1er » for the first day."""
    if not value:
        return ""
    text = date_format(value, "DATE_FORMAT")
    if value.day == 1 and (get_language() or "").startswith("fr") and text.startswith("1 "):
        text = "1er" + text[1:]
    return text
