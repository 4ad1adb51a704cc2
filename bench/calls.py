"""Applications at scale: 10,000 applications in one call.

Prints the server time (median, p95) and SQL query count of the staff list and
of "Mes candidatures", the autosave round-trip, and the time and peak memory
of the streamed CSV export. Runs on a throwaway SQLite database (or on
DATABASE_URL if QMI_BENCH_DATABASE_URL is set).
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmi.settings")
os.environ.setdefault("QMI_DEBUG", "1")
os.environ["QMI_DEMO_MFA_EXEMPT"] = "1"
os.environ["QMI_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
workdir = Path(tempfile.mkdtemp(prefix="qmi-bench-calls-"))
os.environ["DATABASE_URL"] = os.environ.get(
    "QMI_BENCH_DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}"
)

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from applications import add_call_with_applications  # noqa: E402
from qmi.accounts.models import User  # noqa: E402

APPLICATIONS = int(os.environ.get("QMI_BENCH_APPLICATIONS", "10000"))
ROUNDS = int(os.environ.get("QMI_BENCH_ROUNDS", "30"))


def prepare():
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--quiet-logins", stdout=devnull)
    return add_call_with_applications(APPLICATIONS)


def timed(client, method, url, data=None, expect=200, **headers):
    start = time.perf_counter()
    response = getattr(client, method)(url, data or {}, **headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code == expect, (url, response.status_code)
    return elapsed, response


def page(client, url):
    timed(client, "get", url)
    timings = sorted(timed(client, "get", url)[0] for _ in range(ROUNDS))
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main():
    setup_test_environment()
    call, draft = prepare()
    staff = Client()
    staff.force_login(User.objects.get(email="operateur@demo.qmi.example"))
    applicant = Client()
    applicant.force_login(User.objects.get(email="experimentateur@demo.qmi.example"))
    print(f"QMI bench — {APPLICATIONS} candidatures dans un appel, {ROUNDS} requêtes par mesure")
    print(f"{'mesure':<40} {'médiane':>9} {'p95':>9} {'requêtes SQL':>13}")
    rows = [
        (
            "gestion : liste des candidatures",
            staff,
            reverse("calls:backoffice_applications", args=[call.pk]),
        ),
        (
            "gestion : liste, recherche « Projet 99 »",
            staff,
            reverse("calls:backoffice_applications", args=[call.pk]) + "?q=Projet+99",
        ),
        ("Mes candidatures", applicant, reverse("calls:my_applications")),
    ]
    for label, client, url in rows:
        median, p95, queries = page(client, url)
        print(f"{label:<40} {median:>7.1f} ms {p95:>6.1f} ms {queries:>13}")

    autosave_url = reverse("calls:autosave", args=[draft.pk])
    timings = []
    for n in range(ROUNDS):
        draft.refresh_from_db()
        elapsed, _ = timed(
            applicant,
            "post",
            autosave_url,
            {"section": 1, "base_version": draft.version, "titre": f"Titre {n}"},
            expect=200,
            HTTP_HX_REQUEST="true",
        )
        timings.append(elapsed)
    timings.sort()
    print(
        f"{'autosave (aller-retour serveur)':<40} {statistics.median(timings):>7.1f} ms {timings[int(len(timings) * 0.95) - 1]:>6.1f} ms"
    )

    export_url = reverse("calls:export_csv", args=[call.pk])
    for label, url in [
        ("export CSV (un quart : brouillons)", export_url + "?status=draft"),
        ("export CSV (toutes)", export_url),
    ]:
        # Timed on its own: tracemalloc slows Python down several times over.
        start = time.perf_counter()
        size = lines = 0
        for chunk in staff.get(url).streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\n")
        elapsed = time.perf_counter() - start
        tracemalloc.start()
        for _chunk in staff.get(url).streaming_content:
            pass
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(
            f"{label:<40} {elapsed:>7.2f} s  {lines - 1} lignes, {size / 1024 / 1024:.1f} Mo, "
            f"pic mémoire Python {peak / 1024 / 1024:.1f} Mo"
        )


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
