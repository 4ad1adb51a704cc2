from html import unescape

from django import template
from django.utils.html import strip_tags

from ..translated import translated

register = template.Library()

# Search engines show about this many characters of a page's description.
DESCRIPTION_LENGTH = 160


@register.filter
def tr(obj, field):
    """{{ call|tr:"title" }}: the English version when English is chosen and one exists."""
    return translated(obj, field)


@register.filter
def meta_description(text, length=DESCRIPTION_LENGTH):
    """Plain text for <meta name="description">: no tags, one line, cut at a word.

    Takes plain text or the cleaned HTML of a presentation; the template escapes the result.
    """
    # A space before each tag keeps "<p>a</p><p>b</p>" as two words.
    plain = " ".join(unescape(strip_tags(str(text or "").replace("<", " <"))).split())
    if len(plain) <= length:
        return plain
    cut = plain[: length - 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:.—-") + "…"
