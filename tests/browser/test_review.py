"""The review app, end to end, on the demo jury (`load_demo_review`).

Journeys:
- the partner's expert lands on their queue, scores a file with the keyboard only (each
  change kept as a draft by htmx), then submits it;
- the expert declares a conflict of interest on their other pending file: it leaves their
  queue and staff see it given to another juror;
- operator staff reach the review from the call's page, create a phase, are told a weight
  must be a number (what they typed stays), fix it, then read the ranking corrected for
  the jurors' severity, on one phase and one commune.
Every page goes through `check_page` (axe-core, console, narrow screens).
"""

import re
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

from playwright.sync_api import expect

from qmi.calls.models import Call
from qmi.review import queries
from qmi.review.management.commands.load_demo_review import JURY_SLUG
from qmi.review.models import Assignment, Conflict, Criterion, Juror, Phase, Review
from qmi.review.ranking import ranking

from .helpers import check_page, login, logout, visit

EXPERT = "expert@demo.qmi.example"
STAFF = "operateur@demo.qmi.example"
# A demo account outside the demo jury, whom staff add to it.
NEWCOMER = "agent.sceaux@demo.qmi.example"
# The draft is posted 500 ms after the last change; leave room for the round trip.
SAVED_TIMEOUT_MS = 8_000


# Helpers -----------------------------------------------------------------------------


def _path(page):
    return urlsplit(page.url).path


def _follow(page, locator):
    """Click something that loads a new page, then check that page."""
    with page.expect_navigation():
        locator.click()
    check_page(page)


def _jury():
    call = Call.objects.get(slug=JURY_SLUG)
    phase = Phase.objects.get(call=call, title="Lecture des dossiers")
    return call, phase


def _expert_reviews(phase):
    return Review.objects.filter(
        assignment__phase=phase, assignment__juror__user__email=EXPERT
    ).select_related("assignment__application")


def _pending(phase):
    """The expert's two files still to do: (untouched, begun), as the demo leaves them."""
    pending = list(_expert_reviews(phase).exclude(status=Review.Status.SUBMITTED))
    untouched = [review for review in pending if not review.scores.exists()]
    begun = [review for review in pending if review.scores.exists()]
    assert len(untouched) == 1 and len(begun) == 1, (untouched, begun)
    return untouched[0], begun[0]


def _queue_row(page, review):
    """The queue's row that links to `review`."""
    return page.locator("main tbody tr").filter(
        has=page.locator(f"a[href='/jury/evaluations/{review.pk}/']")
    )


def _expected_total(criteria, values):
    weighted = sum(
        c.weight * Decimal(v - c.scale_min) / (c.scale_max - c.scale_min)
        for c, v in zip(criteria, values, strict=True)
    )
    weights = sum(c.weight for c in criteria)
    return (20 * weighted / weights).quantize(Decimal("0.01"))


# 1. The expert scores a file with the keyboard ---------------------------------------------


def test_expert_scores_a_file_with_the_keyboard_and_submits(page, demo):
    _call, phase = _jury()
    criteria = list(phase.criteria.order_by("order"))
    assert len(criteria) == 5
    untouched, begun = _pending(phase)
    done = _expert_reviews(phase).filter(status=Review.Status.SUBMITTED).count()
    assert done == 4  # six files, two left to do

    # Their home is the queue: progress, and the file still to do marked as such.
    login(page, EXPERT)
    assert _path(page) == "/jury/", page.url
    expect(page.locator(".review-progress")).to_contain_text("4 / 6 évaluations déposées")
    expect(page.locator(".review-progress progress")).to_have_attribute("value", "4")
    row = _queue_row(page, untouched)
    expect(row).to_have_count(1)
    expect(row).to_contain_text("À faire")
    _follow(page, row.get_by_role("link"))
    assert _path(page) == f"/jury/evaluations/{untouched.pk}/", page.url
    expect(page.locator("h1")).to_contain_text(untouched.assignment.application.reference)
    status = page.locator("#review-status")
    expect(status).to_have_text("")

    # Keyboard only: Space checks the focused level, each arrow moves to (and checks) the
    # next; Tab leaves the group for its comment, the next Tab enters the next criterion.
    values = [4, 3, 5, 2, 1]
    page.locator(f"input[name='score-{criteria[0].pk}'][value='0']").focus()
    for number, (criterion, value) in enumerate(zip(criteria, values, strict=True)):
        expect(page.locator(f"input[name='score-{criterion.pk}'][value='0']")).to_be_focused()
        page.keyboard.press("Space")
        for _step in range(value):
            page.keyboard.press("ArrowRight")
        page.keyboard.press("Tab")
        expect(page.locator(f"#comment-{criterion.pk}")).to_be_focused()
        if number == 0:
            page.keyboard.type("Un défi bien compris.")
        page.keyboard.press("Tab")
    for criterion, value in zip(criteria, values, strict=True):
        expect(page.locator(f"input[name='score-{criterion.pk}'][value='{value}']")).to_be_checked()

    # htmx kept the draft; the status says so, with the total of every score typed.
    total = _expected_total(criteria, values)
    shown = f"{total}".replace(".", ",")
    expect(status).to_contain_text(
        re.compile(rf"Brouillon enregistré à .*total provisoire : {shown} / 20"),
        timeout=SAVED_TIMEOUT_MS,
    )
    check_page(page)
    untouched.refresh_from_db()
    assert untouched.status == Review.Status.DRAFT
    assert untouched.total == total
    stored = dict(untouched.scores.values_list("criterion_id", "value"))
    assert stored == {c.pk: v for c, v in zip(criteria, values, strict=True)}, stored
    assert untouched.scores.get(criterion=criteria[0]).comment == "Un défi bien compris."

    # Submit, from the keyboard too.
    submit = page.get_by_role("button", name="Déposer l'évaluation")
    submit.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    check_page(page)
    expect(page.locator(".messages")).to_contain_text("Votre évaluation est déposée.")
    # Straight on to the other file left to do.
    assert _path(page) == f"/jury/evaluations/{begun.pk}/", page.url
    untouched.refresh_from_db()
    assert untouched.status == Review.Status.SUBMITTED
    assert untouched.submitted_at is not None
    # The queue counts one more submitted.
    visit(page, "/jury/")
    expect(page.locator(".review-progress")).to_contain_text("5 / 6 évaluations déposées")
    expect(_queue_row(page, untouched)).to_contain_text("Déposée")


# 2. A conflict of interest -----------------------------------------------------------------


def test_expert_declares_a_conflict_and_the_file_goes_to_another_juror(page, demo):
    call, phase = _jury()
    _untouched, begun = _pending(phase)
    application = begun.assignment.application
    before = set(
        Assignment.objects.filter(phase=phase, application=application).values_list(
            "juror__user__email", flat=True
        )
    )
    assert EXPERT in before and len(before) == 2, before

    # The demo jury is full (the file's other reader holds it, the third has no room left):
    # staff first add a juror with room, from the overview.
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/evaluation/")
    adding = page.locator("details").filter(has_text="Ajouter un juré")
    adding.locator("summary").click()
    adding.get_by_label("Adresse e-mail de la personne").fill(NEWCOMER)
    adding.get_by_label("Qualité").select_option(label="Agent de commune")
    adding.get_by_label("Dossiers au plus").fill("2")
    _follow(page, adding.get_by_role("button", name="Ajouter au jury"))
    assert _path(page) == f"/gestion/appels/{call.pk}/evaluation/", page.url
    newcomer = Juror.objects.get(call=call, user__email=NEWCOMER)
    expect(page.locator(".messages")).to_contain_text(f"{newcomer.user} rejoint le jury.")
    jury = page.locator("section[aria-labelledby='jury-title'] tbody tr")
    expect(jury.filter(has_text=str(newcomer.user))).to_contain_text(
        "0 / 0 déposées (au plus 2 dossiers)"
    )
    logout(page)

    # The expert opens the file they began and declares the conflict.
    login(page, EXPERT)
    row = _queue_row(page, begun)
    expect(row).to_contain_text("Commencée")
    _follow(page, row.get_by_role("link"))
    assert _path(page) == f"/jury/evaluations/{begun.pk}/", page.url
    conflict = page.locator("details.conflict")
    reason = conflict.get_by_label("Nature du conflit d'intérêts")
    expect(reason).to_be_hidden()
    conflict.locator("summary").click()
    expect(reason).to_be_visible()
    check_page(page)
    reason.fill("J'ai conseillé cette entreprise l'an dernier.")
    _follow(page, conflict.get_by_role("button", name="Déclarer le conflit"))

    # Back on the queue: the file has left it, and the progress counts five files.
    assert _path(page) == "/jury/", page.url
    expect(page.locator(".messages")).to_contain_text("le dossier a quitté votre liste")
    expect(page.locator(f"a[href='/jury/evaluations/{begun.pk}/']")).to_have_count(0)
    expect(page.locator("main tbody")).not_to_contain_text(application.reference)
    expect(page.locator(".review-progress")).to_contain_text("4 / 5 évaluations déposées")
    # The page stays closed to the expert, whatever they type.
    page.qmi_console.allow(re.escape(f"/jury/evaluations/{begun.pk}/"))
    visit(page, f"/jury/evaluations/{begun.pk}/", status=404)

    declared = Conflict.objects.get(juror__user__email=EXPERT, application=application)
    assert declared.reason == "J'ai conseillé cette entreprise l'an dernier."
    after = set(
        Assignment.objects.filter(phase=phase, application=application).values_list(
            "juror__user__email", flat=True
        )
    )
    assert after == (before - {EXPERT}) | {NEWCOMER}, after
    logout(page)

    # Staff see it in the jury's table: the expert has one file less, the newcomer has it.
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/evaluation/")
    expert = Juror.objects.get(call=call, user__email=EXPERT)
    expect(jury.filter(has_text=str(expert.user))).to_contain_text(
        "4 / 5 déposées (au plus 6 dossiers)"
    )
    expect(jury.filter(has_text=str(newcomer.user))).to_contain_text(
        "0 / 1 déposées (au plus 2 dossiers)"
    )


# 3. Staff: a phase, its grid, the ranking ------------------------------------------------


def test_staff_build_a_grid_and_read_the_corrected_ranking(page, demo):
    call, phase = _jury()
    login(page, STAFF)
    visit(page, f"/gestion/appels/{call.pk}/")
    _follow(page, page.locator("main").get_by_role("link", name="Évaluation et jury"))
    assert _path(page) == f"/gestion/appels/{call.pk}/evaluation/", page.url
    phases = page.locator("section[aria-labelledby='phases-title'] tbody tr")
    expect(phases).to_have_count(2)
    expect(phases.filter(has_text="Délibération")).to_contain_text("sans notation")

    # A new phase, from the overview.
    page.get_by_text("Nouvelle phase", exact=True).click()
    page.get_by_label("Intitulé").fill("Audition des finalistes")
    _follow(page, page.get_by_role("button", name="Créer la phase"))
    created = Phase.objects.get(call=call, title="Audition des finalistes")
    assert _path(page) == f"/gestion/appels/{call.pk}/evaluation/phases/{created.pk}/", page.url
    expect(page.locator(".messages")).to_contain_text("La phase « Audition des finalistes »")
    expect(page.get_by_text("La grille est vide")).to_be_visible()

    # A weight that is not a number: the error, and what was typed is still there.
    label = "Clarté de la présentation orale"
    new = page.locator("form[action$='/criteres/']")
    new.get_by_label("Critère").fill(label)
    new.get_by_label("Poids").fill("lourd")
    new.get_by_label("Note minimale").fill("0")
    new.get_by_label("Note maximale").fill("4")
    new.get_by_label("Libellés des niveaux").fill("0 = Absent\n4 = Excellent")
    page.qmi_console.allow(r"status of 422")
    _follow(page, new.get_by_role("button", name="Ajouter le critère"))
    expect(new.locator(".errorlist")).to_contain_text("Le poids est un nombre")
    expect(new.get_by_label("Critère")).to_have_value(label)
    expect(new.get_by_label("Poids")).to_have_value("lourd")
    expect(new.get_by_label("Libellés des niveaux")).to_have_value("0 = Absent\n4 = Excellent")
    assert not created.criteria.exists()

    new.get_by_label("Poids").fill("1,5")
    _follow(page, new.get_by_role("button", name="Ajouter le critère"))
    expect(page.locator(".messages")).to_contain_text(f"Le critère « {label} » est enregistré.")
    listed = page.locator("ol.criteria > li")
    expect(listed).to_have_count(1)
    expect(listed).to_contain_text(f"{label} — poids 1,5, noté de 0 à 4")
    saved = Criterion.objects.get(phase=created)
    assert (saved.label, saved.weight, saved.scale_min, saved.scale_max) == (
        label,
        Decimal("1.50"),
        0,
        4,
    )
    assert saved.level_labels == {"0": "Absent", "4": "Excellent"}

    # The ranking: the reading phase, corrected for severity, one commune.
    _follow(page, page.locator(".breadcrumbs").get_by_role("link", name="Évaluation et jury"))
    expect(phases).to_have_count(3)
    # Both objectives of the automatic assignment, side by side.
    reading = phases.filter(has_text="Lecture des dossiers")
    _follow(page, reading.get_by_role("link", name="Comparer les deux objectifs"))
    comparison = page.locator("main .notice[role='status']")
    expect(comparison.locator("h3")).to_have_text("Les deux objectifs sur « Lecture des dossiers »")
    expect(comparison.locator("tbody tr")).to_have_count(2)
    _follow(page, page.get_by_role("link", name="Classement des dossiers"))
    assert _path(page) == f"/gestion/appels/{call.pk}/evaluation/classement/", page.url
    # It opens on the latest phase with reviews, not on the new empty one.
    expect(page.locator("h1")).to_contain_text("Lecture des dossiers")
    expect(page.locator("table.ranking")).to_have_count(1)
    about = queries.topics(call, queries.reviewed_applications(call))
    counts = {}
    for communes, _themes in about.values():
        for commune in communes:
            counts[commune] = counts.get(commune, 0) + 1
    # A commune some files rank and others do not: the filter has something to leave out.
    commune = min((c for c, n in counts.items() if 0 < n < len(about)), key=counts.get)
    expected = ranking(
        phase,
        normalised=True,
        applications=call.applications.filter(
            pk__in=[pk for pk, (communes, _t) in about.items() if commune in communes]
        ),
    )
    assert 0 < len(expected) < 8, len(expected)

    filters = page.locator("form.filters")
    filters.get_by_label("Phase").select_option(label="Lecture des dossiers")
    filters.get_by_label("Commune").select_option(value=str(commune))
    filters.get_by_label("Corriger la sévérité des jurés").check()
    _follow(page, filters.get_by_role("button", name="Filtrer"))
    query = parse_qs(urlsplit(page.url).query)
    assert query["corrige"] == ["1"] and query["phase"] == [str(phase.pk)], page.url
    expect(page.locator("h1")).to_contain_text("Lecture des dossiers")
    table = page.locator("table.ranking")
    headers = table.locator("thead th")
    expect(headers.filter(has_text="Corrigée / 20")).to_have_count(1)
    rows = table.locator("tbody tr")
    expect(rows).to_have_count(len(expected))
    references = [row.reference for row in expected]
    assert rows.locator("th[scope='row'] a").all_inner_texts() == references
    column = headers.all_inner_texts().index("Corrigée / 20")
    first = expected[0].figures.normalised
    expect(rows.first.locator("td, th").nth(column)).to_have_text(f"{first:.2f}".replace(".", ","))

    # The exports keep the filters.
    csv_link = page.get_by_role("link", name="Exporter en CSV")
    href = csv_link.get_attribute("href")
    assert "corrige=1" in href and f"commune={commune}" in href and "format=csv" in href, href
    response = page.request.get(href if href.startswith("/") else _path(page) + href)
    assert response.status == 200
    body = response.text()
    assert "Corrig" in body and all(reference in body for reference in references), body[:500]
    left_out = set(call.applications.values_list("reference", flat=True)) - set(references)
    assert left_out and not any(reference in body for reference in left_out), left_out
    excel = page.get_by_role("link", name="Exporter en Excel").get_attribute("href")
    assert "format=xlsx" in excel and "corrige=1" in excel, excel
