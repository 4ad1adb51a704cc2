"""Examination of submitted applications by operator staff: correction, complete, inadmissible."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core.workflow import TransitionNotAllowed, transition
from qmi.mail.services import notify

from ..models import (
    Application,
    CorrectionRequest,
)
from ..queries import application_members

Status = Application.Status


@transaction.atomic
def request_correction(*, application, by, message, due_at):
    if not message.strip():
        raise ValidationError({"message": _("Dites ce qui manque ou doit être corrigé.")})
    if due_at <= timezone.now():
        raise ValidationError({"due_at": _("La date limite doit être dans le futur.")})
    application = transition(
        application,
        workflow=Application.workflow,
        target=Status.CORRECTION_REQUESTED,
        by=by,
        note=message,
    )
    correction = CorrectionRequest.objects.create(
        application=application, message=message, due_at=due_at, requested_by=by
    )
    notify(
        recipients=application_members(application),
        template="calls/email/correction_requested",
        context={"application": application, "correction": correction},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )
    return correction


@transaction.atomic
def mark_complete(*, application, by):
    """Declare the file complete; its organisation's members are told, as of every change."""
    application = transition(
        application, workflow=Application.workflow, target=Status.COMPLETE, by=by
    )
    notify(
        recipients=application_members(application),
        template="calls/email/complete",
        context={"application": application},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )
    return application


@transaction.atomic
def mark_inadmissible(*, application, by, reason):
    application = transition(
        application, workflow=Application.workflow, target=Status.INADMISSIBLE, by=by, note=reason
    )
    notify(
        recipients=application_members(application),
        template="calls/email/inadmissible",
        context={"application": application, "reason": reason},
        url=reverse("calls:application", kwargs={"pk": application.pk}),
    )
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
