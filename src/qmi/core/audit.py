"""The audit trail: every state change and back-office edit goes through `record`."""

import datetime
import decimal

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import ACTION_LABELS, CHANGE_LABELS, AuditEntry


def register_action_labels(labels):
    """Let an app name its audit actions (`{action: lazy label}`), from its AppConfig.ready()."""
    ACTION_LABELS.update(labels)


def register_change_labels(model, *, actions=("",), fields=None, values=None, like=None):
    """Let an app name the fields and values its entries on `model` record, from ready().

    The model's own verbose names and choices need no registration; this is for
    the rest: keys that are no field ("section", "position"), values a field does
    not list, or `like`, another model whose fields an action records (a call's
    "form_question_updated" records a question's fields). `actions` limits the
    words to some actions; the default, "", applies to every entry on the model.
    """
    for action in actions:
        CHANGE_LABELS.setdefault((model._meta.label_lower, action), []).append(
            {"fields": dict(fields or {}), "values": dict(values or {}), "like": like}
        )


def _plain(value):
    """JSON-friendly value, so the trail can be stored on SQLite and PostgreSQL alike."""
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dict | list | str | int | float | bool) or value is None:
        return value
    return str(value)


def snapshot(obj, fields):
    """The current values of `fields` on `obj`, foreign keys shown by their label."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before, after):
    """{field: [before, after]} for the fields whose value changed."""
    return {
        name: [before.get(name), after.get(name)]
        for name in after
        if before.get(name) != after.get(name)
    }


def record(*, obj, actor, action, changes=None, note=""):
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        actor_label=(actor.email if actor is not None and actor.is_authenticated else ""),
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=False),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes=changes or {},
        note=note,
    )


def entries_for(obj):
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=False)
    return AuditEntry.objects.filter(
        content_type=content_type, object_id=str(obj.pk)
    ).select_related("actor")


def save_with_audit(obj, *, fields, values, by, creating=False, audit_on=None, note=None):
    """Apply `values`, validate, save, and record what changed among `fields`.

    The entry goes on `audit_on` (the object itself by default: a call's FAQ is
    logged on the call). `note`, if given, is called with the saved object.
    """
    before = {} if creating else snapshot(obj, fields)
    for name, value in values.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    changes = diff(before, snapshot(obj, fields))
    if creating or changes:
        record(
            obj=audit_on or obj,
            actor=by,
            action="created" if creating else "updated",
            changes=changes,
            note=note(obj) if note else "",
        )
    return obj


def audit_context(user, obj):
    """The last entries of `obj`'s trail for a back-office page, for those who may read it.

    The link to the whole trail is built by includes/audit.html from
    `audit_content_type` and `audit_object_id`: the page lives in the top layer.
    """
    if not user.has_perm("core.view_audit"):
        return {}
    return {
        "audit_entries": entries_for(obj)[:20],
        "audit_content_type": ContentType.objects.get_for_model(obj).pk,
        "audit_object_id": obj.pk,
    }
