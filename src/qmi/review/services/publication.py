"""Publishing a call's decisions: once, all together, with their letters held for checking.

Publishing fixes each decision and its letter, closes the call's review phases (scores
and decisions no longer change), holds one e-mail per member of each organisation in
the outbox until staff have read them, and carries the outcome into the programme:
the AMI's selected communes join the edition (every complete file may attend the
training); the call for projects' selected files are its laureates.
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import CharField
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from qmi.accounts.models import Membership
from qmi.calls.models import Application, Call
from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require
from qmi.mail.models import OutgoingEmail
from qmi.mail.services import absolute_url, notify, release
from qmi.programmes.models import EditionCommune
from qmi.programmes.services import add_commune, mark_training_eligible

from .. import letters, queries
from ..models import Decision, LetterTemplate, Phase, Publication

PUBLISH = "review.publish_decisions"
SHOWN_MISSING = 5


def _refuse_if_published(call):
    if Publication.objects.filter(call=call).exists():
        raise ValidationError(_("Les décisions de cet appel sont déjà publiées."))


@transaction.atomic
def save_letter_template(*, call, outcome, subject, body, by):
    """The letter of one outcome for this call; refused once the decisions are published."""
    require(by, PUBLISH, call)
    _refuse_if_published(call)
    if outcome not in Decision.Outcome.values:
        raise ValidationError(_("Choisissez une décision."))
    subject, body = plain_text(subject, "subject"), plain_text(body, "body")
    errors = letters.errors(subject, body)
    if errors:
        raise ValidationError(errors)
    template = LetterTemplate.objects.filter(call=call, outcome=outcome).first()
    creating = template is None
    if creating:
        template = LetterTemplate(call=call, outcome=outcome)
    return audit.save_with_audit(
        template,
        fields=["subject", "body"],
        values={"subject": subject, "body": body},
        by=by,
        creating=creating,
        audit_on=call,
        note=lambda saved: _("Courrier « %(outcome)s »") % {"outcome": saved.get_outcome_display()},
    )


def readiness(call):
    """What stops publication, as sentences; empty when the decisions may be published."""
    if Publication.objects.filter(call=call).exists():
        return [_("Les décisions de cet appel sont déjà publiées.")]
    problems = []
    complete = queries.reviewed_applications(call)
    if not complete.exists():
        problems.append(_("L'appel n'a aucun dossier complet : il n'y a rien à décider."))
    undecided = list(
        complete.filter(review_decision__isnull=True)
        .order_by("reference")
        .values_list("reference", flat=True)[: SHOWN_MISSING + 1]
    )
    if undecided:
        count = complete.filter(review_decision__isnull=True).count()
        shown = ", ".join(undecided[:SHOWN_MISSING]) + (" …" if count > SHOWN_MISSING else "")
        problems.append(
            ngettext(
                "%(count)s dossier complet n'a pas encore de décision : %(files)s.",
                "%(count)s dossiers complets n'ont pas encore de décision : %(files)s.",
                count,
            )
            % {"count": count, "files": shown}
        )
    # A file withdrawn or found inadmissible after its decision was staged is not decided.
    stale = Decision.objects.filter(application__call=call).exclude(
        application__status=Application.Status.COMPLETE
    )
    if stale.exists():
        problems.append(
            _(
                "Des décisions portent sur des dossiers qui ne sont plus complets "
                "(retirés ou irrecevables) : %(files)s."
            )
            % {
                "files": ", ".join(
                    stale.order_by("application__reference").values_list(
                        "application__reference", flat=True
                    )[:SHOWN_MISSING]
                )
            }
        )
    return problems


@transaction.atomic
def publish_decisions(*, call, by, now=None):
    """Publish every staged decision of the call at once. Returns the publication."""
    require(by, PUBLISH, call)
    call = Call.objects.select_for_update().select_related("edition").get(pk=call.pk)
    problems = readiness(call)
    if problems:
        raise ValidationError(problems)
    now = now or timezone.now()
    try:
        with transaction.atomic():
            publication = Publication.objects.create(call=call, published_by=by, published_at=now)
    except IntegrityError:
        raise ValidationError(_("Les décisions de cet appel sont déjà publiées.")) from None

    decisions = list(
        Decision.objects.filter(application__call=call)
        .select_related("application__organisation", "application__call__edition")
        .order_by("application__reference")
    )
    templates = letters.templates_of(call)
    for decision in decisions:
        decision.application.call = call
        subject, body = templates[decision.outcome]
        values = letters.values_for(decision, now)
        decision.letter_subject = letters.fill(subject, values)[:300]
        decision.letter_body = letters.fill(body, values)
        decision.published_at = now
    Decision.objects.bulk_update(decisions, ["letter_subject", "letter_body", "published_at"])

    closed = list(call.review_phases.exclude(status=Phase.Status.CLOSED))
    for phase in closed:
        phase.status = Phase.Status.CLOSED
        phase.save(update_fields=["status", "updated_at"])

    workspaces = _carry_outcomes(call, decisions, by)
    _hold_letters(call, decisions, workspaces)

    counts = dict.fromkeys(Decision.Outcome.labels, 0)
    for decision in decisions:
        counts[decision.get_outcome_display()] += 1
    audit.record(
        obj=call,
        actor=by,
        action="decisions_published",
        changes={str(label): [None, count] for label, count in counts.items()},
        note=ngettext(
            "%(count)s décision publiée ; courriers en attente de vérification.",
            "%(count)s décisions publiées ; courriers en attente de vérification.",
            len(decisions),
        )
        % {"count": len(decisions)},
    )
    return publication


def _carry_outcomes(call, decisions, by):
    """The AMI's outcome into the edition; returns {application id: commune workspace URL}."""
    if call.kind != Call.Kind.EXPRESSION_OF_INTEREST:
        return {}
    edition = call.edition
    communes = {}
    selected = set()
    for decision in decisions:
        commune = decision.application.organisation.commune
        if commune is None:
            continue
        communes[decision.application_id] = commune
        if decision.outcome == Decision.Outcome.SELECTED:
            selected.add(commune.pk)
    existing = {
        edition_commune.commune_id: edition_commune
        for edition_commune in EditionCommune.objects.filter(edition=edition)
    }
    for commune in {c.pk: c for c in communes.values()}.values():
        if commune.pk in selected and commune.pk not in existing:
            existing[commune.pk] = add_commune(edition=edition, commune=commune, district="", by=by)
    mark_training_eligible(
        edition=edition,
        communes={c.pk: c for c in communes.values()}.values(),
        selected=selected,
        by=by,
    )
    return {
        application_id: absolute_url(
            reverse("programmes:workspace", kwargs={"pk": existing[commune.pk].pk})
        )
        for application_id, commune in communes.items()
        if commune.pk in selected
    }


def _hold_letters(call, decisions, workspaces):
    members = {}
    for membership in (
        Membership.objects.filter(
            organisation__in={d.application.organisation_id for d in decisions},
            user__is_active=True,
        )
        .select_related("user")
        .order_by("pk")
    ):
        members.setdefault(membership.organisation_id, []).append(membership.user)
    for decision in decisions:
        application = decision.application
        notify(
            recipients=members.get(application.organisation_id, []),
            template="review/email/decision",
            context={
                "decision": decision,
                "application": application,
                "call": call,
                "workspace_url": workspaces.get(application.pk, ""),
                "training": call.kind == Call.Kind.EXPRESSION_OF_INTEREST,
            },
            url=reverse("calls:application", kwargs={"pk": application.pk}),
            about=decision,
            hold=True,
        )


def held_letters(call):
    """The e-mails of the call's decisions, whatever their state (the outbox page)."""
    return OutgoingEmail.objects.filter(
        about_type=ContentType.objects.get_for_model(Decision),
        about_id__in=Decision.objects.filter(application__call=call)
        .annotate(key=Cast("pk", CharField()))
        .values("key"),
    )


@transaction.atomic
def send_letters(*, call, by, emails=None):
    """Let the call's held decision e-mails leave (all of them, or those given)."""
    require(by, PUBLISH, call)
    if not Publication.objects.filter(call=call).exists():
        raise ValidationError(_("Les décisions ne sont pas encore publiées."))
    held = held_letters(call).filter(
        status__in=[OutgoingEmail.Status.HELD, OutgoingEmail.Status.FAILED]
    )
    if emails is not None:
        held = held.filter(pk__in=[email.pk for email in emails])
    held = list(held)
    if not held:
        raise ValidationError(_("Aucun courriel n'attend d'être envoyé."))
    return release(emails=held, by=by, permission=PUBLISH, about=call)
