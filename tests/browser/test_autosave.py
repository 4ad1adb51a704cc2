"""autosave.js on a small form: saving, conditions, session expiry, conflicts, uploads.

Journeys (on a call built here rather than the demo, so each behaviour is isolated):
- typing is saved, a conditional question appears with "yes", the counter says how much is
  too long;
- the session expires while typing: the values stay in the browser and are saved after login;
- a colleague saved meanwhile: the conflict shows their value, "Garder ma version" saves mine;
- an upload replaces the slot; a broken PDF is refused in the slot;
- a malformed e-mail is saved as typed and flagged under its field until fixed;
- a document a correction asks for is uploaded from the file's page;
- the drag-and-drop hint shows with a mouse, not on a touch screen.
"""

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone
from playwright.sync_api import expect

from qmi.calls.models import (
    Application,
    CorrectionRequest,
    Document,
    Question,
    RequestedDocument,
)
from qmi.calls.services import applications as services
from tests.factories import ApplicationFactory, CallFactory, add_question
from tests.utils import member_of, pdf_bytes

from .helpers import check_page, visit

pytestmark = pytest.mark.django_db(transaction=True)
SAVED_TIMEOUT_MS = 5_000


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
    add_question(call, "courriel", Question.Kind.EMAIL, label="Courriel", required=False)
    add_question(call, "lettre", Question.Kind.DOCUMENT, label="Lettre d'engagement")
    return ApplicationFactory(call=call)


def _session_cookie(user, url):
    client = Client()
    client.force_login(user)
    return {"name": "sessionid", "value": client.cookies["sessionid"].value, "url": url}


@pytest.fixture
def member(application):
    return member_of(application.organisation)


@pytest.fixture
def section(page, live_server, application, member):
    """The page, logged in as a member, on the application's first section."""
    page.context.add_cookies([_session_cookie(member, live_server.url)])
    visit(page, f"/candidatures/{application.pk}/sections/1/")
    return page


def _answers(application):
    return Application.objects.get(pk=application.pk).answers


def _wait_saved(page):
    expect(page.locator("#autosave-status")).to_contain_text(
        "Enregistré à", timeout=SAVED_TIMEOUT_MS
    )
    check_page(page)


def test_typing_is_saved_and_conditions_and_counter_update(section, application):
    page = section
    page.get_by_label("Nom du projet").fill("Bancs frais")
    _wait_saved(page)
    assert _answers(application)["projet"] == "Bancs frais"
    assert page.locator("#autosave-base-version").input_value() == "1"
    # The conditional question appears only with "yes".
    expect(page.locator("#field-ou")).to_be_hidden()
    page.locator("#q-deja-yes").check()
    expect(page.locator("#field-ou")).to_be_visible()
    page.get_by_label("Résumé").fill("x" * 25)
    expect(page.locator("#q-resume-counter")).to_contain_text("25 / 20")
    expect(page.locator("#q-resume-counter")).to_contain_text("5 de trop")
    _wait_saved(page)


def test_a_malformed_answer_is_flagged_at_its_field_until_fixed(section, application):
    page = section
    field = page.get_by_label("Courriel")
    field.fill("camille@")
    problem = page.locator("#q-courriel-problem")
    expect(problem).to_have_text("Saisissez une adresse e-mail valide.", timeout=SAVED_TIMEOUT_MS)
    expect(field).to_have_attribute("aria-invalid", "true")
    expect(field).to_have_attribute("aria-describedby", "q-courriel-problem")
    expect(page.locator("#autosave-status")).to_contain_text("à vérifier, « Courriel »")
    check_page(page)
    assert _answers(application)["courriel"] == "camille@"
    field.fill("camille@exemple.fr")
    expect(problem).to_have_count(0, timeout=SAVED_TIMEOUT_MS)
    expect(field).not_to_have_attribute("aria-invalid", "true")
    expect(field).not_to_have_attribute("aria-describedby", re.compile("."))
    _wait_saved(page)
    assert _answers(application)["courriel"] == "camille@exemple.fr"


def test_expired_session_keeps_values_and_restores_them_after_login(
    section, application, member, live_server
):
    page = section
    # Without cookies the save is refused (403): that is the expiry being tested.
    page.qmi_console.allow(r"status of 403 \(Forbidden\)")
    page.context.clear_cookies()
    page.get_by_label("Nom du projet").fill("Saisi hors session")
    expect(page.locator("#autosave-status")).to_contain_text(
        "Session expirée", timeout=SAVED_TIMEOUT_MS
    )
    expect(page.locator("#autosave-status a")).to_have_attribute(
        "href", re.compile(r"/compte/login/\?next=")
    )
    check_page(page)
    assert "projet" not in _answers(application)
    page.context.add_cookies([_session_cookie(member, live_server.url)])
    page.reload()
    check_page(page)
    expect(page.get_by_label("Nom du projet")).to_have_value("Saisi hors session")
    _wait_saved(page)
    assert _answers(application)["projet"] == "Saisi hors session"


def test_conflict_is_shown_and_keep_mine_saves(section, application):
    page = section
    # The 409 answer is the expected conflict, not an error of the page.
    page.qmi_console.allow(r"status of 409 \(Conflict\)")
    colleague = member_of(application.organisation)
    services.autosave(
        application=application, by=colleague, base_version=0, changes={"projet": "Leur titre"}
    )
    page.get_by_label("Nom du projet").fill("Mon titre")
    conflict = page.locator("#autosave-conflict")
    expect(conflict).to_contain_text("Leur titre", timeout=SAVED_TIMEOUT_MS)
    expect(conflict).to_contain_text(colleague.get_full_name())
    check_page(page)
    expect(page.get_by_label("Nom du projet")).to_have_value("Mon titre")
    assert _answers(application)["projet"] == "Leur titre"
    page.get_by_role("button", name="Garder ma version").click()
    _wait_saved(page)
    assert _answers(application)["projet"] == "Mon titre"


def test_upload_with_js_updates_the_slot(section, application, tmp_path):
    page = section
    good = tmp_path / "lettre.pdf"
    good.write_bytes(pdf_bytes())
    page.locator("#q-lettre").set_input_files(str(good))
    expect(page.locator("#slot-lettre .document-list")).to_contain_text("lettre.pdf")
    check_page(page)
    assert Document.objects.filter(application=application, removed_at__isnull=True).count() == 1
    # The refused file answers 400: expected here, not an error of the page.
    page.qmi_console.allow(r"status of 400 \(Bad Request\)")
    bad = tmp_path / "faux.pdf"
    bad.write_bytes(b"%PDF-1.4 garbage")
    page.locator("#q-lettre").set_input_files(str(bad))
    expect(page.locator("#slot-lettre [role=alert]")).to_contain_text("illisible ou endommagé")
    check_page(page)
    assert Document.objects.filter(application=application).count() == 1


def test_a_document_asked_for_in_a_correction_is_uploaded_from_the_files_page(
    page, live_server, application, member, tmp_path
):
    application.status = Application.Status.CORRECTION_REQUESTED
    application.submitted_at = timezone.now()
    application.save()
    correction = CorrectionRequest.objects.create(
        application=application,
        message="Il manque l'extrait Kbis.",
        due_at=timezone.now() + datetime.timedelta(days=7),
    )
    requested = RequestedDocument.objects.create(
        correction=correction, label="Extrait Kbis", help_text="De moins de trois mois."
    )
    page.context.add_cookies([_session_cookie(member, live_server.url)])
    visit(page, f"/candidatures/{application.pk}/")
    check_page(page)
    key = requested.document_key
    kbis = tmp_path / "kbis.pdf"
    kbis.write_bytes(pdf_bytes())
    page.get_by_label("Extrait Kbis").set_input_files(str(kbis))
    expect(page.locator(f'[id="slot-{key}"] .document-list')).to_contain_text("kbis.pdf")
    check_page(page)
    assert Document.objects.get(application=application).question_key == key


def test_the_drop_hint_is_shown_with_a_mouse_and_not_on_a_touch_screen(
    section, browser, live_server, member, application
):
    expect(section.locator("#slot-lettre .drop-hint")).to_be_visible()
    phone = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        viewport={"width": 390, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = phone.new_page()
        phone.add_cookies([_session_cookie(member, live_server.url)])
        page.goto(f"/candidatures/{application.pk}/sections/1/")
        assert page.evaluate("matchMedia('(pointer: coarse)').matches")
        expect(page.locator("#slot-lettre input[type=file]")).to_be_visible()
        expect(page.locator("#slot-lettre .drop-hint")).to_be_hidden()
    finally:
        phone.close()
