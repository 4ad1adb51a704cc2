"""From the jury to the published decision, end to end, on the demo call in deliberation.

One journey, as the issue tells it: staff build the audition grid and assign the reading
automatically; two jurors score (the expert declares a conflict on one file, which goes
to a new juror, who scores it); staff read the ranking, shortlist the best file, schedule
its audition; the applicant confirms the slot and takes the calendar file; staff stage
the decisions, publish them and send the held e-mails; the applicant reads the decision
and downloads the letter, and the call's public page names its laureates.
Every page goes through `check_page` (axe-core, console, narrow screens).
"""

import datetime
import io

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from qmi.accounts.models import User
from qmi.calls.models import Application
from qmi.mail.models import OutgoingEmail
from qmi.review import queries
from qmi.review.models import Assignment, Audition, Decision, Juror, Phase, Publication, Review
from qmi.review.ranking import ranking
from qmi.review.services import decisions
from qmi.review.services.publication import held_letters

from .helpers import check_page, login, logout, visit
from .test_review import (
    EXPERT,
    NEWCOMER,
    STAFF,
    _expert_reviews,
    _follow,
    _jury,
    _path,
    _pending,
    _queue_row,
)

AUDITION_GRID = "Audition des finalistes"


def _score_and_submit(page, review, values):
    """Check a level per criterion (by click), then submit the review."""
    criteria = list(review.assignment.phase.criteria.order_by("order"))
    for criterion, value in zip(criteria, values, strict=True):
        page.locator(f"input[name='score-{criterion.pk}'][value='{value}']").check()
    _follow(page, page.get_by_role("button", name="Déposer l'évaluation"))
    expect(page.locator(".messages")).to_contain_text("Votre évaluation est déposée.")
    review.refresh_from_db()
    assert review.status == Review.Status.SUBMITTED


def test_from_the_jury_to_the_published_decision(page, demo):
    call, phase = _jury()
    untouched, begun = _pending(phase)
    conflicted = begun.assignment.application

    # 1. Staff: the reading is assigned automatically, and the audition grid is built.
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/")
    _follow(page, page.locator("main").get_by_role("link", name="Évaluation et jury"))
    phases = page.locator("section[aria-labelledby='phases-title'] tbody tr")
    reading = phases.filter(has_text="Lecture des dossiers")
    _follow(page, reading.get_by_role("button", name="Attribuer automatiquement"))
    expect(page.locator(".messages")).to_be_visible()
    missing = {
        application_id
        for application_id in queries.reviewed_applications(call).values_list("pk", flat=True)
        if Assignment.objects.filter(phase=phase, application_id=application_id).count() < 2
    }
    assert not missing, missing

    page.get_by_text("Nouvelle phase", exact=True).click()
    page.get_by_label("Intitulé").fill(AUDITION_GRID)
    _follow(page, page.get_by_role("button", name="Créer la phase"))
    grid = Phase.objects.get(call=call, title=AUDITION_GRID)
    new = page.locator("form[action$='/criteres/']")
    new.get_by_label("Critère").fill("Clarté de la présentation orale")
    new.get_by_label("Poids").fill("1")
    new.get_by_label("Note minimale").fill("0")
    new.get_by_label("Note maximale").fill("4")
    _follow(page, new.get_by_role("button", name="Ajouter le critère"))
    _follow(page, page.get_by_role("button", name="Ouvrir la phase aux jurés"))
    grid.refresh_from_db()
    assert grid.status == Phase.Status.OPEN and grid.criteria.count() == 1

    # A juror with room, for the file the expert is about to give up.
    _follow(page, page.locator(".breadcrumbs").get_by_role("link", name="Évaluation et jury"))
    adding = page.locator("details").filter(has_text="Ajouter un juré")
    adding.locator("summary").click()
    adding.get_by_label("Adresse e-mail de la personne").fill(NEWCOMER)
    adding.get_by_label("Qualité").select_option(label="Agent de commune")
    adding.get_by_label("Dossiers au plus").fill("2")
    _follow(page, adding.get_by_role("button", name="Ajouter au jury"))
    logout(page)

    # 2. Two jurors score; the expert declares a conflict and the file goes to the newcomer.
    login(page, EXPERT)
    _follow(page, _queue_row(page, untouched).get_by_role("link"))
    _score_and_submit(page, untouched, [4, 4, 5, 3, 4])
    visit(page, f"/jury/evaluations/{begun.pk}/")
    conflict = page.locator("details.conflict")
    conflict.locator("summary").click()
    conflict.get_by_label("Nature du conflit d'intérêts").fill("Ancien employeur.")
    _follow(page, conflict.get_by_role("button", name="Déclarer le conflit"))
    expect(page.locator(".messages")).to_contain_text("le dossier a quitté votre liste")
    logout(page)
    taken = Review.objects.get(
        assignment__phase=phase,
        assignment__application=conflicted,
        assignment__juror__user__email=NEWCOMER,
    )

    login(page, NEWCOMER)
    visit(page, "/jury/")
    _follow(page, _queue_row(page, taken).get_by_role("link"))
    _score_and_submit(page, taken, [3, 2, 3, 4, 3])
    logout(page)
    assert not _expert_reviews(phase).exclude(status=Review.Status.SUBMITTED).exists()

    # 3. Staff: the ranking, the best file shortlisted, its audition scheduled.
    best = ranking(phase)[0]
    shortlisted = Application.objects.select_related("organisation").get(pk=best.application_id)
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/evaluation/classement/")
    rows = page.locator("table.ranking tbody tr")
    expect(rows.first.locator("th[scope='row']")).to_contain_text(shortlisted.reference)
    rows.first.get_by_label(f"Présélectionner {shortlisted.reference}").check()
    _follow(
        page,
        page.get_by_role("button", name="Présélectionner les dossiers cochés pour une audition"),
    )
    audition = Audition.objects.get(application=shortlisted)
    visit(page, f"/gestion/appels/{call.pk}/evaluation/auditions/")
    slot = page.locator("fieldset").filter(has_text=f"Créneau de {shortlisted.reference}")
    form = page.locator("form").filter(has=slot)
    page.locator("details").filter(has=form).locator("summary").click()
    day = timezone.localdate() + datetime.timedelta(days=7)
    form.get_by_label("Date").fill(day.isoformat())
    form.get_by_label("Heure").fill("10:00")
    form.get_by_label("Durée en minutes").fill("30")
    form.get_by_label("Lieu").fill("Salle du conseil, Paris&Co")
    expert = Juror.objects.get(call=call, user__email=EXPERT)
    form.get_by_label(str(expert.user), exact=False).check()
    form.get_by_label("Grille que le jury remplit").select_option(label=AUDITION_GRID)
    _follow(page, form.get_by_role("button", name="Envoyer l'invitation"))
    audition.refresh_from_db()
    assert audition.status == Audition.Status.INVITED and audition.event is not None
    assert Assignment.objects.filter(phase=grid, application=shortlisted, juror=expert).exists()
    logout(page)

    # 4. The applicant confirms the slot and takes the calendar file.
    holder = User.objects.filter(memberships__organisation=shortlisted.organisation).first()
    login(page, holder.email)
    visit(page, f"/candidatures/{shortlisted.pk}/")
    panel = page.locator("section#audition")
    expect(panel).to_contain_text("Le jury vous entendra le")
    calendar = page.request.get(f"/candidatures/{shortlisted.pk}/audition.ics")
    assert calendar.status == 200 and "BEGIN:VEVENT" in calendar.text()
    panel.get_by_label("Je confirme ce créneau").check()
    _follow(page, panel.get_by_role("button", name="Envoyer ma réponse"))
    audition.refresh_from_db()
    assert audition.status == Audition.Status.CONFIRMED
    logout(page)

    # 5. Staff stage the decisions (the shortlisted one on the page), publish, send.
    operator = User.objects.get(email=STAFF)
    for application in queries.reviewed_applications(call).exclude(pk=shortlisted.pk):
        decisions.stage_decision(
            application=application,
            outcome=Decision.Outcome.NOT_SELECTED,
            rationale="Moins convaincant à la lecture.",
            by=operator,
        )
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/evaluation/decisions/")
    card = page.locator("ol.decisions > li").filter(has_text=shortlisted.reference)
    card.get_by_label("Retenu", exact=True).check()
    card.get_by_label("Motivation").fill("Le meilleur dossier, une audition convaincante.")
    _follow(page, card.get_by_role("button", name="Enregistrer la décision"))
    expect(page.locator(".messages")).to_contain_text(
        f"Décision préparée pour {shortlisted.reference}."
    )
    page.get_by_label("J'ai relu les décisions").check()
    _follow(page, page.get_by_role("button", name="Publier les décisions"))
    assert _path(page) == f"/gestion/appels/{call.pk}/evaluation/decisions/courriels/"
    expect(page.locator(".messages")).to_contain_text("Les décisions sont publiées.")
    assert Publication.objects.filter(call=call).exists()
    # The demo data holds other calls' letters too: only this call's are counted.
    held = held_letters(call).filter(status=OutgoingEmail.Status.HELD).count()
    assert held >= queries.reviewed_applications(call).count()
    page.locator("ul.outbox details").first.locator("summary").click()
    _follow(page, page.get_by_role("button", name=f"Envoyer les {held} courriels en attente"))
    expect(page.locator(".messages")).to_contain_text(f"{held} courriels partent.")
    assert not held_letters(call).filter(status=OutgoingEmail.Status.HELD).exists()
    logout(page)

    # 6. The applicant reads the decision and downloads the letter; the public sees it.
    login(page, holder.email)
    visit(page, f"/candidatures/{shortlisted.pk}/")
    decision = page.locator("section.decision")
    expect(decision).to_contain_text("Retenu")
    link = decision.get_by_role("link", name="Télécharger le courrier de décision (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert shortlisted.reference in text and shortlisted.organisation.name in text, text
    logout(page)
    visit(page, call.get_absolute_url())
    laureates = page.locator("section[aria-labelledby='laureates-title']")
    expect(laureates).to_contain_text(shortlisted.organisation.name)
    check_page(page)
