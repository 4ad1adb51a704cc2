"""Runs of the solver: what they keep, how they fail, explain, compare and stage."""

import random

import pytest
from django.core.exceptions import ValidationError

from qmi.allocation import explanations, queries, solver
from qmi.allocation.models import PairRule, Run
from qmi.allocation.services import preferences, publication, runs
from qmi.core.models import AuditEntry

from .conftest import open_allocation

pytestmark = pytest.mark.django_db


def commune(allocation, world, name):
    return allocation.communes.get(edition_commune=world.communes[name])


def wish(allocation, world, name, apps):
    preferences.save_wishes(
        commune=commune(allocation, world, name),
        by=world.referents[name],
        ranks={app.pk: i + 1 for i, app in enumerate(apps)},
    )


@pytest.fixture
def ready(world):
    """Four laureates, three communes taking 1 to 2 each, mutual interest everywhere."""
    a = world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
    b = world.add_laureate(ranking=("Argenteuil", "Issy-les-Moulineaux"))
    c = world.add_laureate(ranking=("Issy-les-Moulineaux", "Argenteuil"))
    d = world.add_laureate(ranking=("Sucy-en-Brie", "Issy-les-Moulineaux"))
    allocation = open_allocation(world, bounds=(1, 2))
    wish(allocation, world, "Argenteuil", [a, b, c])
    wish(allocation, world, "Issy-les-Moulineaux", [c, b, d])
    wish(allocation, world, "Sucy-en-Brie", [d, a])
    return allocation, (a, b, c, d)


def placed(run):
    return {p["reference"]: p["commune"] for p in run.result["placements"]}


def test_a_run_keeps_its_inputs_their_hash_and_the_optimum(world, ready):
    allocation, (a, b, c, d) = ready
    run = runs.start_run(allocation=allocation, by=world.staff)
    assert run.status == Run.Status.OPTIMAL
    assert placed(run) == {
        a.reference: "Argenteuil",
        b.reference: "Argenteuil",
        c.reference: "Issy-les-Moulineaux",
        d.reference: "Sucy-en-Brie",
    }
    assert run.input_hash == queries.digest(run.snapshot)
    assert run.snapshot["params"] == {"alpha": 0.5, "jury_weight": 0.0, "one_sided_penalty": None}
    assert run.seconds is not None and run.finished_at is not None
    # The same inputs solved directly give the same total.
    direct = solver.solve(queries.instance_from(run.snapshot))
    assert run.objective == pytest.approx(direct.objective)
    assert AuditEntry.objects.filter(action="allocation_run_started").count() == 1


def test_every_placement_is_explained_in_french(world, ready):
    allocation, (_a, _b, c, d) = ready
    run = runs.start_run(allocation=allocation, by=world.staff)
    by_reference = {p["reference"]: p for p in run.result["placements"]}
    assert explanations.describe(by_reference[c.reference])[0] == (
        "Placé à Issy-les-Moulineaux : 1er choix du projet, 1er souhait de la commune."
    )
    sentences = explanations.describe(by_reference[d.reference])
    assert sentences[0] == "Placé à Sucy-en-Brie : 1er choix du projet, 1er souhait de la commune."


def test_a_laureate_kept_from_its_first_choice_is_told_what_it_would_cost(world):
    a = world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
    b = world.add_laureate(ranking=("Argenteuil", "Sucy-en-Brie"))
    allocation = open_allocation(world, bounds=(0, 1))
    wish(allocation, world, "Argenteuil", [a, b])
    wish(allocation, world, "Sucy-en-Brie", [b, a])
    run = runs.start_run(allocation=allocation, by=world.staff)
    second = next(p for p in run.result["placements"] if p["commune"] == "Sucy-en-Brie")
    sentences = explanations.describe(second)
    assert sentences[1].startswith(
        "Son 1er choix, Argenteuil, est complet avec 1 projet que la commune classe avant lui ; l'y placer ferait perdre"
    )


def test_impossible_allocations_say_why(world):
    world.add_laureate(ranking=("Argenteuil",))
    allocation = open_allocation(world, bounds=(1, 2))
    run = runs.start_run(allocation=allocation, by=world.staff)
    assert run.status == Run.Status.INFEASIBLE
    assert "1 lauréats pour 3 communes qui doivent en accueillir au moins 3." in run.reasons
    page = explanations.suggestion({"kind": "lower_minimum", "commune": "Sucy-en-Brie", "to": 0})
    assert page == "Abaisser le minimum de Sucy-en-Brie à 0."


def test_past_the_checks_an_impossible_allocation_gets_the_smallest_relaxation(world):
    apps = [world.add_laureate(ranking=("Argenteuil",)) for _ in range(3)]
    allocation = open_allocation(world, bounds=(0, 1))
    wish(allocation, world, "Argenteuil", apps)
    run = runs.start_run(allocation=allocation, by=world.staff)
    assert run.status == Run.Status.INFEASIBLE
    assert run.reasons == [
        "Aucune répartition ne respecte à la fois les minimums, les maximums et les choix."
    ]
    assert [explanations.suggestion(item) for item in run.suggestions] == [
        "Relever le maximum d'Argenteuil à 3."
    ]


def test_a_solver_error_leaves_a_failed_run_and_stages_nothing(world, ready, monkeypatch):
    allocation, _apps = ready

    def broken(instance, **kwargs):
        raise RuntimeError("HiGHS a planté")

    monkeypatch.setattr(solver, "solve", broken)
    run = runs.start_run(allocation=allocation, by=world.staff)
    assert run.status == Run.Status.FAILED
    assert run.reasons == ["Le calcul a échoué : HiGHS a planté"]
    with pytest.raises(ValidationError, match="Seul un calcul qui a trouvé"):
        publication.stage_run(run=run, rationale="Essai.", by=world.staff)
    allocation.refresh_from_db()
    assert allocation.staged_run is None


def test_a_second_run_while_one_is_computing_is_refused(world, ready):
    allocation, _apps = ready
    Run.objects.create(allocation=allocation, number=1, snapshot={}, input_hash="x")
    with pytest.raises(ValidationError, match=r"Un calcul est déjà en cours pour cet appel\."):
        runs.start_run(allocation=allocation, by=world.staff)
    assert Run.objects.count() == 1


def test_a_large_run_goes_to_the_task_worker(world, ready, django_capture_on_commit_callbacks):
    allocation, _apps = ready
    with django_capture_on_commit_callbacks(execute=False) as queued:
        run = runs.start_run(allocation=allocation, by=world.staff, background=True)
    assert run.status == Run.Status.COMPUTING
    assert run.progress == "En attente du calcul."
    # After the commit the task is enqueued; the test settings run tasks at once.
    for callback in queued:
        callback()
    run.refresh_from_db()
    assert run.status == Run.Status.OPTIMAL


def test_pins_and_forbids_hold_and_the_comparison_counts_the_moves(world, ready):
    allocation, (a, b, _c, _d) = ready
    first = runs.start_run(allocation=allocation, by=world.staff)
    runs.add_rule(
        allocation=allocation,
        application=b,
        commune=commune(allocation, world, "Issy-les-Moulineaux"),
        kind="pin",
        note="Le comité veut ce projet à Issy.",
        by=world.staff,
    )
    runs.add_rule(
        allocation=allocation,
        application=a,
        commune=commune(allocation, world, "Argenteuil"),
        kind="forbid",
        note="Conflit avec un projet en cours.",
        by=world.staff,
    )
    second = runs.start_run(allocation=allocation, by=world.staff)
    after = placed(second)
    assert after[b.reference] == "Issy-les-Moulineaux"
    assert after[a.reference] != "Argenteuil"
    moved = runs.compare(first, second)
    assert {item["reference"] for item in moved} >= {a.reference, b.reference}
    assert second.snapshot["pins"] == [
        [b.reference, "Issy-les-Moulineaux", "Le comité veut ce projet à Issy."]
    ]
    assert (
        AuditEntry.objects.filter(action__in=["allocation_pinned", "allocation_forbidden"]).count()
        == 2
    )


def test_committee_rules_refuse_contradictions(world, ready):
    allocation, (a, b, c, d) = ready
    argenteuil = commune(allocation, world, "Argenteuil")
    runs.add_rule(
        allocation=allocation,
        application=a,
        commune=argenteuil,
        kind="pin",
        note="Oui.",
        by=world.staff,
    )
    with pytest.raises(ValidationError, match="déjà fixé"):
        runs.add_rule(
            allocation=allocation,
            application=a,
            commune=argenteuil,
            kind="forbid",
            note="Non.",
            by=world.staff,
        )
    runs.add_rule(
        allocation=allocation,
        application=b,
        commune=argenteuil,
        kind="pin",
        note="Oui.",
        by=world.staff,
    )
    with pytest.raises(ValidationError, match=r"Argenteuil a déjà 2 lauréats fixés, son maximum\."):
        runs.add_rule(
            allocation=allocation,
            application=c,
            commune=argenteuil,
            kind="pin",
            note="Oui.",
            by=world.staff,
        )
    with pytest.raises(ValidationError, match="Notez la raison"):
        runs.add_rule(
            allocation=allocation,
            application=d,
            commune=argenteuil,
            kind="forbid",
            note=" ",
            by=world.staff,
        )
    assert PairRule.objects.count() == 2


def test_a_run_whose_preferences_changed_cannot_be_staged(world, ready):
    allocation, (a, _b, _c, d) = ready
    run = runs.start_run(allocation=allocation, by=world.staff)
    with pytest.raises(ValidationError, match="Motivez"):
        publication.stage_run(run=run, rationale="  ", by=world.staff)
    wish(allocation, world, "Sucy-en-Brie", [a, d])
    with pytest.raises(
        ValidationError, match=r"Les préférences ont changé depuis ce calcul : relancez-le\."
    ):
        publication.stage_run(run=run, rationale="Le comité retient ce calcul.", by=world.staff)
    fresh = runs.start_run(allocation=allocation, by=world.staff)
    publication.stage_run(run=fresh, rationale="Le comité retient ce calcul.", by=world.staff)
    allocation.refresh_from_db()
    assert allocation.staged_run == fresh


def test_the_stable_view_lists_no_blocking_pair_for_deferred_acceptance(world, ready):
    allocation, _apps = ready
    run = runs.start_run(allocation=allocation, by=world.staff)
    view = runs.stable_view(run)
    instance = queries.instance_from(run.snapshot)
    stable = solver.deferred_acceptance(instance)
    assert solver.blocking_pairs(instance, stable) == []
    assert {item["reference"] for item in view["differences"]} == {
        ref for ref in instance.laureates if stable.get(ref) != placed(run).get(ref)
    }


def dense_instance():
    """300 laureates × 40 communes where everyone ranks everyone: seconds of HiGHS's work."""
    rng = random.Random(1)
    refs = [f"L{i:03d}" for i in range(300)]
    names = [f"C{i:02d}" for i in range(40)]
    return solver.Instance(
        laureates=tuple(refs),
        communes=dict.fromkeys(names, (6, 9)),
        commune_ranks={c: {r: i + 1 for i, r in enumerate(rng.sample(refs, 300))} for c in names},
        laureate_ranks={r: {c: i + 1 for i, c in enumerate(rng.sample(names, 5))} for r in refs},
    )


def test_a_time_out_before_any_allocation_leaves_a_failed_run(world, ready, monkeypatch):
    timed_out = solver.solve(dense_instance(), time_limit=0.0)
    assert (timed_out.status, timed_out.placement) == ("time_limit", {})
    # The run meets that real time-out (the small instance itself is solved at once).
    allocation, _apps = ready
    monkeypatch.setattr(solver, "solve", lambda instance, **kwargs: timed_out)
    run = runs.start_run(allocation=allocation, by=world.staff)
    assert run.status == Run.Status.FAILED
    assert run.reasons == ["Le temps limite est atteint avant qu'une répartition soit trouvée."]
    assert run.result == {}
    with pytest.raises(ValidationError, match="Seul un calcul qui a trouvé"):
        publication.stage_run(run=run, rationale="Essai.", by=world.staff)
