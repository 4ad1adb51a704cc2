"""The operator's pages: open the allocation, read both sides' progress, pin and forbid,
run the solver, read and compare runs, the stable-matching view, stage and publish."""

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qmi.accounts.access import backoffice_required
from qmi.calls.models import Call
from qmi.core.forms import parse_id
from qmi.mail.models import OutgoingEmail
from qmi.programmes.models import EditionCommune

from .. import explanations, letters, queries
from ..models import (
    Allocation,
    AllocationCommune,
    LetterTemplate,
    PairRule,
    PendingChange,
    Placement,
    Run,
)
from ..services import preferences, publication, runs

MANAGE = "allocation.manage_allocation"
PAGE_SIZE = 50


def _errors(error):
    if hasattr(error, "error_dict"):
        return [m for messages_ in error.message_dict.values() for m in messages_]
    return error.messages


def _allocation(pk):
    return get_object_or_404(Allocation.objects.select_related("call__edition"), pk=pk)


def _local(value):
    """A datetime-local input as an aware Paris time, or None."""
    try:
        naive = datetime.datetime.fromisoformat(str(value or "").strip())
    except ValueError:
        return None
    if timezone.is_aware(naive):
        return naive
    return timezone.make_aware(naive)


def _number(value, cast=int):
    try:
        return cast(str(value).strip().replace(",", "."))
    except (TypeError, ValueError):
        return None


@backoffice_required(permission=MANAGE)
def open_page(request, pk):
    """Open the allocation of a call for projects, or go to it."""
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    if call.kind != Call.Kind.PROJECTS:
        raise Http404
    existing = queries.allocation_of(call)
    if existing is not None:
        return redirect("allocation:staff", pk=existing.pk)
    edition_communes = list(
        EditionCommune.objects.filter(edition=call.edition)
        .select_related("commune")
        .order_by("commune__name")
    )
    errors, posted = [], {}
    if request.method == "POST":
        posted = request.POST
        chosen = []
        for ec in edition_communes:
            if request.POST.get(f"serve-{ec.pk}") == "on":
                chosen.append(
                    (
                        ec,
                        _number(request.POST.get(f"minimum-{ec.pk}")),
                        _number(request.POST.get(f"maximum-{ec.pk}")),
                    )
                )
        try:
            allocation = preferences.open_allocation(
                call=call,
                by=request.user,
                closes_at=_local(request.POST.get("closes_at")),
                communes=chosen,
            )
        except ValidationError as error:
            errors = _errors(error)
        else:
            messages.success(
                request, _("La répartition est ouverte : communes et lauréats peuvent classer.")
            )
            return redirect("allocation:staff", pk=allocation.pk)
    rows = [
        {
            "commune": ec,
            "serve": posted.get(f"serve-{ec.pk}") == "on" if posted else True,
            "minimum": posted.get(f"minimum-{ec.pk}", 6) if posted else 6,
            "maximum": posted.get(f"maximum-{ec.pk}", 8) if posted else 8,
        }
        for ec in edition_communes
    ]
    return render(
        request,
        "allocation/staff/open.html",
        {
            "call": call,
            "rows": rows,
            "errors": errors,
            "closes_at": posted.get("closes_at", "") if posted else "",
            "laureate_count": queries.laureates(call).count(),
        },
        status=422 if errors else 200,
    )


def _overview_context(allocation):
    call = allocation.call
    communes = queries.communes_of(allocation)
    counts = queries.wish_counts(allocation)
    laureates = list(queries.laureates(call).select_related("organisation").order_by("reference"))
    keys = queries.ranking_keys(call)
    rankings = queries.rankings_in_force(allocation, laureates, keys)
    names = {c.edition_commune_id: str(c) for c in communes}
    rows = [
        {
            "application": a,
            "ranking": [names[c] for c in rankings[a.pk][0]],
            "answer": rankings[a.pk][1],
        }
        for a in laureates
    ]
    page_runs = list(allocation.runs.select_related("created_by")[:20])
    return {
        "allocation": allocation,
        "call": call,
        "communes": [{"commune": c, "wishes": counts.get(c.pk, 0)} for c in communes],
        "laureates": rows,
        "answered": sum(1 for row in rows if row["answer"] is not None),
        "rules": list(
            PairRule.objects.filter(allocation=allocation).select_related(
                "application__organisation", "commune__edition_commune__commune", "created_by"
            )
        ),
        "runs": page_runs,
        "computing": any(run.status == Run.Status.COMPUTING for run in page_runs),
        "problems": publication.readiness(allocation),
        "example": explanations.worked_example(allocation.alpha),
        "kinds": PairRule.Kind.choices,
        "placements": list(
            Placement.objects.filter(allocation=allocation)
            .select_related("application__organisation", "commune__edition_commune__commune")
            .order_by("commune__edition_commune__commune__name", "application__reference")
        )
        if allocation.published_at
        else [],
        "changes": list(
            PendingChange.objects.filter(allocation=allocation).select_related(
                "application__organisation", "commune__edition_commune__commune"
            )
        ),
        "waiting": list(queries.waiting_list(call).select_related("organisation")),
        "after": publication.communes_after_publication(allocation)
        if allocation.published_at
        else [],
    }


@backoffice_required(permission=MANAGE)
def staff_page(request, pk):
    allocation = _allocation(pk)
    return render(request, "allocation/staff/overview.html", _overview_context(allocation))


def _act(request, allocation, action, success):
    """Run a service; say its refusal or its success, back on the overview."""
    try:
        action()
    except ValidationError as error:
        return _back(request, allocation, error)
    return _back(request, allocation, success=success)


def _back(request, allocation, error=None, success=None):
    if error is not None:
        for problem in _errors(error):
            messages.error(request, problem)
    elif success:
        messages.success(request, success)
    return redirect("allocation:staff", pk=allocation.pk)


@backoffice_required(permission=MANAGE)
@require_POST
def settings_save(request, pk):
    allocation = _allocation(pk)
    penalty = request.POST.get("one_sided_penalty", "").strip()
    return _act(
        request,
        allocation,
        lambda: preferences.update_settings(
            allocation=allocation,
            by=request.user,
            closes_at=_local(request.POST.get("closes_at")),
            alpha=_number(request.POST.get("alpha"), float),
            jury_weight=_number(request.POST.get("jury_weight"), float),
            one_sided_penalty=_number(penalty, float) if penalty else None,
        ),
        _("Les réglages sont enregistrés."),
    )


@backoffice_required(permission=MANAGE)
@require_POST
def bounds_save(request, pk, commune_pk):
    allocation = _allocation(pk)
    commune = get_object_or_404(AllocationCommune, pk=commune_pk, allocation=allocation)
    return _act(
        request,
        allocation,
        lambda: preferences.set_bounds(
            commune=commune,
            by=request.user,
            minimum=_number(request.POST.get("minimum")),
            maximum=_number(request.POST.get("maximum")),
        ),
        _("Les bornes de %(commune)s sont enregistrées.") % {"commune": commune},
    )


@backoffice_required(permission=MANAGE)
@require_POST
def rule_add(request, pk):
    allocation = _allocation(pk)
    application = runs.get_laureate(allocation, parse_id(request.POST.get("application")) or 0)
    commune = runs.get_commune(allocation, parse_id(request.POST.get("commune")) or 0)
    if application is None or commune is None:
        return _back(
            request,
            allocation,
            ValidationError(_("Choisissez un lauréat et une commune de l'appel.")),
        )
    return _act(
        request,
        allocation,
        lambda: runs.add_rule(
            allocation=allocation,
            application=application,
            commune=commune,
            kind=request.POST.get("kind", ""),
            note=request.POST.get("note", ""),
            by=request.user,
        ),
        _("Le choix du comité est enregistré : relancez le calcul."),
    )


@backoffice_required(permission=MANAGE)
@require_POST
def rule_remove(request, pk, rule_pk):
    allocation = _allocation(pk)
    rule = get_object_or_404(PairRule, pk=rule_pk, allocation=allocation)
    return _act(
        request,
        allocation,
        lambda: runs.remove_rule(rule=rule, by=request.user),
        _("Le choix du comité est retiré."),
    )


@backoffice_required(permission=MANAGE)
@require_POST
def run_start(request, pk):
    allocation = _allocation(pk)
    try:
        run = runs.start_run(allocation=allocation, by=request.user)
    except ValidationError as error:
        return _back(request, allocation, error)
    return redirect("allocation:run", pk=run.pk)


def _run(pk):
    return get_object_or_404(
        Run.objects.select_related("allocation__call__edition", "created_by"), pk=pk
    )


@backoffice_required(permission=MANAGE)
@require_safe
def run_page(request, pk):
    run = _run(pk)
    allocation = run.allocation
    if request.headers.get("HX-Request") and run.status == Run.Status.COMPUTING:
        return render(request, "allocation/staff/_progress.html", {"run": run})
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    result = run.result or {}
    by_commune = {}
    for placement in result.get("placements", []):
        placement["sentences"] = explanations.describe(placement)
        by_commune.setdefault(placement["commune"], []).append(placement)
    communes = [
        {**commune, "placements": by_commune.get(commune["name"], [])}
        for commune in result.get("communes", [])
    ]
    others = list(
        allocation.runs.exclude(pk=run.pk)
        .filter(status__in=[Run.Status.OPTIMAL, Run.Status.TIME_LIMIT])
        .values_list("pk", "number")[:50]
    )
    return render(
        request,
        "allocation/staff/run.html",
        {
            "run": run,
            "allocation": allocation,
            "call": allocation.call,
            "communes": communes,
            "summary": explanations.summary_rows(result.get("summary") or {}),
            "suggestions": [explanations.suggestion(item) for item in run.suggestions],
            "stale": run.succeeded and allocation.published_at is None and runs.is_stale(run),
            "staged": allocation.staged_run_id == run.pk,
            "others": others,
            "pins": run.snapshot.get("pins", []),
            "forbids": run.snapshot.get("forbids", []),
            "example": explanations.worked_example(run.params.get("alpha", 0.5)),
        },
    )


@backoffice_required(permission=MANAGE)
@require_safe
def run_compare(request, pk):
    run = _run(pk)
    other = Run.objects.filter(
        pk=parse_id(request.GET.get("avec")) or 0, allocation=run.allocation
    ).first()
    if other is None:
        messages.error(request, _("Choisissez un autre calcul de cette répartition à comparer."))
        return redirect("allocation:run", pk=run.pk)
    if not run.succeeded or not other.succeeded:
        raise Http404
    first, second = sorted([run, other], key=lambda r: r.number)
    return render(
        request,
        "allocation/staff/compare.html",
        {
            "run": run,
            "first": first,
            "second": second,
            "allocation": run.allocation,
            "call": run.allocation.call,
            "moved": runs.compare(first, second),
        },
    )


@backoffice_required(permission=MANAGE)
@require_safe
def run_stable(request, pk):
    run = _run(pk)
    if not run.succeeded:
        raise Http404
    return render(
        request,
        "allocation/staff/stable.html",
        {
            "run": run,
            "allocation": run.allocation,
            "call": run.allocation.call,
            "view": runs.stable_view(run),
        },
    )


@backoffice_required(permission=MANAGE)
@require_POST
def run_stage(request, pk):
    run = _run(pk)
    try:
        publication.stage_run(run=run, rationale=request.POST.get("rationale", ""), by=request.user)
    except ValidationError as error:
        for problem in _errors(error):
            messages.error(request, problem)
        return redirect("allocation:run", pk=run.pk)
    messages.success(request, _("Ce calcul est la répartition retenue, en attente de publication."))
    return redirect("allocation:staff", pk=run.allocation_id)


@backoffice_required(permission=MANAGE)
@require_POST
def publish(request, pk):
    allocation = _allocation(pk)
    if request.POST.get("confirm") != "yes":
        return _back(
            request,
            allocation,
            ValidationError(
                _("Cochez la case pour confirmer : la publication ne peut pas être annulée.")
            ),
        )
    try:
        publication.publish_allocation(allocation=allocation, by=request.user)
    except ValidationError as error:
        return _back(request, allocation, error)
    messages.success(
        request,
        _("La répartition est publiée ; relisez les courriels avant de les envoyer."),
    )
    return redirect("allocation:outbox", pk=allocation.pk)


@backoffice_required(permission=MANAGE)
def outbox(request, pk):
    allocation = _allocation(pk)
    if request.method == "POST":
        try:
            count = len(publication.send_letters(allocation=allocation, by=request.user))
        except ValidationError as error:
            for problem in _errors(error):
                messages.error(request, problem)
        else:
            messages.success(request, _("%(count)s courriels partent.") % {"count": count})
        return redirect("allocation:outbox", pk=allocation.pk)
    emails = publication.held_letters(allocation).order_by("pk")
    page = Paginator(emails, PAGE_SIZE).get_page(request.GET.get("page"))
    statuses = dict.fromkeys(OutgoingEmail.Status.values, 0)
    for status in emails.values_list("status", flat=True):
        statuses[status] += 1
    return render(
        request,
        "allocation/staff/outbox.html",
        {
            "allocation": allocation,
            "call": allocation.call,
            "page": page,
            "held": statuses["held"] + statuses["failed"],
            "sent": statuses["sent"],
        },
    )


@backoffice_required(permission=MANAGE)
@require_POST
def withdraw(request, pk, placement_pk):
    allocation = _allocation(pk)
    placement = get_object_or_404(Placement, pk=placement_pk, allocation=allocation)
    try:
        publication.withdraw(
            placement=placement, by=request.user, note=request.POST.get("note", "")
        )
    except ValidationError as error:
        return _back(request, allocation, error)
    return _back(
        request,
        allocation,
        success=_("Le désistement est enregistré ; l'expérimentation est close."),
    )


@backoffice_required(permission=MANAGE)
@require_POST
def change_stage(request, pk):
    allocation = _allocation(pk)
    application = allocation.call.applications.filter(
        pk=parse_id(request.POST.get("application")) or 0
    ).first()
    commune = runs.get_commune(allocation, parse_id(request.POST.get("commune")) or 0)
    if application is None or commune is None:
        return _back(
            request,
            allocation,
            ValidationError(_("Choisissez un dossier et une commune de l'appel.")),
        )
    return _act(
        request,
        allocation,
        lambda: publication.stage_change(
            allocation=allocation,
            application=application,
            commune=commune,
            kind=request.POST.get("kind", ""),
            rationale=request.POST.get("rationale", ""),
            by=request.user,
        ),
        _("Le changement est préparé, en attente de publication."),
    )


@backoffice_required(permission=MANAGE)
@require_POST
def change_publish(request, pk, change_pk):
    allocation = _allocation(pk)
    change = get_object_or_404(PendingChange, pk=change_pk, allocation=allocation)
    return _act(
        request,
        allocation,
        lambda: publication.publish_change(change=change, by=request.user),
        _("Le changement est publié ; son courriel attend l'envoi."),
    )


@backoffice_required(permission=MANAGE)
def letters_page(request, pk):
    """The letter to each laureate and to each commune, with the placeholders they may use."""
    allocation = _allocation(pk)
    posted, errors = {}, {}
    if request.method == "POST":
        posted = {
            "recipient": request.POST.get("recipient", ""),
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
        }
        try:
            publication.save_letter_template(allocation=allocation, by=request.user, **posted)
        except ValidationError as error:
            errors = error.message_dict if hasattr(error, "error_dict") else {"": error.messages}
        else:
            messages.success(request, _("Le modèle de courrier est enregistré."))
            return redirect("allocation:letters", pk=allocation.pk)
    templates = letters.templates_of(allocation)
    own = set(allocation.letter_templates.values_list("recipient", flat=True))
    forms = []
    for recipient, label in LetterTemplate.Recipient.choices:
        mine = posted.get("recipient") == recipient
        subject, body = templates[recipient]
        forms.append(
            {
                "recipient": recipient,
                "label": label,
                "subject": posted["subject"] if mine else subject,
                "body": posted["body"] if mine else body,
                "own": recipient in own,
                "errors": errors if mine else {},
                "placeholders": [
                    (f"[{name}]", text) for name, text in letters.PLACEHOLDERS[recipient].items()
                ],
            }
        )
    if errors and not any(form["errors"] for form in forms):
        for problem in errors.get("", []):
            messages.error(request, problem)
    return render(
        request,
        "allocation/staff/letters.html",
        {"allocation": allocation, "call": allocation.call, "forms": forms},
        status=422 if errors else 200,
    )
