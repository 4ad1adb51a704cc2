"""Sections that higher apps add to the calls' own pages (a decision, an audition, laureates).

The calls app sits below review and allocation and may not import them: each registers a
function from its `AppConfig.ready()`, which returns the section's HTML (or "" for none).
An applicant's file shows `applicant` panels, the public page of a call `public` ones.
"""

from collections.abc import Callable

from django.utils.safestring import mark_safe

_panels: dict[str, list[Callable]] = {"applicant": [], "public": []}


def register(where, render):
    """`render(request, obj)` returns HTML; `obj` is the application or the call."""
    if render not in _panels[where]:
        _panels[where].append(render)


def render_panels(where, request, obj):
    # Each panel is a template rendered with autoescaping: its HTML is already safe.
    return mark_safe("".join(str(render(request, obj)) for render in _panels[where]))
