"""Dates in French, in one style: « 16 juin 2024 », « 1er octobre 2024 à 14:30 ».

Django's formats give « 1 octobre »; French writes the first day of a month « 1er ».
`format_date` is Django's `date_format` with that rule, for Python code; templates
get the same through the `date` filter of `core.templatetags.qmi_dates`, a builtin
that stands in for Django's so that every `|date:"j F Y"` follows it.
"""

import datetime

from django.utils import formats, timezone, translation

DAY = "j F Y"
MOMENT = "j F Y à H:i"


def _first_of_month(fmt):
    """`fmt` with each unescaped `j` written as a literal « 1er »."""
    out, escaped = [], False
    for char in fmt:
        if escaped:
            out.append("\\" + char)
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "j":
            out.append("1\\e\\r")
        else:
            out.append(char)
    return "".join(out)


def format_date(value, fmt=DAY):
    """`value` (a date or an aware datetime, shown in Paris time) in the format `fmt`."""
    if value in (None, ""):
        return ""
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        value = timezone.localtime(value)
    if getattr(value, "day", None) == 1 and (translation.get_language() or "fr").startswith("fr"):
        fmt = _first_of_month(formats.get_format(fmt) if fmt.isupper() else fmt)
    return formats.date_format(value, fmt)
