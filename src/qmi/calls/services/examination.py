"""Examination of submitted applications by operator staff: correction, complete, inadmissible.

A correction request stays open after the applicant deposits the file again:
staff read the new deposit, then resolve the request (`resolve_correction`),
ask again (`request_correction`, which closes the earlier request), or declare
the file complete (which resolves it too).
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require
from qmi.core.workflow import TransitionNotAllowed, transition
from qmi.mail.services import notify

from ..models import (
    Application,
    CorrectionRequest,
    RequestedDocument,
)
from ..queries import application_members, open_correction

MAX_REQUESTED_DOCUMENTS = 5

Status = Application.Status


def _tell_members(application, template, **context):
    """Every change of a file's state is told to its organisation's members, linked to it."""
    notify(
        recipients=application_members(application),
        template=template,
        context={"application": application, **context},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )


def _clean_requested(documents):
    """[(label, help text)] from what staff typed: blank labels dropped, lengths checked."""
    cleaned = []
    for label, help_text in documents:
        label, help_text = (label or "").strip(), (help_text or "").strip()
        if not label:
            if help_text:
                raise ValidationError(
                    {"documents": _("Donnez un intitulé à chaque pièce demandée.")}
                )
            continue
        if len(label) > 200 or len(help_text) > 1000:
            raise ValidationError(
                {
                    "documents": _(
                        "L'intitulé d'une pièce tient en 200 caractères, ses précisions en 1 000."
                    )
                }
            )
        cleaned.append((label, help_text))
    if len(cleaned) > MAX_REQUESTED_DOCUMENTS:
        raise ValidationError(
            {
                "documents": _("%(count)s pièces au plus par demande de correction.")
                % {"count": MAX_REQUESTED_DOCUMENTS}
            }
        )
    return cleaned


@transaction.atomic
def request_correction(*, application, by, message, due_at, documents=()):
    """Send the file back to its organisation, possibly asking for documents the form lacked.

    `documents` are (label, help text) pairs: each becomes an upload slot in the
    applicant's correction view. A request still open (the file was deposited
    again and staff ask again) is closed: the new one says what remains.
    """
    if not message.strip():
        raise ValidationError({"message": _("Dites ce qui manque ou doit être corrigé.")})
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("La date limite doit être dans le futur.")})
    requested = _clean_requested(documents)
    application = transition(
        application,
        workflow=Application.workflow,
        target=Status.CORRECTION_REQUESTED,
        by=by,
        note=message,
    )
    application.correction_requests.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    correction = CorrectionRequest.objects.create(
        application=application, message=message, due_at=due_at, requested_by=by
    )
    RequestedDocument.objects.bulk_create(
        RequestedDocument(correction=correction, label=label, help_text=help_text, order=order)
        for order, (label, help_text) in enumerate(requested)
    )
    if requested:
        audit.record(
            obj=application,
            actor=by,
            action="documents_requested",
            changes={"documents": [label for label, _help in requested]},
        )
    _tell_members(application, "calls/email/correction_requested", correction=correction)
    return correction


@transaction.atomic
def resolve_correction(*, application, by):
    """Staff say the new deposit answers the open correction request; members are told.

    Only once the file was deposited again (submitted): before that, the applicant
    is still correcting it.
    """
    application = Application.objects.select_for_update().get(pk=application.pk)
    require(by, "calls.examine_application", application)
    correction = open_correction(application)
    if correction is None:
        raise ValidationError(_("Aucune demande de correction n'est en attente sur ce dossier."))
    if application.status != Status.SUBMITTED:
        raise ValidationError(
            _("Le dossier n'a pas encore été déposé à nouveau : la correction attend le candidat.")
        )
    correction.resolved_at = timezone.now()
    correction.resolved_by = by
    correction.save(update_fields=["resolved_at", "resolved_by"])
    audit.record(obj=application, actor=by, action="correction_resolved", note=correction.message)
    _tell_members(application, "calls/email/correction_resolved", correction=correction)
    return correction


@transaction.atomic
def mark_complete(*, application, by):
    """Declare the file complete; its organisation's members are told, as of every change.

    A correction request still open is resolved with it: the file is complete.
    """
    application = transition(
        application, workflow=Application.workflow, target=Status.COMPLETE, by=by
    )
    application.correction_requests.filter(resolved_at__isnull=True).update(
        resolved_at=timezone.now(), resolved_by=by
    )
    _tell_members(application, "calls/email/complete")
    return application


@transaction.atomic
def mark_inadmissible(*, application, by, reason):
    application = transition(
        application, workflow=Application.workflow, target=Status.INADMISSIBLE, by=by, note=reason
    )
    _tell_members(application, "calls/email/inadmissible", reason=reason)
    return application


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
            mark_complete(application=application, by=by)
        except (TransitionNotAllowed, ValidationError) as error:
            message = error.messages[0] if isinstance(error, ValidationError) else str(error)
            failed.append((application.reference, message))
        except PermissionDenied:
            failed.append((application.reference, _("Vous n'avez pas le droit de le faire.")))
        else:
            done.append(application.reference)
    return done, failed
