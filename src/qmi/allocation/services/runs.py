"""The committee's pins and forbids, and the solver's runs.

A run freezes what it is computed from (a snapshot of both sides' preferences, the
bounds, pins, forbids and parameters, with its hash), so it can be explained, compared and
staged later, and refused for staging once the preferences have changed. Large instances
are computed by the task worker, the page showing the run's progress meanwhile.
"""

import logging
import time

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.core import audit
from qmi.core.forms import plain_text
from qmi.core.permissions import require

from .. import queries, solver
from ..models import Allocation, AllocationCommune, PairRule, Run

logger = logging.getLogger(__name__)
MANAGE = "allocation.manage_allocation"
# Above this many laureates, a run is computed by the task worker.
BACKGROUND_FROM = 100
TIME_LIMIT = 60.0
MAX_NOTE = 2000


def _refuse_if_published(allocation):
    if allocation.published_at is not None:
        raise ValidationError(_("La répartition est publiée : elle ne change plus."))


def _rule_note(allocation, application, commune, kind, note):
    """The note, cleaned, once the rule's fields are all valid."""
    errors = {}
    if kind not in PairRule.Kind.values:
        errors["kind"] = _("Choisissez : fixer ou interdire.")
    note = plain_text(note, "note")
    if not note:
        errors["note"] = _("Notez la raison du comité.")
    elif len(note) > MAX_NOTE:
        errors["note"] = _("La note tient en 2 000 caractères au plus.")
    if not queries.laureates(allocation.call).filter(pk=application.pk).exists():
        errors["application"] = _("Ce dossier n'est pas lauréat de cet appel.")
    if commune.allocation_id != allocation.pk:
        errors["commune"] = _("Cette commune n'est pas servie par cet appel.")
    if errors:
        raise ValidationError(errors)
    return note


@transaction.atomic
def add_rule(*, allocation, application, commune, kind, note, by):
    """Pin a laureate to a commune or forbid the pair, with the committee's note."""
    require(by, MANAGE)
    allocation = Allocation.objects.select_for_update().select_related("call").get(pk=allocation.pk)
    _refuse_if_published(allocation)
    note = _rule_note(allocation, application, commune, kind, note)
    existing = PairRule.objects.filter(
        allocation=allocation, application=application, commune=commune
    ).first()
    if existing is not None:
        raise ValidationError(
            _("Ce couple est déjà %(kind)s : retirez ce choix avant d'en faire un autre.")
            % {"kind": existing.get_kind_display().lower()}
        )
    if kind == PairRule.Kind.PIN:
        if PairRule.objects.filter(
            allocation=allocation, application=application, kind=PairRule.Kind.PIN
        ).exists():
            raise ValidationError(_("Ce lauréat est déjà fixé à une autre commune."))
        pinned = PairRule.objects.filter(commune=commune, kind=PairRule.Kind.PIN).count()
        if pinned >= commune.maximum:
            raise ValidationError(
                _("%(commune)s a déjà %(count)s lauréats fixés, son maximum.")
                % {"commune": commune, "count": pinned}
            )
    try:
        with transaction.atomic():
            rule = PairRule.objects.create(
                allocation=allocation,
                application=application,
                commune=commune,
                kind=kind,
                note=note,
                created_by=by,
            )
    except IntegrityError:
        raise ValidationError(_("Ce couple vient d'être choisi par quelqu'un d'autre.")) from None
    audit.record(
        obj=allocation,
        actor=by,
        action="allocation_pinned" if kind == PairRule.Kind.PIN else "allocation_forbidden",
        changes={application.reference: [None, str(commune)]},
        note=note,
    )
    return rule


@transaction.atomic
def remove_rule(*, rule, by):
    require(by, MANAGE)
    rule = PairRule.objects.select_related("allocation", "application", "commune").get(pk=rule.pk)
    _refuse_if_published(rule.allocation)
    audit.record(
        obj=rule.allocation,
        actor=by,
        action="allocation_rule_removed",
        changes={rule.application.reference: [f"{rule.get_kind_display()} {rule.commune}", None]},
    )
    rule.delete()


def start_run(*, allocation, by, background=None):
    """Record a run with its snapshot, then compute it now or in the task worker."""
    require(by, MANAGE)
    with transaction.atomic():
        allocation = Allocation.objects.select_for_update().get(pk=allocation.pk)
        _refuse_if_published(allocation)
        if allocation.runs.filter(status=Run.Status.COMPUTING).exists():
            raise ValidationError(_("Un calcul est déjà en cours pour cet appel."))
        data = queries.snapshot(allocation)
        if not data["laureates"]:
            raise ValidationError(
                _("Aucun lauréat à répartir : les décisions « Retenu » manquent.")
            )
        number = (
            allocation.runs.order_by("-number").values_list("number", flat=True).first() or 0
        ) + 1
        try:
            with transaction.atomic():
                run = Run.objects.create(
                    allocation=allocation,
                    number=number,
                    params=data["params"],
                    snapshot=data,
                    input_hash=queries.digest(data),
                    created_by=by,
                    progress=_("En attente du calcul."),
                )
        except IntegrityError:
            raise ValidationError(_("Un calcul est déjà en cours pour cet appel.")) from None
        audit.record(
            obj=allocation,
            actor=by,
            action="allocation_run_started",
            changes={"calcul": [None, number]},
        )
        if background is None:
            background = len(data["laureates"]) > BACKGROUND_FROM
        if background:
            from ..tasks import compute_run_task  # noqa: PLC0415 — the task imports this module

            transaction.on_commit(lambda: compute_run_task.enqueue(run_id=run.pk))
    if not background:
        compute_run(run.pk)
        run.refresh_from_db()
    return run


def _progress(run_id, text):
    Run.objects.filter(pk=run_id, status=Run.Status.COMPUTING).update(progress=text)


def compute_run(run_id):
    """Solve a recorded run; any error leaves a failed run with its reason, staging nothing."""
    run = Run.objects.get(pk=run_id)
    if run.status != Run.Status.COMPUTING:
        return
    started = time.perf_counter()
    try:
        _progress(run_id, _("Vérification des données."))
        instance = queries.instance_from(run.snapshot)
        _progress(run_id, _("Recherche de la meilleure répartition."))
        result = solver.solve(instance, time_limit=TIME_LIMIT)
        fields = {"seconds": round(time.perf_counter() - started, 4)}
        if result.status == "time_limit" and not result.placement:
            fields.update(status=Run.Status.FAILED, reasons=result.reasons)
        elif result.status in {"optimal", "time_limit"}:
            _progress(run_id, _("Explication de chaque placement."))
            fields.update(
                status=Run.Status.OPTIMAL if result.status == "optimal" else Run.Status.TIME_LIMIT,
                objective=result.objective,
                gap=result.gap,
                result=_result_data(instance, run.snapshot, result),
            )
        else:
            fields.update(
                status=Run.Status.INFEASIBLE,
                reasons=result.reasons,
                # Checks before solving name their reasons; past them, the smallest relaxation.
                suggestions=[] if solver.check(instance) else solver.relax(instance),
            )
        fields["seconds"] = round(time.perf_counter() - started, 4)
    except Exception as error:  # a solver error must leave a failed run, not a computing one
        logger.exception("Allocation run %s failed", run_id)
        fields = {
            "status": Run.Status.FAILED,
            "reasons": [_("Le calcul a échoué : %(error)s") % {"error": str(error)[:300]}],
            "seconds": round(time.perf_counter() - started, 4),
        }
    fields.update(finished_at=timezone.now(), progress="")
    Run.objects.filter(pk=run_id).update(**fields)


def _result_data(instance, data, result):
    """What the run's pages show, computed once: per laureate and per commune."""
    explanations = solver.explain(instance, result)
    weights = instance.weights()
    laureates = {item["reference"]: item for item in data["laureates"]}
    placements = []
    for reference, commune in sorted(result.placement.items()):
        found = explanations.get(reference)
        placements.append(
            {
                "reference": reference,
                "organisation": laureates[reference]["organisation"],
                "commune": commune,
                "laureate_rank": instance.laureate_ranks.get(reference, {}).get(commune),
                "commune_rank": instance.commune_ranks.get(commune, {}).get(reference),
                "points": weights.get((reference, commune)),
                "one_sided": not instance.mutual(reference, commune),
                "pinned": (reference, commune) in instance.pins,
                "better": _plain(found.better) if found is not None else [],
            }
        )
    counts = dict.fromkeys(instance.communes, 0)
    for commune in result.placement.values():
        counts[commune] += 1
    return {
        "placements": placements,
        "communes": [
            {"name": name, "count": counts[name], "minimum": low, "maximum": high}
            for name, (low, high) in sorted(instance.communes.items())
        ],
        "summary": solver.summary(instance, result.placement),
    }


def _plain(value):
    """Solver dataclasses and tuples as JSON."""
    if hasattr(value, "__dataclass_fields__"):
        return {key: _plain(getattr(value, key)) for key in value.__dataclass_fields__}
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def is_stale(run):
    """Whether the preferences changed since the run was computed."""
    return run.input_hash != queries.digest(queries.snapshot(run.allocation))


def compare(first, second):
    """[(reference, organisation, commune in first, commune in second)] of the laureates moved."""
    before = {p["reference"]: p for p in first.result.get("placements", [])}
    after = {p["reference"]: p for p in second.result.get("placements", [])}
    moved = []
    for reference in sorted(set(before) | set(after)):
        old, new = before.get(reference), after.get(reference)
        if (old or {}).get("commune") != (new or {}).get("commune"):
            moved.append(
                {
                    "reference": reference,
                    "organisation": (old or new)["organisation"],
                    "before": (old or {}).get("commune"),
                    "after": (new or {}).get("commune"),
                }
            )
    return moved


def stable_view(run):
    """Deferred acceptance on the run's preferences, beside the run."""
    instance = queries.instance_from(run.snapshot)
    started = time.perf_counter()
    stable = solver.deferred_acceptance(instance)
    seconds = time.perf_counter() - started
    placed = {p["reference"]: p["commune"] for p in run.result.get("placements", [])}
    organisations = {item["reference"]: item["organisation"] for item in run.snapshot["laureates"]}
    differences = [
        {
            "reference": reference,
            "organisation": organisations[reference],
            "run": placed.get(reference),
            "stable": stable.get(reference),
        }
        for reference in sorted(instance.laureates)
        if placed.get(reference) != stable.get(reference)
    ]
    return {
        "seconds": seconds,
        "differences": differences,
        "blocking": [
            {
                "reference": reference,
                "organisation": organisations[reference],
                "commune": commune,
                "got": placed.get(reference),
            }
            for reference, commune in solver.blocking_pairs(instance, placed)
        ],
        "under_minimum": [
            {"commune": name, "count": count, "minimum": instance.communes[name][0]}
            for name, count in sorted(solver.under_minimum(instance, stable).items())
        ],
        "unplaced": sorted(set(instance.laureates) - set(stable)),
    }


def get_commune(allocation, pk):
    return AllocationCommune.objects.filter(allocation=allocation, pk=pk).first()


def get_laureate(allocation, pk):
    return queries.laureates(allocation.call).filter(pk=pk).select_related("organisation").first()
