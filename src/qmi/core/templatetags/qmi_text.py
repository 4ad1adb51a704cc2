from django import template

from ..translated import translated

register = template.Library()


@register.filter
def tr(obj, field):
    """{{ call|tr:"title" }}: the English version when English is chosen and one exists."""
    return translated(obj, field)
