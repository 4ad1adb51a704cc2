"""What changes an experiment: opened, moved and closed by the allocation, moved by staff.

Each function is one transaction with its audit entry and its history row. The three the
allocation's signals call (`open_experiment`, `move_experiment`, `withdraw_experiment`)
run inside the allocation's publishing transaction: a refusal (ValidationError) undoes
the publication with it.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from qmi.calls.models import Application
from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.workflow import TransitionNotAllowed, transition
from qmi.programmes.models import Challenge, Sector

from .models import Experiment, ExperimentEvent, Status

# Questions of a call for projects that name the solution, most specific first.
TITLE_KEYS = ("solution-nom", "nom-de-la-solution", "nom-du-projet", "projet", "titre")
TITLE_LENGTH = Experiment._meta.get_field("title").max_length


def title_for(application):
    """The project's name if the form asked for one, else the laureate's organisation's."""
    answers = application.answers or {}
    for key in TITLE_KEYS:
        value = answers.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()[:TITLE_LENGTH]
    return application.organisation.name[:TITLE_LENGTH]


def _parties(edition_commune):
    """The challenge and sector the commune defined for the edition (either may be missing)."""
    return (
        Challenge.objects.filter(edition_commune=edition_commune).first(),
        Sector.objects.filter(edition_commune=edition_commune).first(),
    )


def _event(experiment, kind, by, **fields):
    return ExperimentEvent.objects.create(
        experiment=experiment,
        kind=kind,
        by=by if by is not None and by.is_authenticated else None,
        **fields,
    )


@transaction.atomic
def open_experiment(*, placement, by):
    """The experiment of a published placement, opened « En cadrage »; the existing one if
    the application has one already (a second publication never makes a second record)."""
    # Locking the application serialises two publications of the same laureate.
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .get(pk=placement.application_id)
    )
    existing = Experiment.objects.filter(application=application).first()
    if existing is not None:
        return existing
    edition_commune = placement.commune.edition_commune
    challenge, sector = _parties(edition_commune)
    experiment = Experiment.objects.create(
        edition_id=edition_commune.edition_id,
        application=application,
        organisation=application.organisation,
        edition_commune=edition_commune,
        challenge=challenge,
        sector=sector,
        placement=placement,
        title=title_for(application),
        status=Status.FRAMING,
    )
    _event(
        experiment,
        ExperimentEvent.Kind.CREATED,
        by,
        to_commune=edition_commune,
        to_status=Status.FRAMING,
    )
    audit.record(
        obj=experiment,
        actor=by,
        action="experiment_opened",
        changes={
            "edition_commune": [None, str(edition_commune)],
            "status": [None, Status.FRAMING],
        },
    )
    return experiment


@transaction.atomic
def move_experiment(*, experiment, placement, by):
    """Follow the laureate to its new commune; only while framing, before anything started."""
    experiment = (
        Experiment.objects.select_for_update(of=("self",))
        .select_related("edition_commune__commune")
        .get(pk=experiment.pk)
    )
    if experiment.status != Status.FRAMING:
        raise ValidationError(
            _(
                "L'expérimentation « %(title)s » n'est plus en cadrage (%(status)s) : "
                "elle ne peut plus changer de commune."
            )
            % {"title": experiment.title, "status": experiment.get_status_display()}
        )
    if placement.application_id != experiment.application_id:
        raise ValidationError(_("Ce placement est celui d'un autre dossier."))
    source = experiment.edition_commune
    target = placement.commune.edition_commune
    if target.edition_id != experiment.edition_id:
        raise ValidationError(_("La nouvelle commune ne fait pas partie de la même édition."))
    experiment.challenge, experiment.sector = _parties(target)
    experiment.edition_commune, experiment.placement = target, placement
    experiment.save(
        update_fields=["edition_commune", "challenge", "sector", "placement", "updated_at"]
    )
    if source.pk != target.pk:
        _event(
            experiment,
            ExperimentEvent.Kind.MOVED,
            by,
            from_commune=source,
            to_commune=target,
        )
        audit.record(
            obj=experiment,
            actor=by,
            action="experiment_moved",
            changes={"edition_commune": [str(source), str(target)]},
        )
    return experiment


def _status_now(experiment):
    """The stored state, its row locked until the transaction ends."""
    return (
        Experiment.objects.select_for_update()
        .values_list("status", flat=True)
        .get(pk=experiment.pk)
    )


@transaction.atomic
def change_status(*, experiment, target, by, note=""):
    """Move the experiment along its table (operator staff); the note explains stops."""
    note = plain_text(note, "note")
    source = _status_now(experiment)
    try:
        moved = transition(
            experiment, workflow=Experiment.workflow, target=target, by=by, note=note
        )
    except TransitionNotAllowed as error:
        raise ValidationError(str(error)) from None
    _event(
        moved,
        ExperimentEvent.Kind.STATUS_CHANGED,
        by,
        from_status=source,
        to_status=target,
        note=note,
    )
    return moved


@transaction.atomic
def withdraw_experiment(*, experiment, by, note):
    """The laureate withdrew: its experiment closes as « Désistée » (once)."""
    status = _status_now(experiment)
    if status == Status.WITHDRAWN:
        experiment.status = status
        return experiment
    if status in (Status.FINISHED, Status.STOPPED):
        raise ValidationError(
            _(
                "L'expérimentation « %(title)s » est déjà close (%(status)s) : "
                "le désistement ne peut plus la clore."
            )
            % {"title": experiment.title, "status": Status(status).label}
        )
    return change_status(experiment=experiment, target=Status.WITHDRAWN, by=by, note=note)
