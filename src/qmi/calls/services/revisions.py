"""Form revisions: the draft staff edit, copying a form, publishing a revision.

Applications keep the revision they were started on; publishing makes a new
revision current for the applications started afterwards.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.core import audit
from qmi.core.permissions import require as _require

from ..models import (
    Application,
    FormRevision,
    Question,
)

Status = Application.Status


def editable_revision(call):
    """The revision staff edit: the unpublished one, created from the current one if needed."""
    draft = call.revisions.filter(published_at__isnull=True).order_by("-number").first()
    if draft is not None:
        return draft
    current = call.current_revision
    draft = FormRevision.objects.create(call=call, number=(current.number if current else 0) + 1)
    if current is not None:
        copy_form(current, draft)
    return draft


def copy_form(source, target):
    for section in source.sections.prefetch_related("questions"):
        questions = list(section.questions.all())
        section.pk = None
        section.revision = target
        section.save()
        for question in questions:
            question.pk = None
            question.section = section
            question.save()


@transaction.atomic
def publish_revision(*, revision, by):
    """Make the revision the call's form; drafts move to it and keep every answer by key."""
    _require(by, "calls.manage_calls")
    revision = FormRevision.objects.select_for_update().get(pk=revision.pk)
    if revision.published_at is not None:
        raise ValidationError(_("Cette révision est déjà publiée."))
    if not Question.objects.filter(section__revision=revision).exists():
        raise ValidationError(_("Le formulaire ne contient encore aucune question."))
    keys = list(Question.objects.filter(section__revision=revision).values_list("key", flat=True))
    if len(keys) != len(set(keys)):
        raise ValidationError(_("Deux questions du formulaire ont la même clé."))
    revision.published_at = timezone.now()
    revision.save(update_fields=["published_at"])
    moved = Application.objects.filter(
        call=revision.call, status__in=[Status.DRAFT, Status.CORRECTION_REQUESTED]
    ).update(revision=revision)
    audit.record(
        obj=revision.call,
        actor=by,
        action="form_published",
        changes={"révision": [revision.number - 1 or None, revision.number]},
        note=ngettext(
            "%(count)s brouillon passé à la nouvelle révision.",
            "%(count)s brouillons passés à la nouvelle révision.",
            moved,
        )
        % {"count": moved},
    )
    return revision
