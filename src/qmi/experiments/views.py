"""An experiment's page and the list of those a person may see; the operator's moves.

Thin: reads come from queries, changes from services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qmi.accounts.access import backoffice_required
from qmi.core.audit import audit_context
from qmi.core.forms import apply_errors

from . import queries, services
from .forms import ExperimentFilterForm, StatusChangeForm
from .models import MANAGE, Experiment

PER_PAGE = 50


@login_required
@require_safe
def experiment_list(request):
    visible = queries.visible_to(request.user)
    editions, communes = queries.filter_choices(visible)
    form = ExperimentFilterForm(request.GET or None, editions=editions, communes=communes)
    filters = form.filters()
    page = Paginator(queries.list_rows(visible.filter(**filters)), PER_PAGE).get_page(
        request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "query": query.urlencode(),
        "sees_all": request.user.has_perm("experiments.view_all_experiments"),
    }
    return render(request, "experiments/experiment_list.html", context)


def _application_url(user, application):
    """Where the person reads the application file: staff in the back office, the
    laureate's team in its own space; the commune's team does not read it."""
    if user.has_perm("calls.list_applications"):
        return reverse("calls:backoffice_application", kwargs={"pk": application.pk})
    if user.has_perm("calls.view_application", application):
        return application.get_absolute_url()
    return None


def _page(request, experiment, status_form=None, status=200):
    moves = Experiment.workflow.available(experiment, request.user)
    if moves and status_form is None:
        status_form = StatusChangeForm(moves=moves)
    context = {
        "experiment": experiment,
        "laureate_team": queries.laureate_team(experiment),
        "commune_team": queries.commune_team(experiment),
        "events": queries.history(experiment),
        "application_url": _application_url(request.user, experiment.application),
        "status_form": status_form if moves else None,
        **audit_context(request.user, experiment),
    }
    return render(request, "experiments/experiment_detail.html", context, status=status)


@login_required
@require_safe
def experiment_detail(request, pk):
    return _page(request, queries.get_experiment_for(request.user, pk))


@backoffice_required(permission=MANAGE)
@require_POST
def experiment_move(request, pk):
    experiment = queries.get_experiment_for(request.user, pk, permission=MANAGE)
    moves = Experiment.workflow.available(experiment, request.user)
    if not moves:
        messages.error(request, _("Aucun changement d'état n'est possible maintenant."))
        return redirect("experiments:detail", pk=experiment.pk)
    form = StatusChangeForm(request.POST, moves=moves)
    if form.is_valid():
        try:
            moved = services.change_status(
                experiment=experiment,
                target=form.cleaned_data["target"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("L'expérimentation est maintenant « %(status)s ».")
                % {"status": moved.get_status_display()},
            )
            return redirect("experiments:detail", pk=experiment.pk)
    return _page(request, experiment, status_form=form, status=422)
