"""The operator's back office: rewriting a commune's challenge keeps every version; the form builder."""

import re
from urllib.parse import urlsplit

from playwright.sync_api import expect

from qmi.calls.management.commands.load_demo_calls import DEMO_SLUG
from qmi.calls.models import Call, Question
from qmi.programmes.models import EditionCommune

from .helpers import check_page, login, visit

ADDED = "avec les habitants des Blagis volontaires"


def _follow(page, link):
    with page.expect_navigation():
        link.click()
    check_page(page)


def test_operator_rewrites_a_challenge(page, demo):
    sceaux = EditionCommune.objects.select_related("challenge").get(
        edition__number=1, commune__insee="92071"
    )
    old_statement = sceaux.challenge.statement
    assert sceaux.challenge.version == 1

    login(page, "operateur@demo.qmi.example")
    assert urlsplit(page.url).path == "/gestion/", page.url
    main = page.locator("main")

    # Back office → 1st edition → Sceaux.
    _follow(page, main.get_by_role("link", name=re.compile(r"1re édition")).first)
    assert re.search(r"/gestion/editions/\d+/$", page.url), page.url
    _follow(page, main.get_by_role("link", name="Sceaux", exact=True).first)
    assert urlsplit(page.url).path == f"/gestion/communes/{sceaux.pk}/", page.url
    expect(page.locator("h1")).to_contain_text("Sceaux")

    # Rewrite the challenge: a few words go in after the statement's first word, so the
    # word-level diff shows them as one insertion and nothing removed.
    _follow(page, main.get_by_role("link", name=re.compile(r"(Réécrire|Rédiger) le défi")).first)
    assert urlsplit(page.url).path == f"/gestion/communes/{sceaux.pk}/defi/", page.url
    form = page.locator("main form[method='post']")
    expect(form.locator("select[name='theme']")).to_be_visible()
    expect(form.locator("[name='title']")).to_have_value(sceaux.challenge.title)
    first_word, rest = old_statement.split(" ", 1)
    new_statement = f"{first_word} {ADDED} {rest}"
    form.locator("[name='statement']").fill(new_statement)
    _follow(page, form.locator("[type='submit']").first)
    assert urlsplit(page.url).path != f"/gestion/communes/{sceaux.pk}/defi/", (
        "the form came back instead of saving: "
        + " | ".join(page.locator("main .errorlist, main [role='alert']").all_inner_texts())
    )

    sceaux.challenge.refresh_from_db()
    assert sceaux.challenge.version == 2
    assert sceaux.challenge.statement == new_statement

    # The history lists version 2 and the diff marks the inserted words.
    visit(page, f"/gestion/communes/{sceaux.pk}/defi/versions/")
    expect(page.locator("h1")).to_contain_text("Sceaux")
    versions = page.locator("main ol.versions > li")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Version 2")
    inserted = " ".join(page.locator("main .diff ins").all_inner_texts())
    for word in ADDED.split():
        assert word in inserted, f"“{word}” is not marked as inserted in the diff: {inserted!r}"
    expect(page.locator("main .diff del")).to_have_count(0)


def test_operator_asks_a_question_of_communes_only_then_discards_the_draft(page, demo):
    call = Call.objects.get(slug=DEMO_SLUG)
    # A call open to both kinds, so the condition has a choice to make.
    Call.objects.filter(pk=call.pk).update(eligible_kinds=["commune", "experimenter"])
    published = call.current_revision
    login(page, "operateur@demo.qmi.example")
    visit(page, f"/gestion/appels/{call.pk}/formulaire/")
    main = page.locator("main")
    _follow(page, main.get_by_role("link", name=re.compile(r"^Ajouter une question")).last)

    form = page.locator("main form.builder-form")
    # A document question accepts PDF unless staff say otherwise.
    expect(form.locator("input[name='accepted'][value='pdf']")).to_be_checked()
    form.locator("[name='label']").fill("Nom du maire")
    value = form.locator("select[name='condition_value']")
    form.locator("select[name='condition_key']").select_option(
        label="Type d'organisation qui candidate"
    )
    # Only the kinds the call admits are offered; other questions' answers are hidden.
    shown = value.locator("optgroup:not([hidden]) option")
    expect(shown).to_have_text(["Commune", "Expérimentateur"])
    expect(value.locator("optgroup[hidden]").first).to_be_attached()
    value.select_option(label="Commune")
    _follow(page, form.locator("button[type='submit']"))
    expect(main).to_contain_text("si « Type d'organisation qui candidate » = « Commune »")
    draft = call.revisions.get(published_at__isnull=True)
    question = Question.objects.get(section__revision=draft, label="Nom du maire")
    assert (question.condition_key, question.condition_value) == ("_type-organisation", "commune")

    # Discarding asks first, then the published form is back.
    page.once("dialog", lambda dialog: dialog.accept())
    _follow(page, main.get_by_role("button", name=f"Abandonner la révision {draft.number}"))
    expect(main).to_contain_text("Les modifications non publiées ont été abandonnées")
    assert list(call.revisions.all()) == [published]
