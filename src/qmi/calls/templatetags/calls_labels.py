"""Template tags of the back office's labels and private notes (operator staff pages only)."""

from django import template
from django.db.models import Prefetch, prefetch_related_objects

from ..forms.staff import NoteForm
from ..models import Label, StaffNote

register = template.Library()


@register.simple_tag
def attach_labels(rows):
    """Load the labels of every application of the list's rows in one query."""
    applications = [row["application"] for row in rows]
    prefetch_related_objects(
        applications, Prefetch("labels", queryset=Label.objects.order_by("name", "pk"))
    )
    return ""


@register.inclusion_tag("calls/staff/_labels_panel.html", takes_context=True)
def labels_and_notes(context, application):
    """The labels and private notes block of the staff's application page."""
    labels = list(Label.objects.filter(call_id=application.call_id).order_by("name", "pk"))
    present = set(application.label_links.values_list("label_id", flat=True))
    notes = StaffNote.objects.filter(application=application).select_related("author")
    return {
        "application": application,
        "applied_labels": [label for label in labels if label.pk in present],
        "other_labels": [label for label in labels if label.pk not in present],
        "notes": notes.order_by("-created_at", "-pk"),
        "note_form": NoteForm(),
        "user": context.get("user"),
        "csrf_token": context.get("csrf_token"),
    }
