"""From the laureates' and communes' wishes to the published allocation, end to end.

One journey, as the issue tells it: staff open the allocation from the call's page; the
agent referent of Argenteuil ranks the laureates (a short list first, warned, then a longer
one with a tie); a laureate confirms its ranking of the communes; staff run the solver, read
an explanation, pin one pair and forbid another, run again, compare both runs, open the
stable-matching view, stage the run and publish the allocation (the selection decisions first),
and read the held e-mails; the laureate sees its commune and downloads its letter; the
commune sees its projects, each an experiment « En cadrage », and opens one.
Every page goes through `check_page` (axe-core, console, narrow screens).
"""

import datetime
import io
import re

from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from qmi.allocation import explanations
from qmi.allocation.models import Allocation, CommuneWish, LaureateRanking, Placement, Run
from qmi.allocation.services import preferences, runs
from qmi.experiments.models import Experiment
from qmi.mail.models import OutgoingEmail
from qmi.review.models import Publication
from tests.allocation.conftest import make_world
from tests.factories import PASSWORD

from .helpers import check_page, login, logout, visit
from .test_review import _follow, _path

ARGENTEUIL, ISSY, SUCY = "Argenteuil", "Issy-les-Moulineaux", "Sucy-en-Brie"
# Each laureate's title and its ranking of the communes, as its application gave it.
LAUREATES = (
    ("Bancs connectés", (ARGENTEUIL, ISSY, SUCY)),
    ("Cours d'école fraîches", (ARGENTEUIL, SUCY, ISSY)),
    ("Compost de quartier", (ISSY, ARGENTEUIL, SUCY)),
    ("Navettes à la demande", (ISSY, SUCY, ARGENTEUIL)),
    ("Lampadaires sobres", (SUCY, ARGENTEUIL, ISSY)),
    ("Capteurs de crue", (SUCY, ISSY, ARGENTEUIL)),
)
# The number of projects each commune hosts: Argenteuil's minimum shows the short-list warning.
BOUNDS = {ARGENTEUIL: (2, 3), ISSY: (1, 3), SUCY: (1, 3)}
# The wishes of the two communes that do not rank in the browser: {laureate index: rank}.
OTHER_WISHES = {ISSY: {2: 1, 3: 2, 0: 3, 5: 3}, SUCY: {4: 1, 5: 2, 1: 3, 3: 3}}
# Argenteuil's wishes, typed by its referent: a tie at the top; kept as competition ranks.
ARGENTEUIL_WISHES = {0: "1", 1: "1", 4: "2", 2: "3"}
ARGENTEUIL_KEPT = {0: 1, 1: 1, 4: 3, 2: 4}
PLACED = re.compile(r"Placé à [^:]+ : \S+ choix du projet, \S+ souhait de la commune\.")


def _build():
    """The call, its three communes with their referents, six laureates (staged "selected")."""
    world = make_world()
    for title, ranking in LAUREATES:
        world.add_laureate(ranking=ranking, title=title)
    return world


def _commune(allocation, name):
    return allocation.communes.get(edition_commune__commune__name=name)


def _message(page, text):
    expect(page.locator(".messages")).to_contain_text(text)


def test_from_both_sides_wishes_to_the_published_allocation(page, transactional_db):
    world = _build()
    call, staff = world.call, world.staff
    laureates = world.laureates
    first = laureates[0]  # "Bancs connectés": confirms its ranking, reads its commune
    referent = world.referents[ARGENTEUIL]

    # 0. Staff open the allocation from the call's page, with each commune's bounds.
    login(page, staff.email, PASSWORD)
    visit(page, f"/gestion/appels/{call.pk}/")
    _follow(page, page.locator("main").get_by_role("link", name="Répartition des lauréats"))
    assert _path(page) == f"/gestion/appels/{call.pk}/repartition/", page.url
    expect(page.locator("main")).to_contain_text("6 lauréats (décision « Retenu »")
    closes = timezone.localtime(timezone.now() + datetime.timedelta(days=7))
    page.get_by_label("Fin des préférences (heure de Paris)").fill(
        closes.strftime("%Y-%m-%dT%H:%M")
    )
    for name, (minimum, maximum) in BOUNDS.items():
        page.get_by_label(f"Minimum de projets à {name}").fill(str(minimum))
        page.get_by_label(f"Maximum de projets à {name}").fill(str(maximum))
    _follow(page, page.get_by_role("button", name="Ouvrir la répartition"))
    allocation = Allocation.objects.get(call=call)
    assert _path(page) == f"/gestion/repartitions/{allocation.pk}/", page.url
    _message(page, "La répartition est ouverte")
    assert {str(c): (c.minimum, c.maximum) for c in allocation.communes.all()} == BOUNDS
    # The selection is announced (from the review's decisions page): the laureates may answer.
    visit(page, f"/gestion/appels/{call.pk}/evaluation/decisions/")
    page.get_by_label("J'ai relu les décisions").check()
    _follow(page, page.get_by_role("button", name="Publier les décisions"))
    _message(page, "Les décisions sont publiées.")
    assert Publication.objects.filter(call=call).exists()
    logout(page)

    # The two other communes rank too (by the service), so the runs have choices to make.
    for name, wishes in OTHER_WISHES.items():
        preferences.save_wishes(
            commune=_commune(allocation, name),
            by=world.referents[name],
            ranks={laureates[index].pk: rank for index, rank in wishes.items()},
        )

    # 1. Argenteuil's referent: « Mon espace » → the commune's page; a short list, warned,
    # then a longer one with a tie.
    argenteuil = _commune(allocation, ARGENTEUIL)
    login(page, referent.email, PASSWORD)
    _follow(page, page.get_by_role("link", name="Mon espace"))
    card = page.locator("section[aria-labelledby='allocations-title'] li.card")
    expect(card).to_contain_text(call.title)
    _follow(page, card.get_by_role("link", name=f"Les lauréats et {ARGENTEUIL}"))
    assert _path(page) == f"/repartitions/communes/{argenteuil.pk}/", page.url
    expect(page.locator("main")).to_contain_text("6 lauréats ont cité votre commune")
    page.get_by_label(f"Rang de « {LAUREATES[0][0]} »").fill("1")
    _follow(page, page.get_by_role("button", name="Enregistrer les souhaits"))
    _message(page, "Les souhaits de la commune sont enregistrés.")
    expect(page.locator(".message-warning").first).to_contain_text(
        "votre commune doit en accueillir au moins 2"
    )
    for index, rank in ARGENTEUIL_WISHES.items():
        page.get_by_label(f"Rang de « {LAUREATES[index][0]} »").fill(rank)
    _follow(page, page.get_by_role("button", name="Enregistrer les souhaits"))
    _message(page, "Les souhaits de la commune sont enregistrés.")
    expect(page.locator("main")).not_to_contain_text("doit en accueillir au moins")
    saved = dict(
        CommuneWish.objects.filter(commune=argenteuil).values_list("application_id", "rank")
    )
    assert saved == {laureates[i].pk: rank for i, rank in ARGENTEUIL_KEPT.items()}
    # The rows now come in the commune's order: the two ranked first lead.
    expect(page.locator("main tbody tr").first.locator("input.rank")).to_have_value("1")
    logout(page)

    # 2. A laureate's member: its application → « Mon classement des communes » → confirm.
    member = world.members[first.pk]
    login(page, member.email, PASSWORD)
    visit(page, f"/candidatures/{first.pk}/")
    panel = page.locator("section[aria-labelledby='allocation-title']")
    expect(panel).to_contain_text("Répartition entre les communes")
    _follow(page, panel.get_by_role("link", name="Mon classement des communes"))
    assert _path(page) == f"/repartitions/{allocation.pk}/dossiers/{first.pk}/", page.url
    expect(page.locator("main")).to_contain_text(f"{ARGENTEUIL}, {ISSY}, {SUCY}")
    _follow(page, page.get_by_role("button", name="Confirmer ce classement"))
    _message(page, "Votre classement des communes est enregistré.")
    expect(page.locator("main")).to_contain_text("Vous l'avez confirmé le")
    answer = LaureateRanking.objects.get(allocation=allocation, application=first)
    assert not answer.revised
    logout(page)

    # 3. Staff: the call's page → the allocation tool → a run and its explanations.
    login(page, staff.email, PASSWORD)
    visit(page, f"/gestion/appels/{call.pk}/")
    _follow(page, page.locator("main").get_by_role("link", name="Répartition des lauréats"))
    assert _path(page) == f"/gestion/repartitions/{allocation.pk}/", page.url
    expect(page.locator("section[aria-labelledby='laureates-title']")).to_contain_text(
        "1 lauréat sur 6 a confirmé ou revu son classement."
    )
    _follow(page, page.get_by_role("button", name="Lancer un calcul"))
    before = Run.objects.get(allocation=allocation, number=1)
    assert before.status == Run.Status.OPTIMAL, (before.status, before.reasons)
    assert _path(page) == f"/gestion/repartitions/calculs/{before.pk}/", page.url
    expect(page.locator("h1")).to_contain_text("Calcul n° 1")
    placed = {p["reference"]: p for p in before.result["placements"]}
    sentence = explanations.describe(placed[first.reference])[0]
    assert PLACED.fullmatch(str(sentence)), sentence
    row = page.locator("section[aria-labelledby='result-title'] tbody tr").filter(
        has_text=first.reference
    )
    expect(row).to_contain_text(str(sentence))
    expect(page.locator("main")).to_contain_text("Placé à Argenteuil : 1er choix du projet")

    # The committee pins one pair and forbids another, each with its note.
    _follow(page, page.locator(".breadcrumbs").get_by_role("link", name="Répartition"))
    pinned, forbidden = laureates[4], first
    rules = page.locator("section[aria-labelledby='rules-title'] form.card")
    for laureate, kind, note in (
        (pinned, "Fixé", "Argenteuil porte déjà un projet d'éclairage à étendre."),
        (forbidden, "Interdit", "Le quartier visé est en travaux jusqu'en 2027."),
    ):
        rules = page.locator("section[aria-labelledby='rules-title'] form.card")
        rules.get_by_label(kind, exact=True).check()
        rules.get_by_label("Lauréat").select_option(
            label=f"{laureate.reference} — {laureate.organisation.name}"
        )
        rules.get_by_label("Commune").select_option(label=ARGENTEUIL)
        rules.get_by_label("Note du comité").fill(note)
        _follow(page, rules.get_by_role("button", name="Enregistrer le choix"))
        _message(page, "Le choix du comité est enregistré : relancez le calcul.")
    chosen = page.locator("section[aria-labelledby='rules-title'] ul")
    expect(chosen).to_contain_text(f"Fixé : {pinned.reference}")
    expect(chosen).to_contain_text(f"Interdit : {forbidden.reference}")

    # Run again; compare with the first run.
    _follow(page, page.get_by_role("button", name="Lancer un calcul"))
    after = Run.objects.get(allocation=allocation, number=2)
    assert after.status == Run.Status.OPTIMAL, (after.status, after.reasons)
    assert _path(page) == f"/gestion/repartitions/calculs/{after.pk}/", page.url
    expect(page.locator("main")).to_contain_text("couples fixés : 1 · couples interdits : 1")
    chosen_after = {p["reference"]: p["commune"] for p in after.result["placements"]}
    assert chosen_after[pinned.reference] == ARGENTEUIL
    assert chosen_after[forbidden.reference] != ARGENTEUIL
    moved = runs.compare(before, after)
    assert len(moved) >= 1
    page.get_by_label("Comparer avec le calcul").select_option(label="n° 1")
    _follow(page, page.get_by_role("button", name="Comparer", exact=True))
    assert _path(page) == f"/gestion/repartitions/calculs/{after.pk}/comparer/", page.url
    verb = "projet a changé" if len(moved) == 1 else "projets ont changé"
    expect(page.locator("main")).to_contain_text(f"{len(moved)} {verb} de commune.")
    changed = page.locator("main table tbody")
    expect(changed).to_contain_text(forbidden.reference)
    expect(changed).to_contain_text(pinned.reference)

    # The stable-matching view, then back to the second run to stage it.
    _follow(page, page.locator("main").get_by_role("link", name="Calcul n° 2"))
    _follow(
        page,
        page.get_by_role("link", name="Comparer avec l'appariement stable (acceptation différée)"),
    )
    assert _path(page) == f"/gestion/repartitions/calculs/{after.pk}/stable/", page.url
    expect(page.locator("h1")).to_contain_text("Appariement stable et Calcul n° 2")
    expect(page.locator("main")).to_contain_text("Couples bloquants du calcul")
    _follow(page, page.get_by_role("link", name="Retour au Calcul n° 2"))
    page.get_by_label("Motivation du comité").fill(
        "Chaque commune atteint son minimum ; les choix du comité sont tenus."
    )
    _follow(page, page.get_by_role("button", name="Retenir cette répartition"))
    assert _path(page) == f"/gestion/repartitions/{allocation.pk}/", page.url
    _message(page, "Ce calcul est la répartition retenue, en attente de publication.")
    allocation.refresh_from_db()
    assert allocation.staged_run_id == after.pk

    # Publishing: placements, experiments and letters, the e-mails held.
    publication = page.locator("section[aria-labelledby='publication-title']")
    publication.get_by_label("J'ai relu la répartition").check()
    _follow(page, publication.get_by_role("button", name="Publier la répartition"))
    assert _path(page) == f"/gestion/repartitions/{allocation.pk}/courriels/", page.url
    _message(page, "La répartition est publiée ; relisez les courriels avant de les envoyer.")
    placements = Placement.objects.filter(allocation=allocation)
    assert placements.count() == len(LAUREATES)
    assert Experiment.objects.filter(application__call=call).count() == len(LAUREATES)
    assert set(
        Experiment.objects.filter(application__call=call).values_list("status", flat=True)
    ) == {Experiment.Status.FRAMING}
    held = page.locator("ul.outbox > li")
    expect(held.first).to_be_visible()
    assert held.count() >= len(LAUREATES)
    assert OutgoingEmail.objects.filter(status=OutgoingEmail.Status.HELD).exists()
    held.first.locator("summary").click()
    expect(held.first.locator("pre.email-body")).to_be_visible()
    logout(page)

    # 4. The laureate reads its commune and downloads its letter.
    placement = placements.select_related("commune__edition_commune__commune").get(
        application=first
    )
    commune_name = str(placement.commune)
    assert commune_name == chosen_after[first.reference]
    login(page, member.email, PASSWORD)
    visit(page, f"/candidatures/{first.pk}/")
    panel = page.locator("section[aria-labelledby='allocation-title']")
    expect(panel).to_contain_text(f"Votre projet expérimentera à {commune_name}.")
    link = panel.get_by_role("link", name="Télécharger le courrier de répartition (PDF)")
    response = page.request.get(link.get_attribute("href"))
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.body())).pages)
    assert first.reference in text and commune_name in text, text
    logout(page)

    # 5. Argenteuil's referent sees its projects, each an experiment « En cadrage ».
    hosted = list(
        placements.filter(commune=argenteuil)
        .select_related("application")
        .order_by("application__reference")
    )
    assert pinned.pk in {p.application_id for p in hosted}
    login(page, referent.email, PASSWORD)
    _follow(page, page.get_by_role("link", name="Mon espace"))
    card = page.locator("section[aria-labelledby='allocations-title'] li.card")
    expect(card).to_contain_text(f"Répartition publiée : les projets de {ARGENTEUIL}.")
    _follow(page, card.get_by_role("link", name=f"Les lauréats et {ARGENTEUIL}"))
    projects = page.locator("section[aria-labelledby='projects-title']")
    expect(projects.locator("h2")).to_have_text(f"Les {len(hosted)} projets de votre commune")
    items = projects.locator("ul > li")
    expect(items).to_have_count(len(hosted))
    for item, hosted_placement in zip(items.all(), hosted, strict=True):
        expect(item).to_contain_text(hosted_placement.application.reference)
        expect(item.locator(".badge")).to_have_text("En cadrage")
    experiment = Experiment.objects.get(application_id=hosted[0].application_id)
    _follow(page, items.first.get_by_role("link"))
    assert _path(page) == f"/experimentations/{experiment.pk}/", page.url
    expect(page.locator("h1")).to_have_text(experiment.title)
    expect(page.locator("main .meta").first).to_contain_text("En cadrage")
    check_page(page)
