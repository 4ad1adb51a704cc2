"""Server-side timings of the main pages, on the demo data plus generated editions.

Run with `make bench`. Prints, for each page, the median and 95th percentile of
the time Django takes to answer (no network, no browser) and its query count.
It works on a throwaway copy of the database so the demo data stay untouched.
"""

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qmi.settings")
os.environ.setdefault("QMI_DEBUG", "1")
os.environ["QMI_DEMO_MFA_EXEMPT"] = "1"

workdir = Path(tempfile.mkdtemp(prefix="qmi-bench-"))
os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

from qmi.accounts.models import User  # noqa: E402
from qmi.programmes.models import (  # noqa: E402
    Challenge,
    ChallengeVersion,
    Commune,
    Edition,
    EditionCommune,
    Programme,
    Theme,
)

ROUNDS = int(os.environ.get("QMI_BENCH_ROUNDS", "30"))
EXTRA_EDITIONS = int(os.environ.get("QMI_BENCH_EDITIONS", "40"))


def prepare():
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--quiet-logins", stdout=devnull)

    programme = Programme.objects.get()
    communes = list(Commune.objects.order_by("insee"))
    theme = Theme.objects.first()
    author = User.objects.get(email="operateur@demo.qmi.example")
    for number in range(3, 3 + EXTRA_EDITIONS):
        edition = Edition.objects.create(
            programme=programme, number=number, slug=f"bench-{number}", title=f"Édition {number}"
        )
        for offset in range(8):
            commune = communes[(number * 8 + offset) % len(communes)]
            participation = EditionCommune.objects.create(edition=edition, commune=commune)
            challenge = Challenge.objects.create(
                edition_commune=participation, theme=theme, title="Défi", statement="Énoncé"
            )
            ChallengeVersion.objects.create(
                challenge=challenge, number=1, title="Défi", statement="Énoncé", author=author
            )


def measure(client, url):
    client.get(url)  # warm caches and templates
    timings = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)


def main():
    setup_test_environment()
    prepare()

    staff = Client()
    staff.force_login(User.objects.get(email="operateur@demo.qmi.example"))
    agent = Client()
    agent.force_login(User.objects.get(email="agent.sceaux@demo.qmi.example"))
    anonymous = Client()
    sceaux = EditionCommune.objects.get(edition__number=1, commune__insee="92071")
    edition = Edition.objects.get(number=2)
    pages = [
        ("accueil public", anonymous, "/"),
        ("page d'une édition", anonymous, f"/editions/{edition.slug}/"),
        ("contours des 130 communes", anonymous, "/carte/communes.geojson"),
        ("gestion : « À faire » et éditions", staff, "/gestion/"),
        ("gestion : une édition", staff, f"/gestion/editions/{edition.pk}/"),
        ("gestion : organisations", staff, "/gestion/organisations/"),
        ("espace de la commune", agent, f"/espace/commune/{sceaux.pk}/"),
        ("« Mon espace » d'un agent", agent, "/espace/"),
    ]
    print(
        f"QMI bench — {Edition.objects.count()} éditions, {EditionCommune.objects.count()} communes d'édition, {ROUNDS} requêtes par page"
    )
    print(f"{'page':<34} {'médiane':>9} {'p95':>9} {'requêtes SQL':>13}")
    for label, client, url in pages:
        median, p95, queries = measure(client, url)
        print(f"{label:<34} {median:>7.1f} ms {p95:>6.1f} ms {queries:>13}")


if __name__ == "__main__":
    try:
        main()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
