"""A call's FAQ: back-office entries and answers published from a question thread.

Each function is one transaction with one audit entry, recorded on the call so
that the call's change log tells the whole story of its page.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require

from ..models import Call, FaqEntry

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


def call_of(subject):
    """The call a thread's subject belongs to: the call itself, or an application's call."""
    return subject if isinstance(subject, Call) else subject.call


@transaction.atomic
def publish_to_faq(*, message, by, question, answer):
    """Staff turn a question of a thread into a published FAQ entry of the call, in their own words.

    The question is anonymised by staff in the form (prefilled with the
    message); nothing links the entry back to the organisation publicly.
    """
    thread = message.thread
    require(by, "messaging.manage_threads", thread)
    question, answer = (question or "").strip(), (answer or "").strip()
    errors = {}
    if not question:
        errors["question"] = _("Rédigez la question telle qu'elle sera publiée.")
    if not answer:
        errors["answer"] = _("Rédigez la réponse.")
    if errors:
        raise ValidationError(errors)
    call = Call.objects.select_for_update().get(pk=call_of(thread.subject).pk)
    last = FaqEntry.objects.filter(call=call).aggregate(last=Max("order"))["last"]
    entry = FaqEntry.objects.create(
        call=call,
        question=question,
        answer=answer,
        order=(last or 0) + 1,
        is_published=True,
    )
    audit.record(
        obj=entry,
        actor=by,
        action="created",
        note=_("Publiée depuis le message n°%(message)s de l'échange n°%(thread)s.")
        % {"message": message.pk, "thread": thread.pk},
    )
    return entry
