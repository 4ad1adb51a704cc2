"""File sizes as French readers write them.

Django's `filesizeformat` says « Kio », « Mio » in French (binary prefixes):
correct, but nobody reads them so. `filesize` says « 2,0 Ko », « 3,4 Mo »
(and "KB", "MB" in English), with the language's decimal separator.
"""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()

UNITS = (
    (1024**3, lambda size: _("%(size)s Go") % {"size": size}),
    (1024**2, lambda size: _("%(size)s Mo") % {"size": size}),
    (1024, lambda size: _("%(size)s Ko") % {"size": size}),
)


@register.filter
def filesize(value):
    """A number of bytes in octets, Ko, Mo or Go (one decimal); "" for what is not a number."""
    try:
        size = int(value)
    except (TypeError, ValueError):
        return ""
    for unit, words in UNITS:
        if size >= unit:
            return words(number_format(round(size / unit, 1), 1)).replace(" ", "\xa0")
    return (ngettext("%(size)s octet", "%(size)s octets", size) % {"size": size}).replace(
        " ", "\xa0"
    )
