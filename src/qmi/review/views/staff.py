"""Back office of a call's review: phases and their grids, the jury and its assignment.

Operator staff only (404 for anyone else, as the rest of the back office).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.accounts.models import Organisation
from qmi.calls.models import Application, Call
from qmi.core import audit
from qmi.core.forms import apply_errors, parse_id, parse_ids
from qmi.programmes.models import EditionCommune, Theme

from .. import queries, scoring
from ..exports import ranking_export
from ..forms import CriterionForm, ExpertInvitationForm, JurorForm, PhaseForm
from ..models import (
    Assignment,
    Audition,
    Criterion,
    Decision,
    Juror,
    Phase,
    Publication,
    RedactedCopy,
    Review,
)
from ..ranking import complete, ranking
from ..services import blind, decisions, grid, invitations, jury, publication, reminders

MANAGE = "review.manage_review"


def _attempt(request, action, success):
    """Run a service: its refusal becomes the page's error, else `success` is said."""
    try:
        action()
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, success)


def _call(pk):
    return get_object_or_404(Call.objects.select_related("edition"), pk=pk)


def _phase(call, phase_pk):
    return get_object_or_404(Phase, pk=phase_pk, call=call)


def _jurors_with_progress(call):
    return (
        Juror.objects.filter(call=call)
        .select_related("user")
        .annotate(
            assigned=Count("assignments", distinct=True),
            submitted=Count(
                "assignments__review",
                filter=Q(assignments__review__status=Review.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("withdrawn_at", "user__full_name", "user__email")
    )


def _phases_with_missing(call):
    """The call's phases, each with `missing`: readings still without a juror (two queries)."""
    phases = list(call.review_phases.annotate(criteria_count=Count("criteria")))
    files = queries.reviewed_applications(call).count()
    placed = {}
    for phase_id, count in (
        Assignment.objects.filter(
            phase__call=call, application__in=queries.reviewed_applications(call)
        )
        .values("phase_id", "application_id")
        .annotate(count=Count("pk"))
        .values_list("phase_id", "count")
    ):
        placed.setdefault(phase_id, []).append(count)
    for phase in phases:
        reads = phase.reviews_per_application
        phase.missing = files * reads - sum(min(count, reads) for count in placed.get(phase.pk, []))
    return phases


@backoffice_required(permission=MANAGE)
def overview(request, pk):
    call = _call(pk)
    comparison = None
    compare = parse_id(request.GET.get("comparer"))
    if compare:
        phase = _phase(call, compare)
        try:
            results = jury.compare_objectives(phase)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            comparison = {
                "phase": phase,
                "rows": [
                    (
                        label,
                        results[key],
                        sum(results[key].shortages.values()),
                        None if results[key].gap is None else 100 * results[key].gap,
                    )
                    for key, label in (
                        ("total", _("Expertise totale la plus haute")),
                        ("fair", _("D'abord le dossier le moins bien servi")),
                    )
                ],
            }
    return render(request, "review/staff/overview.html", _overview_context(call, comparison))


def overview_page(request, call, *, status=200, **forms):
    """The overview again, with a refused form as typed (views.invitations shows it too)."""
    context = _overview_context(call, **forms)
    return render(request, "review/staff/overview.html", context, status=status)


def _overview_context(call, comparison=None, juror_form=None, invitation_form=None):
    """The overview's content; a refused juror form is shown with what was typed."""
    pending, pending_count = invitations.pending_invitations(call)
    return {
        "call": call,
        "phases": _phases_with_missing(call),
        "jurors": _jurors_with_progress(call),
        "phase_form": PhaseForm(prefix="phase"),
        "juror_form": juror_form or JurorForm(call=call, prefix="juror"),
        "invitation_form": invitation_form or ExpertInvitationForm(prefix="expert"),
        "invitations": pending,
        "invitations_count": pending_count,
        "comparison": comparison,
        "organisations": Organisation.objects.filter(
            applications__in=queries.reviewed_applications(call)
        )
        .distinct()
        .order_by("name"),
    }


@backoffice_required(permission=MANAGE)
@require_POST
def phase_create(request, pk):
    call = _call(pk)
    form = PhaseForm(request.POST, prefix="phase")
    if form.is_valid():
        with transaction.atomic():
            phase = form.save(commit=False)
            phase.call = call
            last = call.review_phases.order_by("-order").values_list("order", flat=True).first()
            phase.order = (last or 0) + 1
            phase.save()
            audit.record(
                obj=call, actor=request.user, action="review_phase_added", note=phase.title
            )
        messages.success(request, _("La phase « %(title)s » est créée.") % {"title": phase.title})
        return redirect("review:phase", pk=call.pk, phase_pk=phase.pk)
    messages.error(request, _("La phase n'a pas été créée : vérifiez ses champs."))
    return redirect("review:overview", pk=call.pk)


@backoffice_required(permission=MANAGE)
def phase_detail(request, pk, phase_pk):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    form = PhaseForm(request.POST or None, instance=phase, prefix="phase")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            audit.record(
                obj=call, actor=request.user, action="review_phase_changed", note=phase.title
            )
        messages.success(request, _("La phase est enregistrée."))
        return redirect("review:phase", pk=call.pk, phase_pk=phase.pk)
    return render(request, "review/staff/phase.html", _phase_context(call, phase, form=form))


def _phase_context(call, phase, *, form=None, criterion_form=None, editing=None):
    criteria = list(phase.criteria.all())
    return {
        "call": call,
        "phase": phase,
        "form": form or PhaseForm(instance=phase, prefix="phase"),
        "criteria": [
            (
                criterion,
                editing[1]
                if editing and editing[0] == criterion.pk
                else CriterionForm(
                    initial=CriterionForm.initial_for(criterion), prefix=f"c{criterion.pk}"
                ),
            )
            for criterion in criteria
        ],
        "criterion_form": criterion_form or CriterionForm(prefix="new"),
        "frozen": Review.objects.filter(assignment__phase=phase).exists(),
    }


@backoffice_required(permission=MANAGE)
@require_POST
def phase_move(request, pk, phase_pk):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    try:
        phase = grid.move_phase(phase=phase, status=request.POST.get("status"), by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("La phase est maintenant : %(status)s.") % {"status": phase.get_status_display()},
        )
    return redirect("review:phase", pk=call.pk, phase_pk=phase.pk)


def _criterion_values(form):
    return {**form.cleaned_data}


@backoffice_required(permission=MANAGE)
@require_POST
def criterion_save(request, pk, phase_pk, criterion_pk=None):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, phase=phase) if criterion_pk else None
    prefix = f"c{criterion.pk}" if criterion else "new"
    form = CriterionForm(request.POST, prefix=prefix)
    if form.is_valid():
        try:
            saved = grid.save_criterion(
                phase=phase, by=request.user, criterion=criterion, **_criterion_values(form)
            )
        except PermissionDenied:
            raise Http404 from None
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("Le critère « %(label)s » est enregistré.") % {"label": saved.label}
            )
            return redirect("review:phase", pk=call.pk, phase_pk=phase.pk)
    context = _phase_context(
        call,
        phase,
        criterion_form=form if criterion is None else None,
        editing=(criterion.pk, form) if criterion else None,
    )
    return render(request, "review/staff/phase.html", context, status=422)


@backoffice_required(permission=MANAGE)
@require_POST
def criterion_remove(request, pk, phase_pk, criterion_pk):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    criterion = get_object_or_404(Criterion, pk=criterion_pk, phase=phase)
    _attempt(
        request,
        lambda: grid.remove_criterion(criterion=criterion, by=request.user),
        _("Le critère est retiré de la grille."),
    )
    return redirect("review:phase", pk=call.pk, phase_pk=phase.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def juror_add(request, pk):
    call = _call(pk)
    form = JurorForm(request.POST, call=call, prefix="juror")
    if form.is_valid():
        try:
            juror = jury.add_juror(
                call=call,
                user=form.user,
                kind=form.cleaned_data["kind"],
                capacity=form.cleaned_data["capacity"],
                themes=form.cleaned_data["themes"],
                communes=form.cleaned_data["communes"],
                by=request.user,
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("%(person)s rejoint le jury.") % {"person": juror.user})
            return redirect("review:overview", pk=call.pk)
    context = _overview_context(call, juror_form=form)
    return render(request, "review/staff/overview.html", context, status=422)


@backoffice_required(permission=MANAGE)
@require_POST
def juror_withdraw(request, pk, juror_pk):
    call = _call(pk)
    juror = get_object_or_404(Juror, pk=juror_pk, call=call)
    try:
        outcomes = jury.withdraw_juror(juror=juror, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        moved = sum(len(outcome.added) for outcome in outcomes)
        messages.success(
            request,
            ngettext(
                "%(person)s a quitté le jury ; %(count)s dossier confié à d'autres jurés.",
                "%(person)s a quitté le jury ; %(count)s dossiers confiés à d'autres jurés.",
                moved,
            )
            % {"person": juror.user, "count": moved},
        )
        for outcome in outcomes:
            if outcome.shortfall:
                messages.warning(request, outcome.shortfall)
    return redirect("review:overview", pk=call.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def assign(request, pk, phase_pk):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    try:
        outcome = jury.assign_automatically(
            phase=phase, by=request.user, fair=request.POST.get("objective") == "fair"
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, outcome.message)
        if outcome.shortfall:
            messages.warning(request, outcome.shortfall)
    return redirect("review:overview", pk=call.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def known_link_add(request, pk):
    call = _call(pk)
    juror = Juror.objects.filter(pk=parse_id(request.POST.get("juror")), call=call).first()
    organisation = Organisation.objects.filter(
        pk=parse_id(request.POST.get("organisation"))
    ).first()
    if juror is None or organisation is None:
        messages.error(request, _("Choisissez un juré du jury et une organisation."))
        return redirect("review:overview", pk=call.pk)
    try:
        _link, removed = jury.record_known_link(
            user=juror.user,
            organisation=organisation,
            reason=request.POST.get("reason", ""),
            by=request.user,
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Lien noté : les dossiers de %(organisation)s ne seront jamais attribués à %(person)s."
            )
            % {"organisation": organisation.name, "person": juror.user},
        )
        if removed:
            messages.info(
                request,
                ngettext(
                    "%(count)s attribution retirée : relancez l'attribution pour la remplacer.",
                    "%(count)s attributions retirées : relancez l'attribution pour les remplacer.",
                    len(removed),
                )
                % {"count": len(removed)},
            )
    return redirect("review:overview", pk=call.pk)


def _ranking_filters(call, data):
    """The ranking's filters: (applications queryset or None, chosen values, the choices)."""
    choices = {
        "communes": list(
            EditionCommune.objects.filter(edition_id=call.edition_id)
            .select_related("commune")
            .order_by("commune__name")
        ),
        "themes": list(Theme.objects.order_by("name")),
        "statuses": Application.Status.choices,
    }
    chosen = {
        "commune": parse_id(data.get("commune")),
        "theme": parse_id(data.get("theme")),
        "status": data.get("status") if data.get("status") in Application.Status.values else "",
        "normalised": data.get("corrige") == "1",
        "disagreement": data.get("desaccord") == "1",
    }
    applications = None
    if chosen["status"]:
        applications = Application.objects.filter(call=call, status=chosen["status"])
    if chosen["commune"] or chosen["theme"]:
        base = applications if applications is not None else Application.objects.filter(call=call)
        about = queries.topics(call, base)
        keep = [
            pk
            for pk, (communes, themes) in about.items()
            if (not chosen["commune"] or chosen["commune"] in communes)
            and (not chosen["theme"] or chosen["theme"] in themes)
        ]
        applications = Application.objects.filter(pk__in=keep)
    return applications, chosen, choices


@backoffice_required(permission=MANAGE)
def ranking_page(request, pk):
    call = _call(pk)
    phases = list(
        call.review_phases.filter(scoring=True).annotate(
            submitted=Count(
                "assignments__review", filter=Q(assignments__review__status=Review.Status.SUBMITTED)
            )
        )
    )
    if not phases:
        messages.info(request, _("Aucune phase notée pour l'instant : créez-en une."))
        return redirect("review:overview", pk=call.pk)
    chosen_phase = parse_id(request.GET.get("phase"))
    # By default the latest phase with reviews to rank, not a new empty one.
    reviewed = [p for p in phases if p.submitted] or phases
    phase = next((p for p in phases if p.pk == chosen_phase), reviewed[-1])
    applications, chosen, choices = _ranking_filters(call, request.GET)
    rows = ranking(phase, normalised=chosen["normalised"], applications=applications)
    if chosen["disagreement"]:
        rows = [row for row in rows if row.figures.disagreement]
    criteria = list(phase.criteria.all())
    export = request.GET.get("format")
    if export in ("csv", "xlsx"):
        complete(rows, phase)
        return ranking_export(call, phase, rows, criteria, export, chosen["normalised"])
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    complete(page.object_list, phase)
    start = page.start_index()
    for offset, row in enumerate(page.object_list):
        row.rank = start + offset
        row.cells = [row.criteria.get(criterion.pk) for criterion in criteria]
    # Which rows are already on the auditions' shortlist (one query for the page).
    shortlisted = set(
        Audition.objects.filter(
            application_id__in=[row.application_id for row in page.object_list]
        ).values_list("application_id", flat=True)
    )
    for row in page.object_list:
        row.shortlisted = row.application_id in shortlisted
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/staff/ranking.html",
        {
            "call": call,
            "phase": phase,
            "phases": phases,
            "criteria": criteria,
            "page": page,
            "chosen": chosen,
            "choices": choices,
            "query": query.urlencode(),
            "threshold": scoring.DISAGREEMENT_POINTS,
        },
    )


@backoffice_required(permission=MANAGE)
def assignments_page(request, pk, phase_pk):
    """Every complete file with its jurors; staff give checked files to a juror, in bulk."""
    call = _call(pk)
    phase = _phase(call, phase_pk)
    jurors = list(queries.active_jurors(call).order_by("user__full_name", "user__email"))
    if request.method == "POST":
        return _assign_checked(request, call, phase, jurors)
    files = queries.reviewed_applications(call).select_related("organisation")
    if request.GET.get("manquants") == "1":
        files = files.annotate(
            placed=Count("review_assignments", filter=Q(review_assignments__phase=phase))
        ).filter(placed__lt=phase.reviews_per_application)
    page = Paginator(files.order_by("reference"), 50).get_page(request.GET.get("page"))
    placed = {}
    for assignment in (
        Assignment.objects.filter(phase=phase, application__in=list(page.object_list))
        .select_related("juror__user", "review")
        .order_by("juror__user__full_name")
    ):
        placed.setdefault(assignment.application_id, []).append(assignment)
    rows = [(application, placed.get(application.pk, [])) for application in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "review/staff/assignments.html",
        {
            "call": call,
            "phase": phase,
            "jurors": jurors,
            "rows": rows,
            "page": page,
            "query": query.urlencode(),
            "short_only": request.GET.get("manquants") == "1",
        },
    )


def _assign_checked(request, call, phase, jurors):
    juror = next((j for j in jurors if j.pk == parse_id(request.POST.get("juror"))), None)
    ids = parse_ids(request.POST.getlist("applications"), limit=500)
    if juror is None or not ids:
        messages.error(request, _("Choisissez un juré et cochez au moins un dossier."))
        return redirect("review:assignments", pk=call.pk, phase_pk=phase.pk)
    files = list(Application.objects.filter(call=call, pk__in=ids))
    try:
        created = jury.assign_by_hand(phase=phase, juror=juror, applications=files, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            ngettext(
                "%(count)s dossier attribué à %(person)s.",
                "%(count)s dossiers attribués à %(person)s.",
                len(created),
            )
            % {"count": len(created), "person": juror.user},
        )
    return redirect("review:assignments", pk=call.pk, phase_pk=phase.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def unassign(request, pk, phase_pk, assignment_pk):
    call = _call(pk)
    phase = _phase(call, phase_pk)
    assignment = get_object_or_404(Assignment, pk=assignment_pk, phase=phase)
    _attempt(
        request,
        lambda: jury.unassign(assignment=assignment, by=request.user),
        _("Le dossier est retiré à ce juré."),
    )
    return redirect("review:assignments", pk=call.pk, phase_pk=phase.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def juror_remind(request, pk, juror_pk):
    call = _call(pk)
    juror = get_object_or_404(Juror, pk=juror_pk, call=call, withdrawn_at__isnull=True)
    count = reminders.remind_now(juror=juror, by=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "%(person)s est relancé pour %(count)s évaluation à rendre.",
                "%(person)s est relancé pour %(count)s évaluations à rendre.",
                count,
            )
            % {"person": juror.user, "count": count},
        )
    else:
        messages.info(request, _("%(person)s n'a rien à rendre.") % {"person": juror.user})
    return redirect("review:overview", pk=call.pk)


@backoffice_required(permission=MANAGE)
def redaction(request, pk, application_pk):
    """Staff prepare what jurors of blind phases read of a file's free-text answers."""
    call = _call(pk)
    # Any file of the call: a copy may be prepared while the examination goes on.
    application = get_object_or_404(
        Application.objects.filter(call=call).select_related("organisation", "revision"),
        pk=application_pk,
    )
    questions = blind.redacted_questions(application)
    copy = RedactedCopy.objects.filter(application=application).first()
    errors = {}
    if request.method == "POST":
        posted = {
            question.key: request.POST.get(f"answer-{question.key}", "") for question in questions
        }
        try:
            blind.save_redacted_copy(application=application, answers=posted, by=request.user)
        except ValidationError as error:
            errors = error.message_dict
        else:
            messages.success(request, _("La copie anonymisée est enregistrée."))
            return redirect("review:redaction", pk=call.pk, application_pk=application.pk)
    else:
        # The copy as saved, or the original answers to start from.
        kept = copy.answers if copy else {}
        posted = {
            question.key: kept[question.key]
            if question.key in kept
            else str(application.answers.get(question.key) or "")
            for question in questions
        }
    rows = [
        {"question": q, "value": posted.get(q.key, ""), "error": errors.get(q.key, [""])[0]}
        for q in questions
    ]
    return render(
        request,
        "review/staff/redaction.html",
        {"call": call, "application": application, "rows": rows, "copy": copy},
        status=422 if errors else 200,
    )


@backoffice_required(permission="review.stage_decisions")
def decisions_page(request, pk):
    """Every complete file, best ranked first, with its staged decision (staff only)."""
    call = _call(pk)
    posted, problem_for, errors = {}, None, {}
    if request.method == "POST":
        application = get_object_or_404(
            queries.reviewed_applications(call), pk=parse_id(request.POST.get("file")) or 0
        )
        posted = {
            "outcome": request.POST.get("outcome", ""),
            "rationale": request.POST.get("rationale", ""),
        }
        try:
            decisions.stage_decision(application=application, by=request.user, **posted)
        except ValidationError as error:
            problem_for = application.pk
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(
                request,
                _("Décision préparée pour %(reference)s.") % {"reference": application.reference},
            )
            return redirect(f"{request.path}?{request.GET.urlencode()}")
    order, means = _ranked_ids(call)
    page = Paginator(order, 50).get_page(request.GET.get("page"))
    files = (
        queries.reviewed_applications(call)
        .select_related("organisation")
        .in_bulk(list(page.object_list))
    )
    staged = {
        decision.application_id: decision
        for decision in Decision.objects.filter(
            application_id__in=list(page.object_list)
        ).select_related("staged_by")
    }
    rows = []
    for application_id in page.object_list:
        decision = staged.get(application_id)
        mine = application_id == problem_for
        rows.append(
            {
                "application": files[application_id],
                "mean": means.get(application_id),
                "decision": decision,
                "outcome": posted["outcome"] if mine else (decision.outcome if decision else ""),
                "rationale": posted["rationale"]
                if mine
                else (decision.rationale if decision else ""),
                "errors": errors if mine else {},
            }
        )
    counts = dict(
        Decision.objects.filter(application__call=call)
        .values_list("outcome")
        .annotate(count=Count("pk"))
        .values_list("outcome", "count")
    )
    return render(
        request,
        "review/staff/decisions.html",
        {
            "call": call,
            "page": page,
            "rows": rows,
            "outcomes": Decision.Outcome.choices,
            "counts": [(label, counts.get(value, 0)) for value, label in Decision.Outcome.choices],
            "undecided": len(order) - sum(counts.values()),
            "publication": Publication.objects.filter(call=call)
            .select_related("published_by")
            .first(),
            "problems": publication.readiness(call),
            "can_publish": request.user.has_perm(publication.PUBLISH, call),
        },
        status=422 if errors else 200,
    )


def _ranked_ids(call):
    """The call's complete files, by the mean of the latest phase with reviews, then the rest."""
    phase = (
        call.review_phases.filter(scoring=True, assignments__review__status=Review.Status.SUBMITTED)
        .order_by("-order")
        .first()
    )
    rows = ranking(phase) if phase else []
    means = {row.application_id: row.figures.mean for row in rows}
    complete = list(
        queries.reviewed_applications(call).order_by("reference").values_list("pk", flat=True)
    )
    still_complete = set(complete)
    ranked = [row.application_id for row in rows if row.application_id in still_complete]
    seen = set(ranked)
    return ranked + [pk for pk in complete if pk not in seen], means
