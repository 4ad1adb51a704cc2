"""Copies of files with what identifies the applicant taken out, for blind phases."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.calls.queries import questions_of
from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require

from ..blind import REDACTED_KINDS
from ..models import RedactedCopy

MAX_CHARS = 20000


def redacted_questions(application):
    return [q for q in questions_of(application.revision) if q.kind in REDACTED_KINDS]


@transaction.atomic
def save_redacted_copy(*, application, answers, by):
    """Keep staff's copy of the file's free-text answers; every one of them, or refused."""
    require(by, "review.manage_review")
    cleaned = {}
    for question in redacted_questions(application):
        text = plain_text(answers.get(question.key), question.key)
        if len(text) > MAX_CHARS:
            raise ValidationError(
                {
                    question.key: _("Cette réponse tient en %(count)s caractères au plus.")
                    % {"count": f"{MAX_CHARS:,}".replace(",", "\u202f")}
                }
            )
        cleaned[question.key] = text
    copy, _created = RedactedCopy.objects.update_or_create(
        application=application, defaults={"answers": cleaned, "prepared_by": by}
    )
    audit.record(obj=application, actor=by, action="redacted_copy_saved")
    return copy
