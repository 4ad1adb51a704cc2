"""Registering for an information session without an account: form, mailbox, link, button."""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from qmi.events.models import Registration
from tests.factories import information_session

from .helpers import check_page, visit


@pytest.mark.django_db(transaction=True)
def test_anonymous_registration_is_confirmed_by_the_button_behind_the_link(page):
    session = information_session(link="https://visio.example/reunion")
    kwargs = {"slug": session.about.slug, "session_pk": session.pk}
    visit(page, reverse("calls:session_register", kwargs=kwargs))
    page.get_by_label("Nom et prénom").fill("Camille Martin")
    page.get_by_label("Adresse e-mail").fill("camille@exemple.fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Je m'inscris").click()
    check_page(page)
    expect(page.locator("h1")).to_have_text("Vérifiez votre messagerie")

    registration = Registration.objects.get()
    assert registration.confirmed_at is None
    visit(page, reverse("events:confirm", kwargs={"token": registration.token}))
    registration.refresh_from_db()
    assert registration.confirmed_at is None  # opening the link is not confirming
    with page.expect_navigation():
        page.get_by_role("button", name="Je confirme mon inscription").click()
    check_page(page)
    expect(page.locator("h1")).to_have_text("Vous êtes inscrit·e")
    registration.refresh_from_db()
    assert registration.confirmed_at is not None
