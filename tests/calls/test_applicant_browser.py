"""autosave.js in a real browser: saving, conditions, session expiry, conflicts, uploads.

Marked `browser` (run by `make test-browser`); skipped when Debian's chromium is missing.
"""

import os
import re
import shutil

import pytest
from django.test import Client, override_settings

from qmi.calls.models import Application, Document, Question
from qmi.calls.services import applications as services
from tests.calls.test_applicant_pages import member_of, pdf_bytes
from tests.factories import ApplicationFactory, CallFactory, add_question

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CHROMIUM = os.environ.get("QMI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


@pytest.fixture(scope="session")
def _plain_http():
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(scope="module")
def chromium():
    if not os.path.isfile(CHROMIUM):
        pytest.skip("Debian's chromium is not installed")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            yield browser
            browser.close()


@pytest.fixture
def application():
    call = CallFactory()
    add_question(call, "projet", Question.Kind.SHORT_TEXT, label="Nom du projet")
    add_question(call, "deja", Question.Kind.YES_NO, label="Déjà testé ?")
    add_question(
        call,
        "ou",
        Question.Kind.SHORT_TEXT,
        label="Où ?",
        condition_key="deja",
        condition_value="yes",
    )
    add_question(call, "resume", Question.Kind.LONG_TEXT, label="Résumé", config={"max_chars": 20})
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre d'engagement")
    return ApplicationFactory(call=call)


def _session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


@pytest.fixture
def browse(_plain_http, live_server, chromium, application):
    member = member_of(application.organisation)
    context = chromium.new_context(base_url=live_server.url, locale="fr-FR")
    context.set_default_timeout(10_000)
    context.add_cookies([_session_cookie(member, live_server.url)])
    page = context.new_page()
    errors = []
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"/candidatures/{application.pk}/sections/1/")
    yield page, context, member, errors, live_server
    context.close()


def _answers(application):
    return Application.objects.get(pk=application.pk).answers


def test_typing_is_saved_and_conditions_and_counter_update(browse, application):
    from playwright.sync_api import expect

    page, _, _, errors, _ = browse
    page.get_by_label("Nom du projet").fill("Bancs frais")
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré à", timeout=5000)
    assert _answers(application)["projet"] == "Bancs frais"
    assert page.locator("#autosave-base-version").input_value() == "1"
    # The conditional question appears only with "yes".
    expect(page.locator("#field-ou")).to_be_hidden()
    page.locator("#q-deja-yes").check()
    expect(page.locator("#field-ou")).to_be_visible()
    page.get_by_label("Résumé").fill("x" * 25)
    expect(page.locator("#q-resume-counter")).to_contain_text("25 / 20")
    expect(page.locator("#q-resume-counter")).to_contain_text("5 de trop")
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré à", timeout=5000)
    assert errors == []


def test_expired_session_keeps_values_and_restores_them_after_login(browse, application):
    from playwright.sync_api import expect

    page, context, member, _, server = browse
    context.clear_cookies()
    page.get_by_label("Nom du projet").fill("Saisi hors session")
    expect(page.locator("#autosave-status")).to_contain_text("Session expirée", timeout=5000)
    expect(page.locator("#autosave-status a")).to_have_attribute(
        "href", re.compile(r"/compte/login/\?next=")
    )
    assert "projet" not in _answers(application)
    context.add_cookies([_session_cookie(member, server.url)])
    page.reload()
    expect(page.get_by_label("Nom du projet")).to_have_value("Saisi hors session")
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré à", timeout=5000)
    assert _answers(application)["projet"] == "Saisi hors session"


def test_conflict_is_shown_and_keep_mine_saves(browse, application):
    from playwright.sync_api import expect

    page, _, _, _, _ = browse
    colleague = member_of(application.organisation)
    services.autosave(
        application=application, by=colleague, base_version=0, changes={"projet": "Leur titre"}
    )
    page.get_by_label("Nom du projet").fill("Mon titre")
    conflict = page.locator("#autosave-conflict")
    expect(conflict).to_contain_text("Leur titre", timeout=5000)
    expect(conflict).to_contain_text(colleague.get_full_name())
    expect(page.get_by_label("Nom du projet")).to_have_value("Mon titre")
    assert _answers(application)["projet"] == "Leur titre"
    page.get_by_role("button", name="Garder ma version").click()
    expect(page.locator("#autosave-status")).to_contain_text("Enregistré à", timeout=5000)
    assert _answers(application)["projet"] == "Mon titre"


def test_upload_with_js_updates_the_slot(browse, application, tmp_path):
    from playwright.sync_api import expect

    page, _, _, errors, _ = browse
    good = tmp_path / "lettre.pdf"
    good.write_bytes(pdf_bytes())
    page.locator("#q-lettre").set_input_files(str(good))
    expect(page.locator("#slot-lettre .document-list")).to_contain_text("lettre.pdf")
    assert Document.objects.filter(application=application, removed_at__isnull=True).count() == 1
    bad = tmp_path / "faux.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    page.locator("#q-lettre").set_input_files(str(bad))
    expect(page.locator("#slot-lettre [role=alert]")).to_contain_text("illisible ou endommagé")
    assert Document.objects.filter(application=application).count() == 1
    assert [e for e in errors if "Content Security Policy" in e] == []
