import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.audit import audit_context
from qmi.core.forms import apply_errors, parse_id
from qmi.core.textdiff import html_diff
from qmi.core.workflow import TransitionNotAllowed

from . import services
from .forms import (
    AddCommuneForm,
    ChallengeForm,
    DistrictForm,
    EditionForm,
    PhaseForm,
    SectorForm,
    StageMoveForm,
    TeamMemberForm,
)
from .models import ChallengeVersion, CommuneRole, Edition, Phase, Stage
from .queries import (
    editions_with_timeline,
    get_edition_commune_for,
    sector_map_data,
    workspaces_for,
)

# Back office -----------------------------------------------------------------


@backoffice_required(permission="programmes.manage_editions")
def edition_create(request):
    form = EditionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        edition = services.create_edition(by=request.user, **form.cleaned_data)
        messages.success(request, _("L'édition a été créée. Ajoutez maintenant ses phases."))
        return redirect("programmes:edition", pk=edition.pk)
    return render(request, "programmes/edition_form.html", {"form": form})


@backoffice_required
def edition_detail(request, pk):
    edition = get_object_or_404(editions_with_timeline(Edition.objects.all()), pk=pk)
    moves = [
        (move, Stage(move.target).label)
        for move in Edition.workflow.available(edition, request.user)
    ]
    context = {
        "edition": edition,
        "moves": moves,
        "stage_form": StageMoveForm(),
        "stages": Stage.choices,
        # At most the Métropole's 130 communes: no pagination needed.
        "training": list(edition.training_eligibilities.select_related("commune")),
        **audit_context(request.user, edition),
    }
    return render(request, "programmes/edition_detail.html", context)


@backoffice_required(permission="programmes.manage_editions")
def edition_edit(request, pk):
    edition = get_object_or_404(Edition, pk=pk)
    # The form validates a copy: the service must see the stored values to audit the change.
    form = EditionForm(request.POST or None, instance=Edition.objects.get(pk=pk))
    if request.method == "POST" and form.is_valid():
        services.update_edition(edition=edition, by=request.user, **form.cleaned_data)
        messages.success(request, _("Les modifications ont été enregistrées."))
        return redirect("programmes:edition", pk=edition.pk)
    return render(request, "programmes/edition_form.html", {"form": form, "edition": edition})


@backoffice_required(permission="programmes.change_edition_stage")
@require_POST
def edition_move(request, pk):
    edition = get_object_or_404(Edition, pk=pk)
    form = StageMoveForm(request.POST)
    if form.is_valid():
        try:
            services.move_edition(
                edition=edition,
                target=form.cleaned_data["target"],
                by=request.user,
                note=form.cleaned_data["note"],
            )
        except TransitionNotAllowed as error:
            messages.error(request, str(error))
        except PermissionDenied:
            raise Http404 from None
        else:
            edition.refresh_from_db()
            messages.success(
                request,
                _("L'édition est maintenant à l'étape « %(stage)s ».")
                % {"stage": edition.get_stage_display()},
            )
    return redirect("programmes:edition", pk=edition.pk)


@backoffice_required(permission="programmes.manage_editions")
def phase_form(request, pk, phase_pk=None):
    edition = get_object_or_404(Edition, pk=pk)
    phase = get_object_or_404(Phase, pk=phase_pk, edition=edition) if phase_pk else None
    form = PhaseForm(
        request.POST or None,
        instance=Phase.objects.get(pk=phase.pk) if phase else None,
        edition=edition,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.save_phase(edition=edition, phase=phase, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("La phase a été enregistrée."))
            return redirect("programmes:edition", pk=edition.pk)
    return render(
        request, "programmes/phase_form.html", {"form": form, "edition": edition, "phase": phase}
    )


@backoffice_required(permission="programmes.manage_editions")
@require_POST
def phase_delete(request, pk, phase_pk):
    phase = get_object_or_404(Phase, pk=phase_pk, edition_id=pk)
    services.delete_phase(phase=phase, by=request.user)
    messages.success(request, _("La phase a été supprimée."))
    return redirect("programmes:edition", pk=pk)


@backoffice_required(permission="programmes.select_communes")
def commune_add(request, pk):
    edition = get_object_or_404(Edition, pk=pk)
    form = AddCommuneForm(request.POST or None, edition=edition)
    if request.method == "POST" and form.is_valid():
        try:
            edition_commune = services.add_commune(
                edition=edition,
                commune=form.cleaned_data["commune"],
                district=form.cleaned_data["district"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request,
                _("%(commune)s participe maintenant à l'édition.")
                % {"commune": edition_commune.commune.name},
            )
            return redirect("programmes:edition_commune", pk=edition_commune.pk)
    return render(request, "programmes/commune_add.html", {"form": form, "edition": edition})


@backoffice_required
def edition_commune_detail(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk)
    form = DistrictForm(request.POST or None, initial={"district": edition_commune.district})
    if request.method == "POST" and form.is_valid():
        services.update_edition_commune(
            edition_commune=edition_commune,
            district=form.cleaned_data["district"],
            by=request.user,
        )
        messages.success(request, _("Le quartier a été enregistré."))
        return redirect("programmes:edition_commune", pk=pk)
    context = {
        "edition_commune": edition_commune,
        "district_form": form,
        "challenge": getattr(edition_commune, "challenge", None),
        "team": edition_commune.team.select_related("user"),
        "team_form": TeamMemberForm(edition_commune=edition_commune),
        "can_manage_team": request.user.has_perm("programmes.manage_commune_team", edition_commune),
        "map_data": sector_map_data(edition_commune),
        **audit_context(request.user, edition_commune),
    }
    return render(request, "programmes/edition_commune_detail.html", context)


@backoffice_required(permission="programmes.change_challenge")
def challenge_edit(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk, "programmes.change_challenge")
    challenge = getattr(edition_commune, "challenge", None)
    form = ChallengeForm(request.POST or None, instance=challenge)
    if request.method == "POST" and form.is_valid():
        services.rewrite_challenge(
            edition_commune=edition_commune, by=request.user, **form.cleaned_data
        )
        messages.success(request, _("Le défi a été enregistré dans une nouvelle version."))
        return redirect("programmes:challenge_history", pk=pk)
    return render(
        request,
        "programmes/challenge_form.html",
        {"form": form, "edition_commune": edition_commune, "challenge": challenge},
    )


@backoffice_required
def challenge_history(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk)
    challenge = getattr(edition_commune, "challenge", None)
    if challenge is None:
        raise Http404
    versions = ChallengeVersion.objects.filter(challenge=challenge).select_related(
        "author", "theme"
    )
    page = Paginator(versions, 20).get_page(request.GET.get("page"))
    numbers = list(versions.values_list("number", flat=True))
    compared = None
    newer_number = _int(request.GET.get("b"), default=numbers[0] if numbers else None)
    older_number = _int(request.GET.get("a"), default=numbers[1] if len(numbers) > 1 else None)
    if older_number is not None and newer_number is not None:
        pair = {v.number: v for v in versions.filter(number__in=[older_number, newer_number])}
        older, newer = pair.get(older_number), pair.get(newer_number)
        if older and newer:
            compared = {
                "older": older,
                "newer": newer,
                "title": html_diff(older.title, newer.title),
                "statement": html_diff(older.statement, newer.statement),
                "theme_changed": older.theme_id != newer.theme_id,
            }
    return render(
        request,
        "programmes/challenge_history.html",
        {
            "edition_commune": edition_commune,
            "challenge": challenge,
            "page": page,
            "numbers": numbers,
            "compared": compared,
        },
    )


def _int(value, default=None):
    return parse_id(value, default)


@backoffice_required(permission="programmes.change_sector")
def sector_edit(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk, "programmes.change_sector")
    sector = getattr(edition_commune, "sector", None)
    initial = {}
    if sector:
        initial = {
            "name": sector.name,
            "geometry": json.dumps(sector.geometry, separators=(",", ":")),
        }
    form = SectorForm(
        request.POST or None,
        request.FILES or None,
        commune=edition_commune.commune,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        services.save_sector(
            edition_commune=edition_commune,
            by=request.user,
            name=form.cleaned_data["name"],
            geometry=form.cleaned_data["clean_geometry"],
            area_hectares=form.cleaned_data["area_hectares"],
        )
        messages.success(request, _("Le secteur a été enregistré."))
        return redirect("programmes:edition_commune", pk=pk)
    return render(
        request,
        "programmes/sector_form.html",
        {
            "form": form,
            "edition_commune": edition_commune,
            "map_data": sector_map_data(edition_commune),
        },
    )


# Commune workspace -----------------------------------------------------------


@login_required
def workspace(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk)
    can_manage_team = request.user.has_perm("programmes.manage_commune_team", edition_commune)
    context = {
        "edition_commune": edition_commune,
        "challenge": getattr(edition_commune, "challenge", None),
        "team": edition_commune.team.select_related("user"),
        "can_manage_team": can_manage_team,
        "team_form": TeamMemberForm(edition_commune=edition_commune) if can_manage_team else None,
        "other_workspaces": workspaces_for(request.user).exclude(pk=edition_commune.pk),
        "map_data": sector_map_data(edition_commune),
    }
    return render(request, "programmes/workspace.html", context)


@login_required
@require_POST
def team_add(request, pk):
    edition_commune = get_edition_commune_for(request.user, pk, "programmes.manage_commune_team")
    form = TeamMemberForm(request.POST, edition_commune=edition_commune)
    if form.is_valid():
        try:
            services.add_team_member(
                edition_commune=edition_commune,
                user=form.cleaned_data["user"],
                role=form.cleaned_data["role"],
                by=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("L'équipe a été mise à jour."))
    else:
        messages.error(request, _("Choisissez une personne de la commune et un rôle."))
    return redirect(_team_return(request, edition_commune))


@login_required
@require_POST
def team_remove(request, pk, role_pk):
    edition_commune = get_edition_commune_for(request.user, pk, "programmes.manage_commune_team")
    team_role = get_object_or_404(CommuneRole, pk=role_pk, edition_commune=edition_commune)
    services.remove_team_member(team_role=team_role, by=request.user)
    messages.success(request, _("L'équipe a été mise à jour."))
    return redirect(_team_return(request, edition_commune))


def _team_return(request, edition_commune):
    if request.POST.get("from") == "backoffice" and request.user.has_perm(
        "accounts.access_backoffice"
    ):
        return reverse("programmes:edition_commune", kwargs={"pk": edition_commune.pk})
    return reverse("programmes:workspace", kwargs={"pk": edition_commune.pk})
