"""Accounts: sign-up with e-mail verification, and each role's landing page after login."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail
from playwright.sync_api import expect

from qmi.programmes.models import EditionCommune

from .helpers import check_page, login, logout, visit

NEW_PASSWORD = "Tournesol-Quartier-2026"


def _confirmation_path(message):
    """The path of the verification link in an allauth e-mail (host aside)."""
    bodies = [message.body] + [content for content, _ in getattr(message, "alternatives", [])]
    for body in bodies:
        found = re.search(r"https?://[^\s\"'<>]+/confirm-email/[^\s\"'<>]+", body)
        if found:
            parts = urlsplit(found.group(0))
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no confirmation link in the e-mail:\n{message.body}")


def test_signup_verification_login(page, demo):
    visit(page, "/")
    with page.expect_navigation():
        page.get_by_role("link", name="Créer un compte").first.click()
    check_page(page)
    assert urlsplit(page.url).path == "/compte/signup/", page.url

    form = page.locator("form:has(input[name='password1'])")
    form.locator("input[name='full_name']").fill("Ada Lovelace")
    form.locator("input[name='email']").fill("ada.lovelace@example.org")
    form.locator("input[name='password1']").fill(NEW_PASSWORD)
    form.locator("input[name='password2']").fill(NEW_PASSWORD)
    mail.outbox.clear()
    with page.expect_navigation():
        form.locator("[type='submit']").first.click()
    check_page(page)
    # Verification is mandatory: the account waits for its e-mail to be confirmed.
    assert "/compte/confirm-email/" in page.url, page.url

    sent = [m for m in mail.outbox if "ada.lovelace@example.org" in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    path = _confirmation_path(sent[0])

    visit(page, path)
    with page.expect_navigation():
        page.get_by_role("button", name=re.compile(r"confirm", re.I)).first.click()
    check_page(page)

    logout(page)
    login(page, "ada.lovelace@example.org", NEW_PASSWORD)
    assert urlsplit(page.url).path == "/espace/", page.url
    expect(page.locator("h1")).to_contain_text("Mon espace")


def _workspace_path(insee, number):
    participation = EditionCommune.objects.get(edition__number=number, commune__insee=insee)
    return f"/espace/commune/{participation.pk}/"


ROLE_HOMES = [
    # e-mail, where the person lands, a heading on that page, what waits there
    ("operateur@demo.qmi.example", lambda: "/gestion/", "Espace de gestion", "À faire"),
    ("metropole@demo.qmi.example", lambda: "/gestion/", "Espace de gestion", "À faire"),
    ("agent.sceaux@demo.qmi.example", lambda: "/espace/", "Mon espace", "Sceaux"),
    ("agent.argenteuil@demo.qmi.example", lambda: "/espace/", "Mon espace", "Continuer le dossier"),
    ("experimentateur@demo.qmi.example", lambda: "/espace/", "Mon espace", "Rue Fraîche"),
    # A partner's expert who only reviews lands on their files to review.
    ("expert@demo.qmi.example", lambda: "/jury/", "Mes évaluations", "évaluations déposées"),
]


@pytest.mark.parametrize(
    ("email", "home", "heading", "waiting"),
    ROLE_HOMES,
    ids=[row[0].split("@")[0] for row in ROLE_HOMES],
)
def test_role_lands_on_its_home(page, demo, email, home, heading, waiting):
    login(page, email)
    assert urlsplit(page.url).path == home(), page.url
    expect(page.locator("h1")).to_contain_text(heading)
    expect(page.locator("main")).to_contain_text(waiting)


def test_commune_agent_cannot_open_another_commune(page, demo):
    login(page, "agent.sceaux@demo.qmi.example")
    with page.expect_navigation():
        page.get_by_role("link", name="Sceaux").first.click()
    assert urlsplit(page.url).path == _workspace_path("92071", 1), page.url
    other = _workspace_path("95018", 2)
    page.qmi_console.allow(re.escape(other))
    visit(page, other, status=404)


def test_experimenter_cannot_open_the_back_office(page, demo):
    login(page, "experimentateur@demo.qmi.example")
    page.qmi_console.allow(r"/gestion/$")
    visit(page, "/gestion/", status=404)


def test_log_in_with_a_code_sent_by_e_mail(page, demo):
    """The way in that a stranger's wrong passwords cannot close (see accounts.adapter)."""
    visit(page, "/compte/login/")
    with page.expect_navigation():
        page.get_by_role("link", name="Envoyez-moi un code de connexion").click()
    check_page(page)
    mail.outbox.clear()
    page.locator("input[name='email']").fill("agent.sceaux@demo.qmi.example")
    with page.expect_navigation():
        page.locator("form:has(input[name='email']) [type='submit']").first.click()
    check_page(page)
    sent = [m for m in mail.outbox if "agent.sceaux@demo.qmi.example" in m.to]
    assert len(sent) == 1, [(m.to, m.subject) for m in mail.outbox]
    code = re.search(r"^\s*([B-Z0-9]{3,4}-?[B-Z0-9]{3,4})\s*$", sent[0].body, re.M)[1]
    page.locator("input[name='code']").fill(code)
    with page.expect_navigation():
        page.locator("form:has(input[name='code']) [type='submit']").first.click()
    check_page(page)
    assert urlsplit(page.url).path == "/espace/", page.url


def test_the_metropolis_reads_the_back_office_without_the_operator_s_tools(page, demo):
    login(page, "metropole@demo.qmi.example")
    visit(page, "/gestion/appels/")
    expect(page.get_by_role("link", name="Créer un appel")).to_have_count(0)
    with page.expect_navigation():
        page.locator("table a, .staff-list a").first.click()
    check_page(page)
    expect(page.get_by_role("link", name="Modifier l'appel")).to_have_count(0)
    expect(page.get_by_role("link", name="Candidatures", exact=True)).to_be_visible()


@pytest.mark.parametrize(
    "email", ["operateur@demo.qmi.example", "agent.argenteuil@demo.qmi.example"]
)
def test_the_header_fits_one_line_and_folds_into_a_menu_on_a_phone(page, demo, email):
    login(page, email)
    header = page.locator(".site-header")
    brand = page.locator(".brand").bounding_box()
    last = page.locator(".language-switch").bounding_box()
    assert abs(brand["y"] - last["y"]) < 20, "the header wraps at 1280 px"
    assert header.bounding_box()["height"] < 80
    # Staff get the back office's menu, applicants theirs.
    staff = email.startswith("operateur")
    expect(page.get_by_role("link", name="Espace de gestion")).to_have_count(1 if staff else 0)
    expect(page.get_by_role("link", name="Mes candidatures")).to_have_count(0 if staff else 1)

    page.set_viewport_size({"width": 390, "height": 800})
    toggle = page.get_by_role("button", name="Menu")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(page.get_by_role("link", name="Messages")).to_be_hidden()
    toggle.click()
    expect(toggle).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("link", name="Messages")).to_be_visible()
    check_page(page)


ONE_CLICK = [
    # who, the link on their home, where it leads
    ("agent.argenteuil@demo.qmi.example", "Continuer le dossier", r"/candidatures/\d+/$"),
    (
        "experimentateur@demo.qmi.example",
        "Voir le dossier de votre organisation",
        r"/candidatures/\d+/$",
    ),
    ("operateur@demo.qmi.example", "DEMO-0002", r"/gestion/candidatures/\d+/$"),
    ("metropole@demo.qmi.example", "DEMO-0002", r"/gestion/candidatures/\d+/$"),
]


@pytest.mark.parametrize(
    ("email", "link", "target"), ONE_CLICK, ids=[row[0].split("@")[0] for row in ONE_CLICK]
)
def test_each_role_reaches_its_task_in_one_click_from_its_home(page, demo, email, link, target):
    login(page, email)
    with page.expect_navigation():
        page.locator("main").get_by_role("link", name=link).first.click()
    check_page(page)
    assert re.search(target, urlsplit(page.url).path), page.url
