"""Labels of a call's applications and private staff notes: one function per intention.

Each function is one transaction with one audit entry per object it changes:
label definitions are recorded on the call, labels put on or taken off an
application and notes on the application. Note bodies never go into the
audit trail: they stay in the notes, readable by operator staff only.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit, versions
from qmi.core.permissions import require

from ..funnel import APPLICATIONS
from ..models import Application, ApplicationLabel, Label, StaffNote

LABEL_FIELDS = ["name", "colour"]
BULK_LIMIT = 1000


def _names(application):
    return sorted(application.labels.values_list("name", flat=True))


def filter_by_label(queryset, label_id):
    """The applications carrying the label `label_id` (ignored when empty or not a number)."""
    try:
        label_id = int(label_id)
    except (TypeError, ValueError):
        return queryset
    return queryset.filter(label_links__label_id=label_id)


# Label definitions (per call) --------------------------------------------------


def _check_name(call, name, exclude=None):
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom à l'étiquette.")})
    others = Label.objects.filter(call=call, name__iexact=name)
    if exclude is not None:
        others = others.exclude(pk=exclude.pk)
    if others.exists():
        raise ValidationError({"name": _("Cet appel a déjà une étiquette de ce nom.")})
    return name


@transaction.atomic
def create_label(*, call, by, name, colour):
    require(by, "calls.manage_calls")
    label = Label(call=call, name=_check_name(call, name), colour=colour)
    label.full_clean()
    label.save()
    audit.record(
        obj=call,
        actor=by,
        action="created",
        changes={
            field: [None, value] for field, value in audit.snapshot(label, LABEL_FIELDS).items()
        },
        note=_("Étiquette ajoutée : « %(name)s »") % {"name": label.name},
    )
    return label


@transaction.atomic
def update_label(*, label, by, name, colour):
    require(by, "calls.manage_calls")
    label = Label.objects.select_for_update().get(pk=label.pk)
    before = audit.snapshot(label, LABEL_FIELDS)
    label.name = _check_name(label.call, name, exclude=label)
    label.colour = colour
    label.full_clean()
    label.save()
    changes = audit.diff(before, audit.snapshot(label, LABEL_FIELDS))
    if changes:
        audit.record(
            obj=label.call,
            actor=by,
            action="updated",
            changes=changes,
            note=_("Étiquette modifiée : « %(name)s »") % {"name": label.name},
        )
    return label


@transaction.atomic
def delete_label(*, label, by):
    """Delete the label; it is taken off every application that carried it."""
    require(by, "calls.manage_calls")
    count = label.links.count()
    audit.record(
        obj=label.call,
        actor=by,
        action="deleted",
        changes={
            **{
                field: [value, None] for field, value in audit.snapshot(label, LABEL_FIELDS).items()
            },
            "applications": [count, 0],
        },
        note=_("Étiquette supprimée : « %(name)s »") % {"name": label.name},
    )
    label.delete()


# Labels on applications ----------------------------------------------------------


def _check_same_call(application, label):
    if label.call_id != application.call_id:
        raise ValidationError(_("Cette étiquette n'appartient pas à l'appel du dossier."))


@transaction.atomic
def add_label(*, application, label, by):
    """Put the label on the application; False when it was already there (nothing recorded)."""
    require(by, "calls.examine_application")
    _check_same_call(application, label)
    before = _names(application)
    _link, created = ApplicationLabel.objects.get_or_create(
        application=application,
        label=label,
        defaults={"added_by": by, "added_at": timezone.now()},
    )
    if created:
        audit.record(
            obj=application,
            actor=by,
            action="updated",
            changes={"labels": [before, _names(application)]},
            note=_("Étiquette ajoutée : « %(name)s »") % {"name": label.name},
        )
    return created


@transaction.atomic
def remove_label(*, application, label, by):
    """Take the label off the application; False when it was not there."""
    require(by, "calls.examine_application")
    _check_same_call(application, label)
    before = _names(application)
    deleted, _detail = ApplicationLabel.objects.filter(
        application=application, label=label
    ).delete()
    if deleted:
        audit.record(
            obj=application,
            actor=by,
            action="updated",
            changes={"labels": [before, _names(application)]},
            note=_("Étiquette retirée : « %(name)s »") % {"name": label.name},
        )
    return bool(deleted)


@transaction.atomic
def bulk_add_label(*, call, application_ids, label, by):
    """Put the label on each selected application of the call, in one transaction.

    Returns the references newly labelled (those that already had it are left alone).
    """
    require(by, "calls.examine_application")
    if label.call_id != call.pk:
        raise ValidationError(_("Cette étiquette n'appartient pas à cet appel."))
    ids = list(application_ids)[:BULK_LIMIT]
    already = set(
        ApplicationLabel.objects.filter(label=label, application_id__in=ids).values_list(
            "application_id", flat=True
        )
    )
    applications = list(
        Application.objects.filter(call=call, pk__in=ids)
        .exclude(pk__in=already)
        .order_by("reference")
    )
    now = timezone.now()
    ApplicationLabel.objects.bulk_create(
        [
            ApplicationLabel(application=application, label=label, added_by=by, added_at=now)
            for application in applications
        ],
        ignore_conflicts=True,
    )
    versions.bump(APPLICATIONS)  # bulk_create sends no signal: the kept lists must know
    note = _("Étiquette ajoutée : « %(name)s »") % {"name": label.name}
    for application in applications:
        audit.record(
            obj=application,
            actor=by,
            action="updated",
            changes={"labels": [None, label.name]},
            note=note,
        )
    return [application.reference for application in applications]


# Private notes ------------------------------------------------------------------------


@transaction.atomic
def add_note(*, application, by, body):
    require(by, "calls.examine_application")
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("La note est vide.")})
    note = StaffNote(application=application, author=by, body=body)
    note.full_clean()
    note.save()
    audit.record(
        obj=application,
        actor=by,
        action="created",
        changes={"staff_note": [None, note.pk]},
        note=_("Note privée ajoutée"),
    )
    return note


@transaction.atomic
def delete_note(*, note, by):
    """Only the note's author may delete it."""
    require(by, "calls.examine_application")
    if note.author_id is None or note.author_id != by.pk:
        raise PermissionDenied
    audit.record(
        obj=note.application,
        actor=by,
        action="deleted",
        changes={"staff_note": [note.pk, None]},
        note=_("Note privée supprimée"),
    )
    note.delete()
