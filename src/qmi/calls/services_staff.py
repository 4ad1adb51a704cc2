"""Back-office operations on a call's FAQ, and bulk decisions (sessions: qmi.events).

Each function is one transaction with one audit entry, recorded on the call so
that the call's change log tells the whole story of its page.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require
from qmi.core.workflow import TransitionNotAllowed

from . import services
from .models import Application, FaqEntry

FAQ_FIELDS = ["question", "answer", "order", "is_published"]


def _save(*, model, fields, call, obj, by, values, label, what):
    require(by, "calls.manage_calls")
    creating = obj is None
    obj = obj or model(call=call)
    template = (
        _("%(what)s ajoutée : « %(label)s »")
        if creating
        else _("%(what)s modifiée : « %(label)s »")
    )
    obj = audit.save_with_audit(
        obj,
        fields=fields,
        values=values,
        by=by,
        creating=creating,
        audit_on=call,
        note=lambda saved: template % {"what": what, "label": label(saved)},
    )
    return obj


def _delete(*, obj, fields, by, label, what):
    require(by, "calls.manage_calls")
    call = obj.call
    audit.record(
        obj=call,
        actor=by,
        action="deleted",
        changes={name: [value, None] for name, value in audit.snapshot(obj, fields).items()},
        note=_("%(what)s supprimée : « %(label)s »") % {"what": what, "label": label(obj)},
    )
    obj.delete()


def _faq_label(entry):
    return entry.question[:80]


@transaction.atomic
def save_faq(*, call, by, entry=None, **values):
    """Add (entry=None) or change a question of the call's FAQ."""
    return _save(
        model=FaqEntry,
        fields=FAQ_FIELDS,
        call=call,
        obj=entry,
        by=by,
        values=values,
        label=_faq_label,
        what=_("Question fréquente"),
    )


@transaction.atomic
def delete_faq(*, entry, by):
    _delete(obj=entry, fields=FAQ_FIELDS, by=by, label=_faq_label, what=_("Question fréquente"))


@transaction.atomic
def set_faq_published(*, entry, by, published):
    entry = FaqEntry.objects.select_for_update().get(pk=entry.pk)
    return _save(
        model=FaqEntry,
        fields=FAQ_FIELDS,
        call=entry.call,
        obj=entry,
        by=by,
        values={"is_published": published},
        label=_faq_label,
        what=_("Question fréquente"),
    )


def bulk_mark_complete(*, call, application_ids, by):
    """Declare each selected submitted application complete, each in its own transaction.

    Returns (done, failed): the references declared complete, and
    [(reference, reason)] for those that could not be.
    """
    done, failed = [], []
    applications = Application.objects.filter(call=call, pk__in=application_ids).order_by(
        "reference"
    )
    for application in applications:
        try:
            services.mark_complete(application=application, by=by)
        except (TransitionNotAllowed, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            failed.append((application.reference, message))
        except PermissionDenied:
            failed.append((application.reference, _("Vous n'avez pas le droit de le faire.")))
        else:
            done.append(application.reference)
    return done, failed
