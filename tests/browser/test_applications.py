"""Applying to a call, end to end: fill in over two sessions, upload, submit, follow the file.

Journeys:
- a commune agent fills a fresh AMI across two sessions, uploads the four documents, submits,
  gets the confirmation e-mail and downloads the PDF acknowledgement;
- operator staff ask for a correction, the agent corrects and submits again, staff declare
  the file complete;
- an experimenter ranks three communes on a call for projects and submits;
- the section page, spot-checked for the keyboard and screen readers (and a file chosen from
  the keyboard: focus must stay in its slot);
- a colleague changed the same answer meanwhile: the conflict, then "Garder ma version".
"""

import datetime
import re
import zoneinfo
from urllib.parse import urlsplit

from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from qmi.calls.models import Application, Call, FormRevision, Question, Section
from qmi.calls.services import applications as services
from qmi.calls.services.revisions import copy_form
from qmi.programmes.models import Edition, EditionCommune
from tests.factories import MembershipFactory, UserFactory
from tests.utils import pdf_path

from .helpers import check_page, login, logout, visit

PARIS = zoneinfo.ZoneInfo("Europe/Paris")
# Autosave fires 1.5 s after the last keystroke; leave room for the round trip.
SAVED_TIMEOUT_MS = 8_000
SAVED = re.compile(r"Enregistré à")

AGENT = "agent.argenteuil@demo.qmi.example"
SCEAUX_AGENT = "agent.sceaux@demo.qmi.example"
STAFF = "operateur@demo.qmi.example"
EXPERIMENTER = "experimentateur@demo.qmi.example"

DOCUMENTS = ["lettre-maire", "formulaire-complete", "fiche-secteur", "lettres-soutien"]


# Helpers -----------------------------------------------------------------------------


def _path(page):
    return urlsplit(page.url).path


def _follow(page, locator):
    """Click something that loads a new page, then check that page."""
    with page.expect_navigation():
        locator.click()
    check_page(page)


def _wait_saved(page):
    status = page.locator("#autosave-status")
    expect(status).to_contain_text(SAVED, timeout=SAVED_TIMEOUT_MS)
    # The status that appeared after the page loaded goes through axe too.
    check_page(page)


def _link_path(body, pattern):
    """The path of the first link in an e-mail body whose path matches `pattern`."""
    for url in re.findall(r"https?://[^\s\"'<>]+", body):
        path = urlsplit(url).path
        if re.fullmatch(pattern, path):
            return path
    raise AssertionError(f"no link matching {pattern} in the e-mail:\n{body}")


def _mails_to(email):
    return [message for message in mail.outbox if email in message.to]


def _fresh_ami(slug="ami-test-navigateur"):
    """A new open AMI of the 2nd edition, with the demo call's (AMI) form copied into it."""
    demo = Call.objects.get(slug="demo-appel-fictif")
    now = timezone.now()
    call = Call.objects.create(
        edition=demo.edition,
        kind=Call.Kind.EXPRESSION_OF_INTEREST,
        title="Appel à manifestation d'intérêt (test navigateur)",
        slug=slug,
        presentation="<p>Un appel ouvert pour le test de bout en bout.</p>",
        eligible_kinds=["commune"],
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        status=Call.Status.PUBLISHED,
        reference_prefix="AMIT",
    )
    revision = FormRevision.objects.create(call=call, number=1, published_at=now)
    copy_form(demo.current_revision, revision)
    return call


# 1. A commune agent applies ------------------------------------------------------------------

SECTION_2 = {
    "motivations": "Tester des solutions avec les habitants du quartier.",
    "coherence-politiques": "Le plan climat de la commune prévoit des îlots de fraîcheur.",
    "moyens": "Espace public, services techniques et un agent à mi-temps.",
    "disponibilite-equipes": "Une réunion mensuelle du comité technique.",
    "partenaires-locaux": "Le bailleur social et deux associations de quartier.",
}


def test_commune_agent_applies_over_two_sessions(page, demo, tmp_path):
    call = _fresh_ami()
    login(page, AGENT)

    # The call page, then "Je candidate": the commune is the only eligible organisation.
    visit(page, f"/appels/{call.slug}/")
    expect(page.locator("h1")).to_contain_text(call.title)
    _follow(page, page.get_by_role("link", name="Je candidate"))
    assert _path(page) == f"/appels/{call.slug}/candidater/", page.url
    expect(page.get_by_role("radio", name=re.compile("Argenteuil"))).to_be_checked()
    _follow(page, page.get_by_role("button", name="Commencer le dossier"))

    application = Application.objects.get(call=call)
    section_1 = f"/candidatures/{application.pk}/sections/1/"
    assert _path(page) == section_1, page.url
    expect(page.locator("h1")).to_have_text("La commune")

    # First session: part of section 1, saved automatically, then log out.
    page.get_by_label("Nom du maire ou de la maire").fill("Claire Dupont")
    page.get_by_label("Élu·e référent·e : nom et délégation").fill("Marc Durand, urbanisme")
    _wait_saved(page)
    application.refresh_from_db()
    assert application.answers.get("maire") == "Claire Dupont", application.answers
    logout(page)

    # Second session: the text is still there; finish section 1.
    login(page, AGENT)
    visit(page, "/candidatures/")
    _follow(page, page.get_by_role("link", name=application.reference, exact=True))
    _follow(page, page.get_by_role("link", name="Compléter le dossier"))
    assert _path(page) == section_1, page.url
    expect(page.get_by_label("Nom du maire ou de la maire")).to_have_value("Claire Dupont")
    expect(page.get_by_label("Élu·e référent·e : nom et délégation")).to_have_value(
        "Marc Durand, urbanisme"
    )
    page.get_by_label("Agent référent : nom et fonction").fill("Sacha Durand, chargé de mission")
    page.get_by_label("Adresse e-mail de l'agent référent").fill("sacha.durand@example.org")
    page.get_by_label("Téléphone de l'agent référent").fill("01 34 23 41 00")
    _wait_saved(page)

    # Section 2 through the "next step" button (a plain POST that saves and moves on).
    _follow(page, page.get_by_role("button", name="Étape suivante →"))
    assert _path(page) == f"/candidatures/{application.pk}/sections/2/", page.url
    for key, text in SECTION_2.items():
        page.locator(f"#q-{key}").fill(text)
    expect(page.locator("#q-motivations-counter")).to_contain_text(
        f"{len(SECTION_2['motivations'])} / 3000"
    )
    _follow(page, page.get_by_role("button", name="Étape suivante →"))

    # Section 3: the sector and its theme (radio buttons).
    assert _path(page) == f"/candidatures/{application.pk}/sections/3/", page.url
    page.get_by_label("Nom du secteur").fill("Porte Saint-Germain")
    page.get_by_label("Description du secteur").fill("Un quartier de grands ensembles.")
    theme = page.get_by_role("group", name=re.compile("Défi urbain prioritaire visé"))
    theme.get_by_role("radio").first.check()
    _follow(page, page.get_by_role("button", name="Étape suivante →"))

    # Section 4: the four documents, uploaded by choosing a file (sent at once).
    assert _path(page) == f"/candidatures/{application.pk}/sections/4/", page.url
    for key in DOCUMENTS:
        page.locator(f"#q-{key}").set_input_files(pdf_path(tmp_path, key))
        expect(page.locator(f"#slot-{key} .document-list a")).to_have_text(f"{key}.pdf")
    check_page(page)
    assert application.documents.filter(removed_at__isnull=True).count() == 4

    # Summary: nothing missing; submit.
    _follow(page, page.get_by_role("button", name="Vérifier et déposer →"))
    assert _path(page) == f"/candidatures/{application.pk}/recapitulatif/", page.url
    expect(page.locator(".missing-list")).to_have_count(0)
    expect(page.get_by_text("Le dossier est complet.")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Claire Dupont")
    mail.outbox.clear()
    _follow(page, page.get_by_role("button", name="Déposer le dossier"))

    # Confirmation page.
    assert _path(page) == f"/candidatures/{application.pk}/confirmation/", page.url
    expect(page.locator("h1")).to_have_text("Votre dossier est déposé")
    expect(page.locator(".confirmation")).to_contain_text(application.reference)
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED

    # The confirmation e-mail, with the link to the file.
    sent = _mails_to(AGENT)
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert application.reference in sent[0].subject, sent[0].subject
    assert "déposé" in sent[0].subject, sent[0].subject
    link = _link_path(sent[0].body, rf"/candidatures/{application.pk}/")
    visit(page, link)
    expect(page.locator("main")).to_contain_text("Déposé : le dossier a été reçu")
    page.go_back()
    check_page(page)

    # The PDF acknowledgement.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Télécharger l'accusé de réception (PDF)").click()
    download = download_info.value
    assert download.suggested_filename.endswith(".pdf"), download.suggested_filename
    with open(download.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    text = " ".join(p.extract_text() for p in PdfReader(download.path()).pages)
    assert application.reference in text, text[:500]


# 2. Correction requested, corrected, declared complete ------------------------------------

CORRECTION = "La lettre d'engagement n'est pas signée ; précisez aussi le nom du maire."


def _due_in(days):
    return timezone.localtime(timezone.now() + datetime.timedelta(days=days), PARIS)


def test_correction_requested_then_complete(page, demo, tmp_path):
    call = Call.objects.get(slug="demo-appel-fictif")
    application = Application.objects.get(call=call, organisation__commune__insee="92071")
    assert application.status == Application.Status.SUBMITTED
    staff_page = f"/gestion/candidatures/{application.pk}/"

    # Staff: the call's applications, then Sceaux's file.
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/candidatures/")
    _follow(page, page.get_by_role("link", name=application.reference, exact=True))
    assert _path(page) == staff_page, page.url
    expect(page.locator(".examination-header")).to_contain_text("Déposé")

    # Request a correction: message and due date (Paris time, a week from now).
    due = _due_in(7).replace(second=0, microsecond=0)
    form = page.locator("form:has(input[name='decision'][value='correction'])")
    form.get_by_label("Ce qui manque ou doit être corrigé").fill(CORRECTION)
    form.get_by_label("À corriger avant le").fill(due.strftime("%Y-%m-%dT%H:%M"))
    # A document the form did not have.
    form.get_by_label("Pièce à demander en plus du formulaire n° 1 (facultatif)").fill(
        "Extrait Kbis"
    )
    mail.outbox.clear()
    _follow(page, form.get_by_role("button", name="Envoyer la demande"))
    assert _path(page) == staff_page, page.url
    expect(page.locator(".messages")).to_contain_text("La demande de correction a été envoyée")
    expect(page.locator(".examination-header")).to_contain_text("Correction demandée")
    application.refresh_from_db()
    assert application.status == Application.Status.CORRECTION_REQUESTED
    correction = application.correction_requests.get()
    assert correction.due_at.astimezone(PARIS) == due, (correction.due_at, due)

    # The agent's e-mail: what to correct, by when, and the link to the file.
    sent = _mails_to(SCEAUX_AGENT)
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    assert sent[0].subject.endswith(
        f"Correction demandée sur le dossier {application.reference}"
    ), sent[0].subject
    assert CORRECTION in sent[0].body, sent[0].body
    assert due.strftime("%H:%M") in sent[0].body, sent[0].body
    assert "- Extrait Kbis" in sent[0].body, sent[0].body
    link = _link_path(sent[0].body, rf"/candidatures/{application.pk}/")
    logout(page)

    # The agent follows the e-mail's link, sees the request, corrects and submits again.
    login(page, SCEAUX_AGENT)
    visit(page, link)
    request = page.locator(".correction")
    expect(request).to_contain_text("Correction demandée")
    expect(request).to_contain_text(CORRECTION)
    # The requested document, uploaded from the file's page.
    page.get_by_label("Extrait Kbis").set_input_files(pdf_path(tmp_path, "kbis"))
    expect(page.locator(".requested-documents .document-list")).to_contain_text("kbis.pdf")
    check_page(page)
    _follow(page, page.get_by_role("link", name="Compléter le dossier"))
    mayor = page.get_by_label("Nom du maire ou de la maire")
    mayor.fill("Maire Fictive (correction)")
    _wait_saved(page)
    _follow(page, page.get_by_role("link", name="Récapitulatif et dépôt"))
    expect(page.locator(".checklist")).to_contain_text("Date limite de correction")
    expect(page.locator("main")).to_contain_text("Maire Fictive (correction)")
    _follow(page, page.get_by_role("button", name="Déposer à nouveau le dossier"))
    assert _path(page) == f"/candidatures/{application.pk}/confirmation/", page.url
    expect(page.locator(".confirmation")).to_contain_text("n° 2")
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.answers["maire"] == "Maire Fictive (correction)"
    logout(page)

    # Staff: the second submission shows what changed; the correction waits for their
    # decision: resolved (the agent is told), then the file declared complete.
    login(page, STAFF)
    visit(page, staff_page)
    comparison = page.locator("table.comparison")
    expect(comparison).to_contain_text("Nom du maire ou de la maire")
    expect(page.locator("table.documents-table")).to_contain_text(
        "Extrait Kbis (demandée en correction)"
    )
    expect(page.locator("#corrections-title + ul")).to_contain_text("en attente")
    expect(page.locator(".correction-answered")).to_contain_text("Correction déposée : à vérifier")
    check_page(page)
    mail.outbox.clear()
    _follow(page, page.get_by_role("button", name="Marquer la correction comme résolue"))
    expect(page.locator(".messages")).to_contain_text("La demande de correction est résolue")
    expect(page.locator("#corrections-title + ul")).to_contain_text("résolue")
    assert [m.subject for m in _mails_to(SCEAUX_AGENT)][-1].endswith(
        f"Correction acceptée sur le dossier {application.reference}"
    )
    form = page.locator("form:has(input[name='decision'][value='complete'])")
    _follow(page, form.get_by_role("button", name="Déclarer complet"))
    expect(page.locator(".messages")).to_contain_text("Le dossier est déclaré complet.")
    expect(page.locator(".examination-header .application-status")).to_have_text("Complet")
    application.refresh_from_db()
    assert application.status == Application.Status.COMPLETE


# 3. An experimenter ranks three communes ----------------------------------------------------


def _projects_call():
    """A call for projects of the 2nd edition, open to experimenters, ranking 3 communes at most."""
    edition = Edition.objects.get(programme__slug="qmi", number=2)
    now = timezone.now()
    call = Call.objects.create(
        edition=edition,
        kind=Call.Kind.PROJECTS,
        title="Appel à expérimenter (test navigateur)",
        slug="aae-test-navigateur",
        eligible_kinds=["experimenter"],
        opens_at=now - datetime.timedelta(days=1),
        closes_at=now + datetime.timedelta(days=30),
        status=Call.Status.PUBLISHED,
        reference_prefix="AAET",
    )
    revision = FormRevision.objects.create(call=call, number=1, published_at=now)
    solution = Section.objects.create(revision=revision, order=1, title="La solution")
    Question.objects.create(
        section=solution,
        order=1,
        key="solution-nom",
        kind=Question.Kind.SHORT_TEXT,
        label="Nom de la solution",
        config={"max_length": 150},
    )
    communes = Section.objects.create(
        revision=revision,
        order=2,
        title="Les communes souhaitées",
        description="Les lauréats sont répartis entre les communes selon leurs intérêts mutuels.",
    )
    Question.objects.create(
        section=communes,
        order=1,
        key="communes-souhaitees",
        kind=Question.Kind.COMMUNE_RANKING,
        label="Communes où vous souhaitez expérimenter, par ordre de préférence",
        config={"max_ranked": 3},
    )
    return call


def test_experimenter_ranks_three_communes(page, demo):
    call = _projects_call()
    participations = {
        row.commune.name: row
        for row in EditionCommune.objects.filter(edition=call.edition).select_related("commune")
    }
    assert len(participations) > 3, "the ranking must offer more communes than it keeps"
    wanted = sorted(participations)[:3][::-1]  # three communes, not in alphabetical order

    login(page, EXPERIMENTER)
    visit(page, f"/appels/{call.slug}/")
    _follow(page, page.get_by_role("link", name="Je candidate"))
    expect(page.get_by_role("radio", name=re.compile("Rue Fraîche"))).to_be_checked()
    _follow(page, page.get_by_role("button", name="Commencer le dossier"))
    application = Application.objects.get(call=call)
    assert _path(page) == f"/candidatures/{application.pk}/sections/1/", page.url

    page.get_by_label("Nom de la solution").fill("Banc rafraîchissant")
    _follow(page, page.get_by_role("button", name="Étape suivante →"))
    assert _path(page) == f"/candidatures/{application.pk}/sections/2/", page.url

    # Three choices, no more: one labelled select per rank, every commune of the edition.
    ranking = page.get_by_role("group", name=re.compile("Communes où vous souhaitez expérimenter"))
    selects = ranking.get_by_role("combobox")
    expect(selects).to_have_count(3)
    first = ranking.get_by_label("1er choix")
    expect(first.locator("option")).to_have_count(len(participations) + 1)  # and "— Aucune —"
    for position, name in enumerate(wanted, start=1):
        label = "1er choix" if position == 1 else f"{position}e choix"
        ranking.get_by_label(label).select_option(label=name)
    _wait_saved(page)
    application.refresh_from_db()
    assert application.answers["communes-souhaitees"] == [
        str(participations[name].pk) for name in wanted
    ], application.answers

    _follow(page, page.get_by_role("button", name="Vérifier et déposer →"))
    expect(page.get_by_text("Le dossier est complet.")).to_be_visible()
    answer = page.locator(".summary-section").nth(1).locator("dd")
    expect(answer).to_contain_text(
        re.compile(
            rf"1er choix : {wanted[0]}.*2e choix : {wanted[1]}.*3e choix : {wanted[2]}", re.S
        )
    )
    mail.outbox.clear()
    _follow(page, page.get_by_role("button", name="Déposer le dossier"))
    assert _path(page) == f"/candidatures/{application.pk}/confirmation/", page.url
    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    submission = application.submissions.get()
    assert submission.answers["communes-souhaitees"] == [
        str(participations[name].pk) for name in wanted
    ]
    assert _mails_to(EXPERIMENTER), [(m.to, m.subject) for m in mail.outbox]


# 4. The section page, with the keyboard and for screen readers ------------------------------

FIELDS = "#section-form input:not([type='hidden']), #section-form select, #section-form textarea"
BROKEN_DESCRIPTIONS = """() => [...document.querySelectorAll('[aria-describedby]')]
    .flatMap(e => e.getAttribute('aria-describedby').split(/\\s+/).filter(Boolean)
        .filter(id => !document.getElementById(id)).map(id => `${e.id || e.tagName}→${id}`))"""
FOCUSED_ID = "() => document.activeElement ? document.activeElement.id : ''"


def _assert_fields_named(page):
    """Every answer field has an accessible name, and every description it points to exists."""
    fields = page.locator(FIELDS)
    assert fields.count() > 0, f"no field on {page.url}"
    for index in range(fields.count()):
        expect(fields.nth(index)).to_have_accessible_name(re.compile(r"\w"))
    assert page.evaluate(BROKEN_DESCRIPTIONS) == []


def test_section_page_keyboard_and_live_regions(page, demo):
    # Argenteuil's demo draft: section 1 is answered, the documents are not.
    application = Application.objects.get(
        call__slug="demo-appel-fictif", organisation__commune__insee="95018"
    )
    assert application.status == Application.Status.DRAFT
    login(page, AGENT)
    visit(page, f"/candidatures/{application.pk}/sections/1/")
    _assert_fields_named(page)

    # The autosave status is a polite live region, present (empty) before anything is said.
    status = page.locator("#autosave-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_have_attribute("aria-live", "polite")
    expect(status).to_be_empty()
    expect(page.locator("[aria-current='step']")).to_have_text("La commune")

    # Keyboard only: skip link, then Tab to the first question and type over its answer.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate(FOCUSED_ID) == "q-maire":
            break
    else:
        raise AssertionError("Tab never reached the first question (#q-maire)")
    page.keyboard.press("ControlOrMeta+A")
    page.keyboard.type("Maire Fictif (clavier)")
    _wait_saved(page)
    application.refresh_from_db()
    assert application.answers["maire"] == "Maire Fictif (clavier)"

    # The other questions follow in form order, then the buttons; Enter on "next" moves on.
    order = []
    for _ in range(15):
        page.keyboard.press("Tab")
        focused = page.evaluate(FOCUSED_ID)
        order.append(focused or page.evaluate("() => document.activeElement.textContent.trim()"))
        if "Étape suivante" in order[-1]:
            break
    keys = ["elu-referent", "agent-referent", "agent-referent-email", "agent-referent-telephone"]
    assert order[: len(keys)] == [f"q-{key}" for key in keys], order
    assert "Étape suivante" in order[-1], order
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    assert _path(page) == f"/candidatures/{application.pk}/sections/2/", page.url
    _assert_fields_named(page)

    # The documents step: every file field is labelled and says what happens in a live region.
    visit(page, f"/candidatures/{application.pk}/sections/4/")
    _assert_fields_named(page)
    slots = page.locator(".document-slot")
    expect(slots).to_have_count(len(DOCUMENTS))
    for index in range(len(DOCUMENTS)):
        slot = slots.nth(index)
        expect(slot.locator("input[type='file']")).to_have_accessible_description(
            re.compile(r"Format : PDF")
        )
        expect(slot.locator(".upload-status")).to_have_attribute("aria-live", "polite")


def test_keyboard_upload_keeps_focus_in_the_slot(page, demo, tmp_path):
    application = Application.objects.get(
        call__slug="demo-appel-fictif", organisation__commune__insee="95018"
    )
    login(page, AGENT)
    visit(page, f"/candidatures/{application.pk}/sections/4/")

    # A keyboard user on the file field chooses a file: it is sent at once and listed.
    # (The chooser itself is the system's; setting the files is what it does.)
    file_input = page.locator("#q-lettre-maire")
    file_input.focus()
    expect(file_input).to_be_focused()
    file_input.set_input_files(pdf_path(tmp_path, "lettre-du-maire"))
    expect(page.locator("#slot-lettre-maire .document-list a")).to_have_text("lettre-du-maire.pdf")
    check_page(page)
    assert application.documents.filter(question_key="lettre-maire").count() == 1
    # The slot is replaced by the server's copy: focus must stay in it, and the new file be announced.
    in_slot = "() => !!document.activeElement.closest('#slot-lettre-maire')"
    assert page.evaluate(in_slot), page.evaluate(FOCUSED_ID)
    expect(page.locator("#upload-announcer")).to_contain_text("lettre-du-maire.pdf")


# 5. Someone else changed the answer: "Garder ma version" --------------------------------------


def test_conflict_keep_my_version(page, demo):
    application = Application.objects.get(
        call__slug="demo-appel-fictif", organisation__commune__insee="95018"
    )
    login(page, AGENT)
    # The 409 answer is the expected conflict, not an error of the page.
    page.qmi_console.allow(r"status of 409 \(Conflict\)")
    visit(page, f"/candidatures/{application.pk}/sections/1/")

    # A colleague of the same commune changes the mayor's name after the page loaded.
    colleague = UserFactory(full_name="Dominique Colin")
    MembershipFactory(user=colleague, organisation=application.organisation)
    services.autosave(
        application=application,
        by=colleague,
        base_version=application.version,
        changes={"maire": "Version de Dominique"},
    )

    page.get_by_label("Nom du maire ou de la maire").fill("Ma version")
    conflict = page.locator("#autosave-conflict [role='alert']")
    expect(conflict).to_be_visible(timeout=SAVED_TIMEOUT_MS)
    expect(conflict).to_contain_text("Dominique Colin")
    expect(conflict).to_contain_text("Version de Dominique")
    expect(conflict.get_by_role("heading")).to_be_focused()
    expect(page.locator("#autosave-status")).to_contain_text("Non enregistré")
    check_page(page)

    with page.expect_response(lambda response: "/enregistrer/" in response.url):
        page.get_by_role("button", name="Garder ma version").click()
    # The button must override the colleague's answer: with JavaScript on, autosave.js has to
    # send keep_version too, or the view compares with the page's original answers again and
    # refuses for ever (the tests/calls client tests post no original, so only a browser sees it).
    _wait_saved(page)
    expect(page.locator("#autosave-conflict")).to_be_empty()
    application.refresh_from_db()
    assert application.answers["maire"] == "Ma version"
