"""Browser tests: Playwright (Python) driving Debian's chromium against pytest-django's live server.

Every test under tests/browser is marked `browser` (see `pytest_collection_modifyitems`), so the
default `make test` run can leave them out with `-m "not browser"` and `make test-browser`
selects them.

- Chromium is Debian's package (`/usr/bin/chromium`, or the path in `QMI_CHROMIUM`); Playwright
  never downloads a browser. Without it the tests are skipped, unless `QMI_REQUIRE_BROWSER=1`
  (set by the CI), in which case they fail; so does any other skip of a browser test.
- This package is the only browser harness: a journey lives here, uses `page` and `visit` or
  `check_page`, and so runs axe-core on every page it shows.
- Each page a journey visits goes through `check_page`: axe-core (WCAG 2.0/2.1 A and AA) must
  report no serious or critical violation, and the browser console must show no error, in
  particular no Content Security Policy violation (the site runs no inline script).
"""

import os
import shutil
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from playwright.sync_api import sync_playwright

from .helpers import ConsoleWatch

BROWSER_DIR = Path(__file__).resolve().parent
DEFAULT_CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
MISSING_CHROMIUM = "Debian's chromium is not installed: apt-get install chromium"
# Playwright's own timeouts, in milliseconds: a local server answers well within these.
ACTION_TIMEOUT_MS = 10_000
NAVIGATION_TIMEOUT_MS = 20_000


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    """Mark everything under tests/browser `browser` before `-m` selects tests."""
    for item in items:
        if BROWSER_DIR in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test, so fixtures know whether the test body failed.

    With QMI_REQUIRE_BROWSER=1 a skipped browser test (whatever skipped it) is a failure: the CI
    must not go green on journeys that never ran.
    """
    report = yield
    if report.skipped and _browser_required() and item.get_closest_marker("browser"):
        report.outcome = "failed"
        report.longrepr = f"QMI_REQUIRE_BROWSER=1 but the browser test was skipped: {call.excinfo}"
    setattr(item, f"qmi_report_{report.when}", report)
    return report


def _chromium_path():
    """The chromium to drive: QMI_CHROMIUM when set (even to a missing path), else Debian's."""
    wanted = os.environ.get("QMI_CHROMIUM", "").strip()
    candidates = [wanted] if wanted else [DEFAULT_CHROMIUM, shutil.which("chromium") or ""]
    for candidate in candidates:
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    return None


def _browser_required():
    return os.environ.get("QMI_REQUIRE_BROWSER", "").strip().lower() in {"1", "true", "yes"}


@pytest.fixture(scope="session")
def chromium_executable():
    path = _chromium_path()
    if path is None:
        where = os.environ.get("QMI_CHROMIUM") or DEFAULT_CHROMIUM
        message = f"{MISSING_CHROMIUM} (no executable at {where})"
        if _browser_required():
            pytest.fail(f"QMI_REQUIRE_BROWSER=1 but {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="package")
def _async_unsafe_allowed():
    """Let the ORM run synchronously while Playwright's event loop runs in this thread.

    Playwright's sync API keeps an asyncio loop running in the main thread from start to stop;
    the test code still uses the ORM synchronously (fixtures, assertions, the database flush),
    which Django refuses in that situation unless DJANGO_ALLOW_ASYNC_UNSAFE is set. It is set
    only while the browser package runs, never at import time: the deploy check
    (tests/core/test_security.py) rightly fails when the variable is set.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="package")
def browser(_async_unsafe_allowed, chromium_executable):
    """One chromium for tests/browser, stopped (with its event loop) when the package ends."""
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=chromium_executable, headless=True, args=CHROMIUM_ARGS
        )
        yield instance
        instance.close()


@pytest.fixture(scope="session", autouse=True)
def _no_https_redirect():
    """The live server speaks plain HTTP: DEBUG stays off, but no redirect to https://.

    SecurityMiddleware reads SECURE_SSL_REDIRECT once, when the server thread builds its
    handler, so the override has to be in place, at session scope, before `live_server` starts
    (tests/conftest.py turns it off per test, too late for the server). Secure cookies need no
    change: chromium accepts them from http://localhost, a secure context.
    """
    with override_settings(SECURE_SSL_REDIRECT=False):
        yield


@pytest.fixture(autouse=True)
def _as_in_production(settings, transactional_db):
    """Working pages kept per session, as in production (tests/conftest.py turns it off
    for the query counts): the journeys below show that nobody meets a stale page.

    The database is emptied between these tests without a signal, so the cache table
    (pages and versions) is emptied too: no test meets a page kept by another.
    """
    settings.QMI_KEPT_PAGES = True
    cache.clear()


@pytest.fixture
def demo(transactional_db):
    """The demo programme: two editions, ten communes and the fictional accounts."""
    call_command("load_demo", "--quiet-logins")


@pytest.fixture
def page(request, browser, live_server):
    context = browser.new_context(
        base_url=live_server.url,
        locale="fr-FR",
        timezone_id="Europe/Paris",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
    page = context.new_page()
    watch = ConsoleWatch(origin=live_server.url)
    page.on("console", watch.on_console)
    page.on("pageerror", watch.on_page_error)
    page.qmi_console = watch
    yield page
    leftover = watch.take()
    context.close()
    call = getattr(request.node, "qmi_report_call", None)
    if call is not None and call.failed:
        return  # the failure already says what went wrong
    assert not leftover, "Console error(s) after the last check:\n  " + "\n  ".join(leftover)
