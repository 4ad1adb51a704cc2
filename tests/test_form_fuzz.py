"""Hostile values posted to every form of every page the URL resolver lists.

Each route of the resolver is opened by a person allowed to use it (operator staff for
`gestion/`, the owning commune's admin elsewhere, a visitor for the account pages); every
`<form method="post">` found on the page is then posted again and again with hostile
values: non-ASCII digits, 100,000-character strings, NUL bytes, wrong types, dates out of
range, missing and repeated fields, junk instead of files. No answer may be a 500, and an
answer that refuses the input (anything but a redirect) leaves the database as it was:
nothing is half-saved. Django's admin is left out: its forms are Django's own.
Each route runs in a transaction rolled back afterwards, so what one route changes (or
deletes) does not hide another route's forms.
"""

from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from qmi.calls.models import Application
from tests.test_access_sweep import ALL_ROUTES, PUBLIC, World, url_for

pytestmark = pytest.mark.django_db(transaction=False)

HOSTILE = [
    "١٢٣٤٥٦٧٨٩",  # Arabic-Indic digits
    "１２３４５",  # fullwidth digits
    "21920071²",
    "x" * 100_000,
    "avant\x00après",
    "-1",
    "1e309",
    "9" * 40,
    "0000-00-00",
    "9999-12-31T23:59:59",
    "31/02/2024 25:61",
    "0001-01-01",
    "pas-un-nombre",
    "<script>alert(1)</script>",
    "",
    " \t ",
]
# Tables that change on any request and say nothing about what a form saved.
UNWATCHED = {"django_session", "django_cache_table"}


class FormParser(HTMLParser):
    """The page's POST forms: action, enctype and fields (name, kind, value, options)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self._form, self._select, self._textarea = [], None, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._form = {"action": attrs.get("action") or "", "fields": []}
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind not in ("submit", "button", "reset", "image"):
                self._form["fields"].append((attrs["name"], kind, attrs.get("value") or ""))
        elif tag == "select" and attrs.get("name"):
            self._select = [attrs["name"], "select", ""]
            self._form["fields"].append(self._select)
        elif tag == "option" and self._select is not None and not self._select[2]:
            self._select[2] = attrs.get("value") or ""
        elif tag == "textarea" and attrs.get("name"):
            self._form["fields"].append((attrs["name"], "textarea", ""))
        elif tag == "button" and attrs.get("name"):
            self._form["fields"].append((attrs["name"], "hidden", attrs.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(page_url, html):
    parser = FormParser()
    parser.feed(html)
    for form in parser.forms:
        action = urljoin(page_url, form["action"]) if form["action"] else page_url
        parts = urlsplit(action)
        if parts.netloc not in ("", "testserver"):
            continue
        yield (
            parts.path + (f"?{parts.query}" if parts.query else ""),
            [tuple(field) for field in form["fields"] if field[0] != "csrfmiddlewaretoken"],
        )


def junk_file():
    return SimpleUploadedFile("piece.pdf", b"\x00\xff" * 64 + b"%PDF-1.4", "application/pdf")


def variants(fields):
    """Hostile bodies for one form: each value in every field, then shapes of the body."""
    kept = {name: value for name, kind, value in fields if kind in ("hidden", "select")}
    for value in HOSTILE:
        data = dict(kept)
        for name, kind, _ in fields:
            if kind == "file":
                data[name] = junk_file()
            elif kind not in ("hidden", "select"):
                data[name] = value
            elif kind == "select":
                data[name] = value if value.strip() else kept[name]
        yield f"value {value[:12]!r}", data
    yield "missing fields", {}
    yield "hidden fields hostile", {name: "١٢٣" for name, _, _ in fields}
    yield "repeated fields", {name: [value or "1", "x" * 300] for name, _, value in fields}
    yield "text for files", {name: "pas un fichier" for name, _, _ in fields}


WATCHED = None


def watched_models():
    """The platform's tables and the accounts' (allauth's e-mail addresses, TOTP devices)."""
    global WATCHED
    if WATCHED is None:
        WATCHED = [
            model
            for model in apps.get_models()
            if model._meta.managed
            and model._meta.db_table not in UNWATCHED
            and (model.__module__.startswith("qmi.") or model._meta.app_label in ("account", "mfa"))
        ]
    return WATCHED


def snapshot():
    """Every watched table's rows, to tell whether a refused post changed anything."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values_list())
        for model in watched_models()
    }


def changed_tables(before, after):
    return sorted(label for label in before if before[label] != after.get(label))


def who_may_use(world, path):
    """The person allowed on the route: staff in the back office, the owner elsewhere."""
    if path.startswith("gestion/"):
        return world.staff
    if path.startswith("compte/") and "password/reset/key" in path:
        return None
    return world.membership.user


ROUTES = [
    route for route in ALL_ROUTES if not route[0].startswith("admin/") and route[0] not in PUBLIC
] + [route for route in ALL_ROUTES if route[0] in PUBLIC]


@pytest.mark.parametrize("application_status", ["draft", "submitted"])
def test_hostile_values_in_every_form_never_answer_500_nor_half_save(client, application_status):
    world = World()
    Application.objects.filter(pk=world.application.pk).update(status=application_status)
    failures, posted = [], set()
    for path, name, keywords in ROUTES:
        url = url_for(world, path, name, keywords)
        user = who_may_use(world, path)
        with transaction.atomic():
            cache.clear()
            client.logout()
            if user is not None:
                client.force_login(user)
            page = client.get(url)
            if page.status_code >= 500:
                failures.append(f"{page.status_code} GET {url}")
            if page.status_code != 200 or "html" not in page.get("Content-Type", ""):
                transaction.set_rollback(True)
                continue
            for action, fields in forms_on(url, page.content.decode()):
                key = (urlsplit(action).path, tuple(sorted(f[0] for f in fields)))
                if key in posted:
                    continue
                posted.add(key)
                failures += fuzz_form(client, action, fields, snapshot())
            transaction.set_rollback(True)
    assert len(posted) > 40, f"only {len(posted)} forms found: the sweep is not reaching them"
    assert not failures, "Hostile input mishandled:\n" + "\n".join(failures)


def downloaded(response):
    """A form whose answer is a file (the export of one's own data) succeeded like a redirect."""
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")


def fuzz_form(client, action, fields, before):
    """Post each variant in a savepoint rolled back after it: all start from `before`."""
    failures = []
    for label, data in variants(fields):
        with transaction.atomic():
            try:
                response = client.post(action, data)
            except Exception as error:  # a crash is what the sweep looks for
                failures.append(f"crash {type(error).__name__} POST {action} ({label})")
                transaction.set_rollback(True)
                continue
            status = response.status_code
            if status >= 500:
                failures.append(f"{status} POST {action} ({label})")
            elif status not in (301, 302, 303) and not downloaded(response):
                tables = changed_tables(before, snapshot())
                if tables:
                    failures.append(f"{status} POST {action} ({label}) but changed {tables}")
            transaction.set_rollback(True)
    return failures


def test_the_snapshot_sees_a_half_saved_change():
    """Control: a row changed by a refused post would show in the comparison."""
    world = World()
    before = snapshot()
    world.organisation.name = "Modifiée"
    world.organisation.save()
    assert changed_tables(before, snapshot()) == ["accounts.Organisation"]
