"""The allocation of laureates to communes at two scales: the programme's, and a large one.

Why: the committee re-runs the solver while it deliberates, so a run of the programme's
size (75 laureates, 10 communes taking 6 to 8) must answer, explanations included, in well
under a second; a large one (300 laureates, 40 communes) must stay under 10 s and run in
the task worker with its progress on the page; the run's page must stay a page.

Run with `make bench-allocation`. Works on PostgreSQL (`qmi_bench_allocation`, dropped and
created again; QMI_BENCH_ALLOCATION_DATABASE_URL to choose another) with the demo data plus
two calls for projects whose laureates and communes rank each other at random.
Prints figures, never assertions: exit code 1 only when something failed.
"""

import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from postgres import page_time, production_settings  # noqa: E402

URL = production_settings("qmi_bench_allocation", "QMI_BENCH_ALLOCATION_DATABASE_URL")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from qmi.accounts.models import Organisation, User  # noqa: E402
from qmi.accounts.second_factor import mark_second_factor  # noqa: E402
from qmi.allocation import solver  # noqa: E402
from qmi.allocation.models import Allocation, AllocationCommune, CommuneWish, Run  # noqa: E402
from qmi.allocation.services import runs  # noqa: E402
from qmi.calls.models import Application, Call, FormRevision, Question, Section  # noqa: E402
from qmi.programmes.models import Commune, Edition, EditionCommune  # noqa: E402
from qmi.review.models import Decision  # noqa: E402


def prepare():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--quiet-logins", stdout=devnull)


def instance(laureates, communes, seed):
    """A feasible random instance: each laureate ranks 3 communes, each commune wishes for
    about twice its maximum among those that ranked it, then a few more."""
    rng = random.Random(seed)
    names = [f"C{n:02d}" for n in range(communes)]
    refs = [f"L{n:04d}" for n in range(laureates)]
    laureate_ranks = {ref: {c: i + 1 for i, c in enumerate(rng.sample(names, 3))} for ref in refs}
    commune_ranks = {}
    for name in names:
        fans = [ref for ref in refs if name in laureate_ranks[ref]]
        others = rng.sample(refs, min(len(refs), 4))
        wished = list(dict.fromkeys(rng.sample(fans, min(len(fans), 16)) + others))
        commune_ranks[name] = {ref: i + 1 for i, ref in enumerate(wished)}
    # Each laureate is wanted by at least one commune it ranked (else no allocation exists).
    for ref in refs:
        if not any(ref in commune_ranks[c] for c in laureate_ranks[ref]):
            first = min(laureate_ranks[ref], key=laureate_ranks[ref].get)
            commune_ranks[first][ref] = len(commune_ranks[first]) + 1
    low = max(0, laureates // communes - 1)
    high = -(-laureates // communes) + 1
    return solver.Instance(
        laureates=tuple(refs),
        communes=dict.fromkeys(names, (low, high)),
        commune_ranks=commune_ranks,
        laureate_ranks=laureate_ranks,
    )


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def solver_rows():
    print(f"{'solver alone':<44} {'time':>9} {'status':>10} {'total':>9}")
    for laureates, communes, target in ((75, 10, "< 1 s"), (300, 40, "< 10 s")):
        best = instance(laureates, communes, seed=laureates)
        result, solve_s = timed(lambda best=best: solver.solve(best))
        _why, explain_s = timed(lambda best=best, result=result: solver.explain(best, result))
        flow, flow_s = timed(lambda best=best: solver.solve_flow(best))
        stable, da_s = timed(lambda best=best: solver.deferred_acceptance(best))
        label = f"{laureates} laureates × {communes} communes"
        if result.objective is None:
            print(f"{label}: {result.status} — {'; '.join(result.reasons)}")
            continue
        print(
            f"{label + ', milp + explanations':<44} {solve_s + explain_s:>7.3f} s "
            f"{result.status:>10} {result.objective:>9.3f}   (target {target})"
        )
        print(f"{'   of which explanations':<44} {explain_s:>7.3f} s")
        same = "same optimum" if abs(flow.objective - result.objective) < 1e-6 else "DIFFERENT"
        print(f"{'   flow formulation (linprog)':<44} {flow_s:>7.3f} s {flow.status:>10} ({same})")
        print(
            f"{'   deferred acceptance':<44} {da_s * 1000:>6.1f} ms {len(stable):>10} placed"
            "   (target < 100 ms)"
        )


def call_with(laureates, communes, staff, seed):
    """A call for projects with its laureates, an allocation and both sides' preferences."""
    rng = random.Random(seed)
    now = timezone.now()
    edition = Edition.objects.get(number=2)
    towns = list(Commune.objects.exclude(editions__edition=edition).order_by("insee")[:communes])
    served = [EditionCommune.objects.create(edition=edition, commune=town) for town in towns]
    call = Call.objects.create(
        edition=edition,
        kind=Call.Kind.PROJECTS,
        title=f"Appel de mesure de la répartition ({laureates})",
        slug=f"mesure-repartition-{laureates}",
        eligible_kinds=["experimenter"],
        opens_at=now - timezone.timedelta(days=60),
        closes_at=now - timezone.timedelta(days=30),
        status=Call.Status.CLOSED,
        reference_prefix=f"REP{laureates}",
    )
    revision = FormRevision.objects.create(call=call, number=1, published_at=call.opens_at)
    section = Section.objects.create(revision=revision, order=1, title="Le projet")
    Question.objects.create(
        section=section, key="solution-nom", order=1, label="Nom", kind=Question.Kind.SHORT_TEXT
    )
    Question.objects.create(
        section=section,
        key="communes",
        order=2,
        label="Communes souhaitées",
        kind=Question.Kind.COMMUNE_RANKING,
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Lauréat {seed}-{n:04d}", kind="experimenter", is_demo=True)
        for n in range(laureates)
    )
    apps = Application.objects.bulk_create(
        Application(
            call=call,
            organisation=organisation,
            revision=revision,
            reference=f"REP{laureates}-{n:04d}",
            status=Application.Status.COMPLETE,
            submitted_at=now,
            answers={
                "solution-nom": f"Solution {n}",
                "communes": [str(c.pk) for c in rng.sample(served, 3)],
            },
        )
        for n, organisation in enumerate(organisations)
    )
    Decision.objects.bulk_create(
        Decision(application=a, outcome=Decision.Outcome.SELECTED, rationale="Mesure.")
        for a in apps
    )
    low = max(0, laureates // communes - 1)
    high = -(-laureates // communes) + 1
    allocation = Allocation.objects.create(
        call=call, closes_at=now - timezone.timedelta(days=1), opened_by=staff
    )
    rows = AllocationCommune.objects.bulk_create(
        AllocationCommune(allocation=allocation, edition_commune=ec, minimum=low, maximum=high)
        for ec in served
    )
    wishes, wished = [], {}
    for row in rows:
        fans = [a for a in apps if str(row.edition_commune_id) in a.answers["communes"]]
        chosen = list(dict.fromkeys(rng.sample(fans, min(len(fans), 16)) + rng.sample(apps, 4)))
        wished[row.pk] = chosen
    # Each laureate is wanted by at least its first commune (else no allocation exists).
    by_edition_commune = {row.edition_commune_id: row for row in rows}
    for application in apps:
        ranked = [by_edition_commune[int(pk)] for pk in application.answers["communes"]]
        if not any(application in wished[row.pk] for row in ranked):
            wished[ranked[0].pk].append(application)
    for row in rows:
        wishes += [
            CommuneWish(commune=row, application=a, rank=i + 1)
            for i, a in enumerate(wished[row.pk])
        ]
    CommuneWish.objects.bulk_create(wishes)
    return allocation


def service_rows(staff):
    client = Client()
    client.force_login(staff)
    print(f"{'through the platform (PostgreSQL)':<44} {'time':>9} {'status':>10}")
    for laureates, communes in ((75, 10), (300, 40)):
        allocation = call_with(laureates, communes, staff, seed=laureates)
        background = laureates > runs.BACKGROUND_FROM
        run, start_s = timed(
            lambda a=allocation, b=background: runs.start_run(allocation=a, by=staff, background=b)
        )
        label = f"{laureates} × {communes}"
        if background:
            waiting = client.get(f"/gestion/repartitions/calculs/{run.pk}/").status_code
            print(
                f"{label + ', request (snapshot, task queued)':<44} {start_s:>7.3f} s "
                f"{run.status:>10}   (page while computing: HTTP {waiting})"
            )
            _done, worker_s = timed(
                lambda: subprocess.run(
                    [
                        sys.executable,
                        str(ROOT / "manage.py"),
                        "db_worker",
                        "--batch",
                        "--queue-name",
                        "*",
                    ],
                    check=True,
                    capture_output=True,
                )
            )
            run = Run.objects.get(pk=run.pk)
            print(
                f"{label + ', task worker (start, solve, exit)':<44} {worker_s:>7.3f} s "
                f"{run.status:>10}   (run itself {run.seconds:.3f} s; target < 10 s)"
            )
        else:
            print(
                f"{label + ', request (snapshot, solve, explain)':<44} {start_s:>7.3f} s "
                f"{run.status:>10}   (run itself {run.seconds:.3f} s; target < 1 s)"
            )
        _view, stable_s = timed(lambda r=run: runs.stable_view(r))
        print(f"{'   stable-matching view':<44} {stable_s * 1000:>6.1f} ms")
        median, p95, count = page_time(client, f"/gestion/repartitions/calculs/{run.pk}/")
        print(
            f"{'   result page, server time':<44} {median:>6.1f} ms (p95 {p95:.1f} ms, "
            f"{count} queries; target < 150 ms)"
        )
        _digest, stale_s = timed(lambda r=run: runs.is_stale(r))
        print(f"{'   inputs changed? (snapshot + hash)':<44} {stale_s * 1000:>6.1f} ms")


def main():
    setup_test_environment()
    print(f"-- {URL.rsplit('/', 1)[-1]}: demo data plus two measured calls")
    prepare()
    staff = mark_second_factor(User.objects.get(email="operateur@demo.qmi.example"))
    solver_rows()
    service_rows(staff)
    connection.close()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["QMI_VAR_DIR"], ignore_errors=True)
