"""Keyboard use: the skip link comes first and takes focus to the main content."""

import pytest
from playwright.sync_api import expect

from .helpers import check_page, login, visit

FOCUSED_ELEMENT = "() => document.activeElement && document.activeElement.outerHTML.slice(0, 120)"


def _assert_skip_link_works(page):
    page.keyboard.press("Tab")
    focused = page.locator(":focus")
    expect(focused).to_have_count(1)
    assert focused.evaluate("e => e.matches('a.skip-link, a[href=\"#main\"]')"), (
        f"{page.url}: the first Tab stop is {page.evaluate(FOCUSED_ELEMENT)!r}, not the skip link"
    )
    expect(focused).to_be_visible()  # visible once focused, even if hidden off-screen before
    page.keyboard.press("Enter")
    expect(page.locator("main#main")).to_be_focused()
    # The next Tab stop is inside main, not back in the header.
    page.keyboard.press("Tab")
    inside = page.evaluate(
        "() => !!document.activeElement && !!document.activeElement.closest('main')"
    )
    assert inside, (
        f"{page.url}: after the skip link, Tab went to {page.evaluate(FOCUSED_ELEMENT)!r}"
    )
    check_page(page)


@pytest.mark.parametrize("path", ["/", "/editions/qmi-1/", "/compte/login/"])
def test_skip_link_public(page, demo, path):
    visit(page, path)
    _assert_skip_link_works(page)


def test_skip_link_back_office(page, demo):
    login(page, "operateur@demo.qmi.example")
    page.reload()
    _assert_skip_link_works(page)
