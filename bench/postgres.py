"""What the PostgreSQL benchmarks share: a throwaway database, production settings, and the
server time of a page (median, 95th percentile, query count)."""

import os
import statistics
import subprocess
import tempfile
import time


def production_settings(db_name, url_variable):
    """Settings as in production on a database dropped and created again; returns its URL.

    Call before importing Django. `url_variable` names an environment variable that may
    point at another database (then left as it is).
    """
    url = os.environ.get(url_variable, f"postgres://postgres@127.0.0.1:5432/{db_name}")
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "qmi.settings",
            "QMI_DEBUG": "0",
            "QMI_SECRET_KEY": os.environ.get("QMI_SECRET_KEY", "bench-only-not-a-secret"),
            "QMI_ALLOWED_HOSTS": "testserver",
            "QMI_DEMO_MFA_EXEMPT": "1",
            "QMI_SSL_REDIRECT": "0",
            "QMI_KEPT_PAGES": "0",
            "DATABASE_URL": url,
            "QMI_VAR_DIR": tempfile.mkdtemp(prefix=f"{db_name}-"),
        }
    )
    os.environ.pop("QMI_REDIS_URL", None)
    if url.endswith(f"/{db_name}"):
        pg = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
        subprocess.run(["dropdb", *pg, "--if-exists", db_name], check=True)
        subprocess.run(["createdb", *pg, db_name], check=True)
    return url


def page_time(client, url, rounds=20):
    """(median ms, p95 ms, queries) of a page answered `rounds` times after a warm-up."""
    from django.db import connection  # noqa: PLC0415 — Django is set up by then
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    client.get(url)
    timings = []
    for _ in range(rounds):
        start = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, response.status_code
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    timings.sort()
    return statistics.median(timings), timings[int(len(timings) * 0.95) - 1], len(queries)
