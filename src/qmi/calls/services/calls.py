"""A call's own life: create, edit and move it through its workflow (audited)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.permissions import require as _require
from qmi.core.workflow import transition

from ..html import clean_html
from ..models import (
    Call,
    FormRevision,
)

CALL_FIELDS = [
    "edition",
    "kind",
    "title",
    "slug",
    "presentation",
    "eligible_kinds",
    "opens_at",
    "closes_at",
    "contact_name",
    "contact_email",
    "criteria",
    "reference_prefix",
    "title_en",
    "presentation_en",
    "criteria_en",
]


@transaction.atomic
def save_call(*, by, call=None, **values):
    _require(by, "calls.manage_calls")
    for field in ("presentation", "presentation_en"):
        if field in values:
            # Whoever calls this service, applicants only ever read sanitised HTML.
            values[field] = clean_html(values[field])
    creating = call is None
    call = audit.save_with_audit(
        call or Call(), fields=CALL_FIELDS, values=values, by=by, creating=creating
    )
    if creating:
        FormRevision.objects.create(call=call, number=1)
    return call


def move_call(*, call, target, by, note=""):
    """Publish, close or reopen; publishing needs a published form."""
    if target == Call.Status.PUBLISHED and call.current_revision is None:
        raise ValidationError(_("Publiez d'abord le formulaire de l'appel."))
    return transition(call, workflow=Call.workflow, target=target, by=by, note=note)
