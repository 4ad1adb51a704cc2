"""The harness itself: its checks must fail when a page breaks the rules they guard."""

import pytest

from .helpers import assert_accessible, assert_no_console_errors, visit


def test_harness_axe_reports_serious_violations(page):
    visit(page, "/compte/login/")
    # An image without text alternative and a page without language: both "serious" or worse.
    page.evaluate(
        """() => {
            document.documentElement.removeAttribute('lang');
            const img = document.createElement('img');
            img.src = '/static/vendor/leaflet/images/marker-icon.png';
            document.querySelector('main').appendChild(img);
        }"""
    )
    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)
    assert "html-has-lang" in str(failure.value)
    assert "image-alt" in str(failure.value)


def test_harness_reports_inline_script_as_csp_violation(page):
    visit(page, "/compte/login/")
    page.evaluate(
        """() => {
            const script = document.createElement('script');
            script.textContent = 'window.inlineRan = true;';
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => window.inlineRan === undefined"), "the CSP let inline script run"
    with pytest.raises(AssertionError, match="CSP violation"):
        assert_no_console_errors(page)
