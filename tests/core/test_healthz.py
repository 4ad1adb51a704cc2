"""/healthz answers "ok" only when a page could be served: the database answers and, with the
production (manifest) static storage, the manifest of the collected files is there and loaded."""

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent.parent
MANIFEST_STORAGE = "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"


@pytest.fixture
def manifest_storage(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {"BACKEND": MANIFEST_STORAGE}}
    settings.STATIC_ROOT = tmp_path / "static"
    return settings.STATIC_ROOT


def test_healthz_answers_when_the_database_does(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"
    assert response["Content-Type"].startswith("text/plain")


def test_healthz_is_ready_once_the_static_files_are_collected(client, db, manifest_storage):
    call_command("collectstatic", "--noinput", verbosity=0)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_is_not_ready_without_the_static_manifest(client, db, manifest_storage):
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("text/plain")
    body = response.content.decode()
    assert "not ready" in body
    assert "static files manifest missing" in body
    assert "database" not in body


def test_healthz_is_not_ready_with_an_unreadable_manifest(client, db, manifest_storage):
    manifest_storage.mkdir()
    (manifest_storage / "staticfiles.json").write_text("{truncated")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "static files manifest unreadable" in response.content.decode()


def test_healthz_is_not_ready_when_the_process_started_before_collectstatic(
    client, db, manifest_storage
):
    # A server process whose storage looked for the manifest before collectstatic wrote it
    # renders no page; the manifest written since (here by another process) does not help it.
    assert staticfiles_storage.hashed_files == {}
    manifest_storage.mkdir()
    manifest = {"version": "1.1", "paths": {"qmi/qmi.css": "qmi/qmi.0123456789ab.css"}}
    (manifest_storage / "staticfiles.json").write_text(json.dumps(manifest))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert "restart" in response.content.decode()


def healthz_in_a_server_process(tmp_path, **env):
    """GET /healthz through Django's test client in a fresh process with the given settings."""
    script = (
        "import django; django.setup()\n"
        "from django.test import Client\n"
        "response = Client().get('/healthz')\n"
        "print(response.status_code); print(response.content.decode())\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "qmi.settings",
            "QMI_SECRET_KEY": "test-only-not-a-secret",
            "QMI_ALLOWED_HOSTS": "testserver",
            "QMI_VAR_DIR": str(tmp_path),
            **env,
        },
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    status, _, body = result.stdout.partition("\n")
    return int(status), body


@pytest.fixture
def closed_port():
    """A local port bound but not listening: a database there refuses every connection."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


def test_healthz_is_not_ready_when_the_database_does_not_answer(tmp_path, closed_port):
    status, body = healthz_in_a_server_process(
        tmp_path,
        QMI_DEBUG="1",
        DATABASE_URL=f"postgres://qmi:qmi@127.0.0.1:{closed_port}/qmi",
    )
    assert status == 503
    assert "not ready" in body
    assert "database unavailable" in body
    assert "static" not in body


def test_healthz_names_each_missing_piece_in_production(tmp_path, closed_port):
    status, body = healthz_in_a_server_process(
        tmp_path,
        QMI_DEBUG="0",
        QMI_SSL_REDIRECT="0",
        DATABASE_URL=f"postgres://qmi:qmi@127.0.0.1:{closed_port}/qmi",
    )
    assert status == 503
    assert "database unavailable" in body
    assert "static files manifest missing" in body
