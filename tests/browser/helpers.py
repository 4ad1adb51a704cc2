"""What every browser journey uses: page checks (console, CSP, axe-core), visits and logins."""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from playwright.sync_api import expect

DEMO_PASSWORD = "demo-qmi-2026"
AXE_URL = "/static/vendor/axe-core/axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class ConsoleWatch:
    """Errors the page printed; network failures are only forgiven for allowed hosts/URLs."""

    origin: str
    errors: list = field(default_factory=list)
    allowed: list = field(default_factory=list)

    def allow(self, pattern):
        """Forgive console errors whose text or URL matches `pattern` (a regex)."""
        self.allowed.append(re.compile(pattern))

    def on_console(self, message):
        if message.type != "error":
            return
        text = message.text
        url = (message.location or {}).get("url", "")
        if any(p.search(text) or (url and p.search(url)) for p in self.allowed):
            return
        if text.startswith("Failed to load resource") and urlsplit(url).path == "/favicon.ico":
            # Chromium asks for /favicon.ico on its own when a page names no icon; that 404
            # is not the page's doing (the site has no favicon yet).
            return
        if text.startswith("Failed to load resource") and url and not self._same_origin(url):
            # A tile server (or any other outside host) that cannot be reached: the map
            # must draw its outlines without them, which the map test checks.
            return
        self.errors.append(f"console error: {text} (at {url or 'unknown location'})")

    def on_page_error(self, error):
        self.errors.append(f"uncaught exception: {error}")

    def _same_origin(self, url):
        return urlsplit(url).netloc == urlsplit(self.origin).netloc

    def take(self):
        errors, self.errors = self.errors, []
        return errors


def format_violations(violations):
    lines = []
    for violation in violations:
        targets = "; ".join(
            " ".join(node.get("target", [])) if isinstance(node.get("target"), list) else ""
            for node in violation.get("nodes", [])
        )
        lines.append(
            f"  [{violation['impact']}] {violation['id']}: {violation['help']}\n"
            f"      targets: {targets}\n      see {violation.get('helpUrl', '')}"
        )
    return "\n".join(lines)


def assert_accessible(page):
    """Run axe-core on the page; fail on every serious or critical WCAG 2.1 A/AA violation."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Same-origin static file: allowed by the site's CSP (script-src 'self').
        try:
            page.add_script_tag(url=AXE_URL)
        except Exception as error:
            raise AssertionError(
                f"axe-core did not load from {AXE_URL} on {page.url}: are the site's static "
                f"files found (STATICFILES_DIRS)? {error}"
            ) from error
    result = page.evaluate(
        """async (tags) => {
            const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
            return r.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target})),
            }));
        }""",
        AXE_TAGS,
    )
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, (
        f"axe-core: {len(blocking)} serious/critical violation(s) on {page.url}:\n"
        + format_violations(blocking)
    )


def assert_no_console_errors(page):
    errors = page.qmi_console.take()
    csp = [e for e in errors if "Content Security Policy" in e or "Refused to" in e]
    assert not csp, f"CSP violation(s) on {page.url}:\n  " + "\n  ".join(csp)
    assert not errors, f"Console error(s) on {page.url}:\n  " + "\n  ".join(errors)


PHONE_WIDTH = 390


def assert_no_sideways_scroll(page):
    """At a phone's width (390 px) the page never scrolls sideways; the viewport is restored."""
    size = page.viewport_size
    page.set_viewport_size({"width": PHONE_WIDTH, "height": size["height"]})
    try:
        widest = page.evaluate(
            """() => {
                const width = document.documentElement.clientWidth;
                if (document.documentElement.scrollWidth <= width) return null;
                const culprits = [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right > width + 1)
                    .filter(el => !(el.parentElement && el.parentElement.closest('.table-scroll, .map')))
                    .slice(0, 3)
                    .map(el => el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                         + ' (' + Math.round(el.getBoundingClientRect().right) + ' px)');
                return {scroll: document.documentElement.scrollWidth, culprits};
            }"""
        )
    finally:
        page.set_viewport_size(size)
    assert widest is None, (
        f"{page.url} scrolls sideways at {PHONE_WIDTH} px ({widest['scroll']} px wide): "
        + ", ".join(widest["culprits"])
    )


def check_page(page):
    """The checks every visited page goes through: console clean, axe-core, no sideways scroll."""
    page.wait_for_load_state("load")
    assert_no_console_errors(page)
    assert_accessible(page)
    assert_no_sideways_scroll(page)
    assert_no_console_errors(page)


def visit(page, path, *, status=200):
    """Open `path` (relative to the live server), check its status and the page itself."""
    response = page.goto(path)
    assert response is not None, f"no response for {path}"
    assert response.status == status, f"{path}: HTTP {response.status}, expected {status}"
    check_page(page)
    return response


def login(page, email, password=DEMO_PASSWORD):
    """Log in through allauth's form at /compte/login/ and check the page landed on."""
    visit(page, "/compte/login/")
    page.locator("input[name='login']").fill(email)
    page.locator("input[name='password']").fill(password)
    with page.expect_navigation():
        page.locator("form:has(input[name='password']) [type='submit']").first.click()
    check_page(page)


def logout(page):
    """Log out with the header's button (a POST form, under "Mon compte") and check the page."""
    page.locator(".account-menu summary").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Se déconnecter").first.click()
    check_page(page)
    expect(page.get_by_role("link", name="Se connecter").first).to_be_visible()
