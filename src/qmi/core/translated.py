"""Content written in French with an optional English version (`<field>_en`).

The interface's words come from the catalogues; programme content (themes,
editions, calls) is typed by staff, so its English version is a field beside the
French one, shown when the person chose English and one was written.
"""

from django.utils import translation


def translated(obj, field):
    """`obj.<field>_en` when English is active and it is filled in, else `obj.<field>`."""
    if (translation.get_language() or "").startswith("en"):
        english = getattr(obj, f"{field}_en", "")
        if english:
            return english
    # Templates pass "" for a missing object (an edition's commune without challenge).
    return getattr(obj, field, "")
