"""Review at the scale of a large call: the ranking table, automatic assignment, a re-solve.

Why: the review of a call for projects may have 2,000 complete files for 60 jurors; the
ranking must stay a page (under 150 ms of server time) and the exact assignment must
answer while staff wait (under 5 s), next to what a greedy loop would give.

Run with `make bench-review`. Works on PostgreSQL (`qmi_bench_review`, dropped and created
again; QMI_BENCH_REVIEW_DATABASE_URL to choose another) with the demo data plus a closed
call of FILES complete files and JURORS jurors whose expertise matches some files.
Prints: the solver alone (both objectives) and a greedy loop on the same instance, the
whole service (reads, solve, writes), a conflict re-solve, and the ranking page's server
time and query count. Figures, never assertions: exit code 1 only when something failed.
"""

import os
import random
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
from postgres import page_time, production_settings  # noqa: E402

URL = production_settings("qmi_bench_review", "QMI_BENCH_REVIEW_DATABASE_URL")
FILES = int(os.environ.get("QMI_BENCH_REVIEW_FILES", "2000"))
JURORS = int(os.environ.get("QMI_BENCH_REVIEW_JURORS", "60"))
READS = 3

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from qmi.accounts.models import Organisation, User  # noqa: E402
from qmi.accounts.second_factor import mark_second_factor  # noqa: E402
from qmi.calls.models import Application, Call, FormRevision, Question, Section  # noqa: E402
from qmi.programmes.models import Challenge, Edition, EditionCommune, Theme  # noqa: E402
from qmi.review import solver  # noqa: E402
from qmi.review.models import Assignment, Criterion, Juror, Phase, Review, Score  # noqa: E402
from qmi.review.services import jury  # noqa: E402


def prepare():
    call_command("migrate", verbosity=0)
    call_command("createcachetable", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--quiet-logins", stdout=devnull)
    rng = random.Random(7)
    now = timezone.now()
    edition = Edition.objects.get(number=2)
    communes = list(EditionCommune.objects.filter(edition=edition))
    themes = list(Theme.objects.all())
    # Each commune's challenge gets a theme, so files carry themes as well as communes.
    for number, commune in enumerate(communes):
        Challenge.objects.update_or_create(
            edition_commune=commune,
            defaults={"title": "Défi de mesure", "theme": themes[number % len(themes)]},
        )
    call = Call.objects.create(
        edition=edition,
        kind=Call.Kind.PROJECTS,
        title="Appel de mesure du jury",
        slug="appel-de-mesure-jury",
        eligible_kinds=["experimenter"],
        opens_at=now - timezone.timedelta(days=60),
        closes_at=now - timezone.timedelta(days=1),
        status=Call.Status.CLOSED,
        reference_prefix="JURY",
    )
    revision = FormRevision.objects.create(call=call, number=1, published_at=call.opens_at)
    section = Section.objects.create(revision=revision, order=1, title="Le projet")
    Question.objects.create(
        section=section, key="titre", order=1, label="Titre", kind=Question.Kind.SHORT_TEXT
    )
    Question.objects.create(
        section=section,
        key="communes",
        order=2,
        label="Communes souhaitées",
        kind=Question.Kind.COMMUNE_RANKING,
    )
    organisations = Organisation.objects.bulk_create(
        Organisation(name=f"Équipe {n:05d}", kind="experimenter", is_demo=True)
        for n in range(FILES)
    )
    Application.objects.bulk_create(
        (
            Application(
                call=call,
                organisation=organisation,
                revision=revision,
                reference=f"JURY-{n:05d}",
                status=Application.Status.COMPLETE,
                submitted_at=now,
                answers={
                    "titre": f"Projet {n}",
                    "communes": [str(c.pk) for c in rng.sample(communes, rng.randint(1, 2))],
                },
            )
            for n, organisation in enumerate(organisations)
        ),
        batch_size=1000,
    )
    people = User.objects.bulk_create(
        User(email=f"jure{n:03d}@mesure.example", full_name=f"Juré {n}", is_demo=True)
        for n in range(JURORS)
    )
    # Little room to spare: where the best jurors fill up matters, as in a real call.
    capacity = -(-FILES * READS // JURORS) + 2
    jurors = Juror.objects.bulk_create(
        Juror(call=call, user=person, kind=Juror.Kind.EXPERT, capacity=capacity)
        for person in people
    )
    # Expertise unevenly spread: one or two themes, a commune for a third of the jurors.
    Juror.themes.through.objects.bulk_create(
        Juror.themes.through(juror_id=juror.pk, theme_id=theme.pk)
        for juror in jurors
        for theme in rng.sample(themes, rng.randint(1, 2))
    )
    Juror.communes.through.objects.bulk_create(
        Juror.communes.through(juror_id=juror.pk, editioncommune_id=rng.choice(communes).pk)
        for juror in jurors
        if rng.random() < 1 / 3
    )
    phase = Phase.objects.create(
        call=call, title="Lecture", order=1, status=Phase.Status.OPEN, reviews_per_application=READS
    )
    for order, label in enumerate(["Pertinence", "Innovation", "Faisabilité", "Impact", "Équipe"]):
        Criterion.objects.create(phase=phase, order=order + 1, label=label, weight=1 + order % 2)
    return call, phase


def timed(action):
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def fill_reviews(phase):
    """Every assignment gets a submitted review with scores (bulk, as if jurors had worked)."""
    rng = random.Random(11)
    criteria = list(phase.criteria.all())
    reviews = []
    for assignment in Assignment.objects.filter(phase=phase).select_related("review"):
        review = assignment.review
        review.status = Review.Status.SUBMITTED
        review.submitted_at = timezone.now()
        reviews.append(review)
    scores = []
    for review in reviews:
        values = [rng.randint(0, 5) for _ in criteria]
        weights = [float(c.weight) for c in criteria]
        weighted = sum(w * v / 5 for w, v in zip(weights, values, strict=True))
        review.total = round(20 * weighted / sum(weights), 2)
        scores.extend(
            Score(review=review, criterion=c, value=v)
            for c, v in zip(criteria, values, strict=True)
        )
    Review.objects.bulk_update(reviews, ["status", "submitted_at", "total"], batch_size=1000)
    Score.objects.bulk_create(scores, batch_size=2000)


def main():
    setup_test_environment()
    print(f"-- {URL.rsplit('/', 1)[-1]}: demo data, {FILES} complete files, {JURORS} jurors")
    call, phase = prepare()
    staff = mark_second_factor(User.objects.get(email="operateur@demo.qmi.example"))
    instance, _kept = jury.instance_for(phase)
    pairs = len(instance.applications) * len(instance.jurors) - len(instance.forbidden)
    print(
        f"instance: {len(instance.applications)} files × {READS} reads, {len(instance.jurors)} "
        f"jurors, {pairs} allowed pairs, {len(instance.affinity)} with expertise"
    )
    rows = []
    for label, action in (
        ("solver, total expertise", lambda: solver.solve(instance)),
        ("solver, worst-served file first", lambda: solver.solve(instance, fair=True)),
        ("greedy loop (baseline)", lambda: solver.greedy(instance)),
    ):
        result, seconds = timed(action)
        rows.append((label, seconds, result))
    print(f"{'assignment':<34} {'time':>8} {'status':>9} {'total':>8} {'worst':>6} {'short':>6}")
    for label, seconds, result in rows:
        print(
            f"{label:<34} {seconds:>6.2f} s {result.status:>9} {result.total_affinity:>8.1f} "
            f"{result.worst_affinity:>6.1f} {sum(result.shortages.values()):>6}"
        )
    outcome, seconds = timed(lambda: jury.assign_automatically(phase=phase, by=staff))
    print(
        f"service (reads, solve, {len(outcome.added)} assignments written): {seconds:.2f} s "
        f"(target < 5 s)"
    )
    assignment = Assignment.objects.filter(phase=phase).select_related("juror__user").first()
    juror_user = assignment.juror.user
    submitted_before = set(
        Assignment.objects.filter(phase=phase).values_list("juror_id", "application_id")
    )
    change, seconds = timed(
        lambda: jury.declare_conflict(assignment=assignment, by=juror_user, reason="Mesure")
    )
    after = set(Assignment.objects.filter(phase=phase).values_list("juror_id", "application_id"))
    moved = len(submitted_before - after) - 1
    print(
        f"conflict re-solve: {seconds:.2f} s (target < 2 s), {len(change.added)} added, "
        f"{moved} other assignment(s) moved"
    )
    fill_reviews(phase)
    client = Client()
    client.force_login(staff)
    url = f"/gestion/appels/{call.pk}/evaluation/classement/"
    print(f"{'ranking page (server time)':<40} {'median':>9} {'p95':>9} {'queries':>8}")
    for label, query in (("by mean", ""), ("corrected for severity", "?corrige=1")):
        median, p95, queries = page_time(client, url + query)
        print(f"{label:<40} {median:>7.1f} ms {p95:>6.1f} ms {queries:>8}   (target < 150 ms)")
    connection.close()


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(os.environ["QMI_VAR_DIR"], ignore_errors=True)
