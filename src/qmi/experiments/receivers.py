"""The allocation's signals, turned into the experiments' services (connected in apps.py).

They run inside the allocation's publishing transaction; a refusal undoes the publication.
"""

from .models import Experiment
from .services import move_experiment, open_experiment, withdraw_experiment


def on_placement_published(sender, *, placement, by, **kwargs):
    open_experiment(placement=placement, by=by)


def on_placement_moved(sender, *, previous, placement, by, **kwargs):
    experiment = Experiment.objects.filter(application_id=placement.application_id).first()
    if experiment is None:  # placed before experiments existed: open it where it goes
        open_experiment(placement=placement, by=by)
    else:
        move_experiment(experiment=experiment, placement=placement, by=by)


def on_placement_withdrawn(sender, *, placement, by, note="", **kwargs):
    experiment = Experiment.objects.filter(application_id=placement.application_id).first()
    if experiment is not None:
        withdraw_experiment(experiment=experiment, by=by, note=note)


def describe_placements(placements):
    """What each placement became, for the allocation's pages (one query)."""
    found = {}
    for experiment in Experiment.objects.filter(
        application_id__in=[p.application_id for p in placements]
    ).only("pk", "status", "application_id"):
        found[experiment.application_id] = experiment
    return {
        placement.pk: {
            "label": found[placement.application_id].get_status_display(),
            "url": found[placement.application_id].get_absolute_url(),
        }
        for placement in placements
        if placement.application_id in found
    }
