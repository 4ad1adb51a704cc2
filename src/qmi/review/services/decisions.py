"""Decisions staged before they are published: an outcome and its rationale per file."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.calls.models import Application
from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require

from ..models import Decision

MAX_RATIONALE = 5000


@transaction.atomic
def stage_decision(*, application, outcome, rationale, by):
    """Stage (or change) the file's pending decision; nobody outside staff sees it yet."""
    require(by, "review.stage_decisions")
    application = Application.objects.select_for_update().get(pk=application.pk)
    if application.status != Application.Status.COMPLETE:
        raise ValidationError(_("Seuls les dossiers complets reçoivent une décision."))
    errors = {}
    if outcome not in Decision.Outcome.values:
        errors["outcome"] = _("Choisissez une décision.")
    rationale = plain_text(rationale, "rationale")
    if not rationale:
        errors["rationale"] = _("Motivez la décision (l'équipe seule la lit avant publication).")
    elif len(rationale) > MAX_RATIONALE:
        errors["rationale"] = _("La motivation tient en 5 000 caractères au plus.")
    if errors:
        raise ValidationError(errors)
    decision = Decision.objects.filter(application=application).first()
    if decision is not None and decision.published_at is not None:
        raise ValidationError(_("Cette décision est publiée : elle ne change plus."))
    before = decision.get_outcome_display() if decision else None
    if decision is None:
        decision = Decision(application=application)
    decision.outcome, decision.rationale, decision.staged_by = outcome, rationale, by
    decision.save()
    audit.record(
        obj=application,
        actor=by,
        action="decision_staged",
        changes={"décision": [before, decision.get_outcome_display()]},
        note=rationale,
    )
    return decision


@transaction.atomic
def promote_from_waiting_list(*, application, rationale, by):
    """A published « Liste d'attente » becomes « Retenu » when a place frees up (a laureate
    withdrew): the one change a published decision allows, audited with its reason."""
    require(by, "review.publish_decisions", application.call)
    decision = Decision.objects.select_for_update().filter(application=application).first()
    if decision is None or decision.outcome != Decision.Outcome.WAITING_LIST:
        raise ValidationError(_("Ce dossier n'est pas sur la liste d'attente."))
    if decision.published_at is None:
        raise ValidationError(_("Les décisions de cet appel ne sont pas encore publiées."))
    decision.outcome = Decision.Outcome.SELECTED
    decision.save(update_fields=["outcome", "updated_at"])
    audit.record(
        obj=application,
        actor=by,
        action="decision_promoted",
        changes={
            "décision": [
                str(Decision.Outcome.WAITING_LIST.label),
                str(decision.get_outcome_display()),
            ]
        },
        note=rationale,
    )
    return decision
