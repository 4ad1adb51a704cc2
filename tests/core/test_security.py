import json
import os
import re
import subprocess
import sys

import pytest
from django.db import connection

from tests.factories import EditionFactory


@pytest.mark.django_db
def test_pages_carry_a_csp_without_inline_script(client):
    response = client.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_pages_render_no_inline_script(staff_client):
    edition = EditionFactory()
    for url in ["/", "/gestion/", f"/gestion/editions/{edition.pk}/", "/compte/login/"]:
        html = staff_client.get(url).content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)
        assert 'style="' not in html, url


def test_production_settings_pass_the_deploy_check(tmp_path):
    env = {
        **os.environ,
        "QMI_DEBUG": "0",
        "QMI_SECRET_KEY": "x" * 60 + "-a-long-random-production-key-for-the-check",
        "QMI_ALLOWED_HOSTS": "qmi.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'deploy.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_settings_refuse_to_start_without_a_secret_key_in_production(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "QMI_SECRET_KEY"}
    env.update({"QMI_DEBUG": "0"})
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='qmi.settings'; django.setup()",
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    assert result.returncode != 0
    assert "QMI_SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, monkeypatch):
    def broken_cursor(*args, **kwargs):
        raise connection.Database.OperationalError("down")

    monkeypatch.setattr(connection, "cursor", broken_cursor)
    response = client.get("/healthz")
    assert response.status_code == 503


def test_the_policy_asks_browsers_to_report_violations(client):
    assert "report-uri /csp-report/" in client.get("/healthz")["Content-Security-Policy"]


def test_a_violation_report_is_logged(client, caplog):
    report = {"csp-report": {"blocked-uri": "inline", "violated-directive": "script-src"}}
    response = client.post(
        "/csp-report/", json.dumps(report), content_type="application/csp-report"
    )
    assert response.status_code == 204
    assert "script-src" in caplog.text


@pytest.mark.parametrize("body", [b"not json", b'"a string"', b"{" * 20000])
def test_a_malformed_violation_report_is_refused_without_error(client, body):
    response = client.post("/csp-report/", body, content_type="application/csp-report")
    assert response.status_code in (400, 413)


@pytest.mark.django_db
def test_the_admin_is_left_without_the_policy_for_its_inline_scripts(admin_client):
    assert "Content-Security-Policy" not in admin_client.get("/admin/")
