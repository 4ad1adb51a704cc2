"""Reads of experiments: what a person may see, one experiment's page, the list's rows.

The loader answers 404 for an experiment the person may not see, so a page never tells an
outsider that it exists.
"""

from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from qmi.accounts.models import User
from qmi.accounts.rules import memberships_of
from qmi.programmes.models import CommuneRole, Edition, EditionCommune

from .models import Experiment, ExperimentEvent
from .rules import commune_roles_of, communes_of

PAGE_RELATED = (
    "edition",
    "organisation",
    "edition_commune__commune",
    "challenge",
    "sector",
    "application__call",
)
LIST_RELATED = ("edition", "organisation", "edition_commune__commune")


def visible_to(user):
    """The experiments the person may see (the queryset the list filters)."""
    experiments = Experiment.objects.all()
    if user.has_perm("experiments.view_all_experiments"):
        return experiments
    if not user.is_authenticated:
        return experiments.none()
    organisations = [org_id for org_id, _k, _r, _c in memberships_of(user)]
    return experiments.filter(
        Q(organisation_id__in=organisations)
        | Q(edition_commune_id__in=list(commune_roles_of(user)))
        | Q(edition_commune__commune_id__in=list(communes_of(user)))
    )


def get_experiment_for(user, pk, permission="experiments.view_experiment"):
    experiment = get_object_or_404(Experiment.objects.select_related(*PAGE_RELATED), pk=pk)
    if not user.has_perm(permission, experiment):
        raise Http404
    return experiment


def laureate_team(experiment):
    return list(
        User.objects.filter(
            memberships__organisation_id=experiment.organisation_id, is_active=True
        ).order_by("full_name", "email")
    )


def commune_team(experiment):
    return list(
        CommuneRole.objects.filter(
            edition_commune_id=experiment.edition_commune_id, user__is_active=True
        )
        .select_related("user")
        .order_by("role", "user__full_name", "user__email")
    )


def history(experiment):
    """The experiment's events, newest first."""
    return list(
        ExperimentEvent.objects.filter(experiment=experiment).select_related(
            "by", "from_commune__commune", "to_commune__commune"
        )
    )


def list_rows(experiments):
    return experiments.select_related(*LIST_RELATED).order_by("-created_at", "-id")


def filter_choices(experiments):
    """The editions and communes the person's experiments are in, for the list's filters."""
    editions = Edition.objects.filter(pk__in=experiments.values("edition_id")).order_by("-number")
    communes = (
        EditionCommune.objects.filter(pk__in=experiments.values("edition_commune_id"))
        .select_related("edition", "commune")
        .order_by("commune__name", "-edition__number")
    )
    return list(editions), list(communes)
