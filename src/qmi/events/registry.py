"""What an event about some object means, declared by the app that owns the object.

Events are about objects of higher apps (a call today; an application, an
experiment later). Those apps register their model from `AppConfig.ready()`;
this app asks the registry and never imports them.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models


@dataclass(frozen=True)
class Subject:
    # Absolute URL of the object's public page, linked from e-mails and calendar files.
    page_url: Callable[[models.Model], str]
    # The object's title as shown in e-mails.
    title: Callable[[models.Model], str]
    # Whether `user` may add, change, cancel the object's events and see their registrants.
    may_manage: Callable[[object, models.Model], bool]
    # A line of the calendar file's description, with %(url)s for the page.
    page_line: str = ""
    # The site's (relative) URL of an event's public calendar file, if the app serves one.
    calendar_url: Callable[[models.Model], str] | None = None


_subjects: dict[str, Subject] = {}


def _key(model):
    return model._meta.label_lower


def register(model, **subject):
    """Declare what an event about a `model` instance means (idempotent, last one wins)."""
    _subjects[_key(model)] = Subject(**subject)


def subject_of(obj) -> Subject:
    """The registration of `obj`'s model; LookupError if its app declared none."""
    try:
        return _subjects[_key(type(obj))]
    except KeyError:
        raise LookupError(f"No events subject registered for {_key(type(obj))}") from None
