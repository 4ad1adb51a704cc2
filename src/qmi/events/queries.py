"""Reads on events and registrations, shared by the owning apps' views and templates."""

from django.shortcuts import get_object_or_404
from django.utils import timezone

from .models import Event, Registration


def _about(about):
    # Filtering on the content type's natural key costs a join, not a (cached) extra query.
    meta = type(about)._meta
    return {
        "content_type__app_label": meta.app_label,
        "content_type__model": meta.model_name,
        "object_id": about.pk,
    }


def events_about(about, kind=None):
    """The events about `about`, earliest first."""
    events = Event.objects.filter(**_about(about)).order_by("starts_at", "pk")
    return events.filter(kind=kind) if kind else events


def upcoming_about(objects, *, limit=5, now=None):
    """Events to come about any of `objects` (of one model), earliest first."""
    objects = list(objects)
    if not objects:
        return []
    meta = type(objects[0])._meta
    return list(
        Event.objects.filter(
            content_type__app_label=meta.app_label,
            content_type__model=meta.model_name,
            object_id__in=[obj.pk for obj in objects],
            starts_at__gt=now or timezone.now(),
        ).order_by("starts_at", "pk")[:limit]
    )


def get_event_about(about, pk, kind=None):
    """The event `pk` if it is about `about` (404 otherwise); `about` is cached on it."""
    event = get_object_or_404(events_about(about, kind), pk=pk)
    event.about = about
    return event


def registrations_about(about):
    """Every confirmed registration to any event about `about` (for counts across its events)."""
    return Registration.objects.confirmed().filter(
        **{f"event__{k}": v for k, v in _about(about).items()}
    )


def registrations_of(event):
    """The registrations of `event` that count: confirmed ones, in the order they came."""
    return Registration.objects.confirmed().filter(event=event).order_by("created_at", "pk")


def pending_count(event):
    """How many registrations of `event` wait for their address to be confirmed."""
    return Registration.objects.pending().filter(event=event).count()


def is_open(event, now=None):
    """Registration stays open until the event starts."""
    return event.starts_at > (now or timezone.now())
