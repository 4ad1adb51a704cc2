"""Opening, moving and closing experiments, and the allocation's signals that do it."""

import pytest
from django.core.exceptions import ValidationError

from qmi.allocation import signals
from qmi.allocation.models import Placement
from qmi.calls.models import Question
from qmi.core.audit import entries_for
from qmi.experiments.models import Experiment, ExperimentEvent, Status
from qmi.experiments.services import (
    change_status,
    move_experiment,
    open_experiment,
    withdraw_experiment,
)
from tests.factories import add_question

pytestmark = pytest.mark.django_db


def test_a_placement_opens_one_experiment_in_framing_with_its_parties(programme, staff):
    add_question(programme.call, "solution-nom", Question.Kind.SHORT_TEXT)
    application = programme.laureate(answers={"solution-nom": "Banc rafraîchissant"})
    placement = programme.place(application, commune=1)
    experiment = open_experiment(placement=placement, by=staff)

    commune = programme.communes[1].edition_commune
    assert experiment.status == Status.FRAMING
    assert experiment.title == "Banc rafraîchissant"
    assert experiment.application == application
    assert experiment.organisation == application.organisation
    assert experiment.edition == programme.edition
    assert experiment.edition_commune == commune
    assert experiment.challenge == commune.challenge
    assert experiment.sector == commune.sector
    assert experiment.placement == placement
    [event] = experiment.events.all()
    assert (event.kind, event.to_commune, event.to_status, event.by) == (
        ExperimentEvent.Kind.CREATED,
        commune,
        Status.FRAMING,
        staff,
    )
    assert entries_for(experiment).get().action == "experiment_opened"


def test_without_a_project_name_the_organisation_names_the_experiment(programme, staff):
    placement = programme.place()
    experiment = open_experiment(placement=placement, by=staff)
    assert experiment.title == placement.application.organisation.name


def test_a_commune_without_challenge_or_sector_still_opens_one(programme, staff):
    edition_commune = programme.communes[0].edition_commune
    edition_commune.challenge.delete()
    edition_commune.sector.delete()
    experiment = open_experiment(placement=programme.place(), by=staff)
    assert experiment.challenge is None and experiment.sector is None


def test_a_second_opening_returns_the_same_experiment(programme, staff):
    placement = programme.place()
    first = open_experiment(placement=placement, by=staff)
    second = open_experiment(placement=placement, by=staff)
    assert second.pk == first.pk
    assert Experiment.objects.filter(application=placement.application).count() == 1
    assert first.events.count() == 1
    assert entries_for(first).count() == 1


def test_a_laureate_moved_in_framing_takes_its_experiment_along(programme, staff):
    placement = programme.place(commune=0)
    experiment = open_experiment(placement=placement, by=staff)
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.MOVED)
    new = programme.place(placement.application, commune=1)

    moved = move_experiment(experiment=experiment, placement=new, by=staff)
    source, target = (c.edition_commune for c in programme.communes)
    assert moved.edition_commune == target
    assert (moved.challenge, moved.sector, moved.placement) == (
        target.challenge,
        target.sector,
        new,
    )
    event = moved.events.get(kind=ExperimentEvent.Kind.MOVED)
    assert (event.from_commune, event.to_commune, event.by) == (source, target, staff)
    entry = entries_for(moved).get(action="experiment_moved")
    assert entry.changes == {"edition_commune": [str(source), str(target)]}


@pytest.mark.parametrize("status", [Status.PREPARATION, Status.RUNNING, Status.WITHDRAWN])
def test_an_experiment_past_framing_does_not_move(programme, staff, status):
    placement = programme.place(commune=0)
    experiment = open_experiment(placement=placement, by=staff)
    Experiment.objects.filter(pk=experiment.pk).update(status=status)
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.MOVED)
    new = programme.place(placement.application, commune=1)
    with pytest.raises(ValidationError, match="n'est plus en cadrage"):
        move_experiment(experiment=experiment, placement=new, by=staff)
    experiment.refresh_from_db()
    assert experiment.edition_commune == programme.communes[0].edition_commune
    assert not experiment.events.filter(kind=ExperimentEvent.Kind.MOVED).exists()


def test_a_placement_of_another_file_does_not_move_it(programme, staff):
    experiment = open_experiment(placement=programme.place(commune=0), by=staff)
    other = programme.place(commune=1)
    with pytest.raises(ValidationError, match="autre dossier"):
        move_experiment(experiment=experiment, placement=other, by=staff)


def test_withdrawal_closes_the_experiment_once(programme, staff):
    experiment = open_experiment(placement=programme.place(), by=staff)
    change_status(experiment=experiment, target=Status.PREPARATION, by=staff)
    withdrawn = withdraw_experiment(experiment=experiment, by=staff, note="Projet abandonné")
    assert withdrawn.status == Status.WITHDRAWN
    event = withdrawn.events.filter(kind=ExperimentEvent.Kind.STATUS_CHANGED).first()
    assert (event.from_status, event.to_status, event.note) == (
        Status.PREPARATION,
        Status.WITHDRAWN,
        "Projet abandonné",
    )
    again = withdraw_experiment(experiment=experiment, by=staff, note="Encore")
    assert again.status == Status.WITHDRAWN
    assert withdrawn.events.filter(to_status=Status.WITHDRAWN).count() == 1


def test_withdrawal_needs_its_reason(programme, staff):
    experiment = open_experiment(placement=programme.place(), by=staff)
    with pytest.raises(ValidationError):
        withdraw_experiment(experiment=experiment, by=staff, note="")
    experiment.refresh_from_db()
    assert experiment.status == Status.FRAMING


@pytest.mark.parametrize("status", [Status.FINISHED, Status.STOPPED])
def test_a_closed_experiment_is_not_withdrawn(programme, staff, status):
    experiment = open_experiment(placement=programme.place(), by=staff)
    Experiment.objects.filter(pk=experiment.pk).update(status=status)
    with pytest.raises(ValidationError, match="déjà close"):
        withdraw_experiment(experiment=experiment, by=staff, note="Trop tard")
    experiment.refresh_from_db()
    assert experiment.status == status


# The allocation's signals ----------------------------------------------------------------


def test_a_published_placement_opens_its_experiment(programme, staff):
    placement = programme.place(commune=1)
    signals.placement_published.send(sender=Placement, placement=placement, by=staff)
    signals.placement_published.send(sender=Placement, placement=placement, by=staff)
    experiment = Experiment.objects.get(application=placement.application)
    assert experiment.edition_commune == programme.communes[1].edition_commune
    assert experiment.status == Status.FRAMING


def test_a_moved_placement_moves_its_experiment(programme, staff):
    previous = programme.place(commune=0)
    signals.placement_published.send(sender=Placement, placement=previous, by=staff)
    Placement.objects.filter(pk=previous.pk).update(status=Placement.Status.MOVED)
    placement = programme.place(previous.application, commune=1)
    signals.placement_moved.send(sender=Placement, previous=previous, placement=placement, by=staff)
    experiment = Experiment.objects.get(application=placement.application)
    assert experiment.edition_commune == programme.communes[1].edition_commune
    assert experiment.placement == placement
    assert experiment.events.filter(kind=ExperimentEvent.Kind.MOVED).count() == 1


def test_a_move_of_a_laureate_without_experiment_opens_it_where_it_goes(programme, staff):
    previous = programme.place(commune=0)
    Placement.objects.filter(pk=previous.pk).update(status=Placement.Status.MOVED)
    placement = programme.place(previous.application, commune=1)
    signals.placement_moved.send(sender=Placement, previous=previous, placement=placement, by=staff)
    experiment = Experiment.objects.get(application=placement.application)
    assert experiment.edition_commune == programme.communes[1].edition_commune


def test_a_move_after_framing_is_refused_to_the_allocation(programme, staff):
    previous = programme.place(commune=0)
    signals.placement_published.send(sender=Placement, placement=previous, by=staff)
    Experiment.objects.filter(application=previous.application).update(status=Status.RUNNING)
    Placement.objects.filter(pk=previous.pk).update(status=Placement.Status.MOVED)
    placement = programme.place(previous.application, commune=1)
    with pytest.raises(ValidationError):
        signals.placement_moved.send(
            sender=Placement, previous=previous, placement=placement, by=staff
        )


def test_a_withdrawn_placement_closes_its_experiment(programme, staff):
    placement = programme.place()
    signals.placement_published.send(sender=Placement, placement=placement, by=staff)
    Placement.objects.filter(pk=placement.pk).update(status=Placement.Status.WITHDRAWN)
    signals.placement_withdrawn.send(
        sender=Placement, placement=placement, by=staff, note="La startup a fermé."
    )
    experiment = Experiment.objects.get(application=placement.application)
    assert experiment.status == Status.WITHDRAWN
    assert experiment.events.get(to_status=Status.WITHDRAWN).note == "La startup a fermé."


def test_a_withdrawal_without_experiment_changes_nothing(programme, staff):
    placement = programme.place()
    signals.placement_withdrawn.send(sender=Placement, placement=placement, by=staff, note="x")
    assert not Experiment.objects.exists()
