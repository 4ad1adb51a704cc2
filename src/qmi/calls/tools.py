"""Links on a call's back-office page to the tools that higher apps add (review, allocation).

The calls app sits below them and may not import them: each registers its tool from its
`AppConfig.ready()`, and the call's page lists those the person may use.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Tool:
    label: str
    url_name: str  # reversed with the call's pk
    permission: str
    kinds: tuple = ()  # the kinds of call it serves; empty: every call


_tools = []


def register(*, label, url_name, permission, kinds=()):
    tool = Tool(label, url_name, permission, tuple(kinds))
    if tool not in _tools:
        _tools.append(tool)


def tools_for(user, call):
    return [
        {"label": tool.label, "url": reverse(tool.url_name, kwargs={"pk": call.pk})}
        for tool in _tools
        if user.has_perm(tool.permission) and (not tool.kinds or call.kind in tool.kinds)
    ]
