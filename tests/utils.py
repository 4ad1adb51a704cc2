"""Helpers shared by the test modules: query counting, people, files and page reading.

Test modules import from here (and from tests/factories.py for objects), never from one
another, so a helper exists once and a test module can move without breaking its neighbours.
"""

import contextlib
import html as html_lib
import io
import json
import re
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from tests.factories import MembershipFactory, UserFactory


def listed_references(response):
    """The references in the rows of the staff's list of applications, as rendered."""
    return re.findall(
        r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', response.content.decode()
    )


# Query counting ---------------------------------------------------------------------


@dataclass
class Counted:
    """One request: how many queries it ran, the response and its body (streamed or not)."""

    queries: int
    response: object
    content: bytes


def count_queries(client, url, *, data=None, method="get", status=200, warm=True):
    """Request `url` once and count its queries; the body is read inside the count.

    `warm` requests the page once first, so per-process caches (content types, the session)
    do not make the first measure differ from the second.
    """
    send = getattr(client, method)
    if warm:
        _read(send(url, data))
    with CaptureQueriesContext(connection) as queries:
        response = send(url, data)
        content = _read(response)
    assert response.status_code == status, f"{url}: HTTP {response.status_code}, not {status}"
    return Counted(len(queries), response, content)


def assert_constant_queries(client, url, *, grow, data=None, status=200, warm=True):
    """The page answers `status` and runs the same number of queries before and after `grow()`.

    Returns the second measure (its `queries`, `response` and `content`), so a test can check
    that the larger data set was really rendered.
    """
    small = count_queries(client, url, data=data, status=status, warm=warm)
    grow()
    large = count_queries(client, url, data=data, status=status, warm=warm)
    assert large.queries == small.queries, (
        f"{url}: {small.queries} queries with the small data set, {large.queries} with the large"
    )
    return large


def _read(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# People -----------------------------------------------------------------------------


def member_of(organisation, **user_fields):
    """A new user who belongs to `organisation` (with the membership factory's default role)."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation)
    return user


def logged_in(client, user):
    client.force_login(user)
    return client


# Files ------------------------------------------------------------------------------


def pdf_bytes(width=72, height=72):
    """A real one-page PDF that pypdf (and the upload checks) can read."""
    writer = PdfWriter()
    writer.add_blank_page(width=width, height=height)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def pdf_text(content):
    """The text of every page of a PDF (receipts, exports), to check what it says."""
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def pdf_upload(name="budget.pdf"):
    """A real PDF as an uploaded file (for forms and services)."""
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def executable_upload(name="facture.pdf"):
    """A Windows executable disguised as a PDF: upload checks must refuse it."""
    return SimpleUploadedFile(name, b"MZ" + b"\0" * 200, content_type="application/pdf")


def pdf_path(directory, name):
    """A PDF written to `directory/<name>.pdf` (for a browser's file input)."""
    path = directory / f"{name}.pdf"
    path.write_bytes(pdf_bytes())
    return path


def stored_files():
    """Every file in the test storage (tests/conftest.py gives each test its own folder)."""
    root = Path(settings.STORAGES["default"]["OPTIONS"]["location"])
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


# Reading pages ----------------------------------------------------------------------


def field_errors(response, field):
    """The errors shown next to `field` in the rendered page (the block with id <field>_error)."""
    page = response.content.decode()
    match = re.search(
        rf'<div class="errorlist" id="id_{field}_error">(.*?)</div>', page, flags=re.S
    )
    return html_lib.unescape(re.sub(r"<[^>]+>", " ", match.group(1))) if match else ""


def input_described_by(response, field):
    """The aria-describedby of the input/select/textarea named `field`."""
    page = response.content.decode()
    match = re.search(rf'<(?:input|select|textarea)[^>]*\bname="{field}"[^>]*>', page)
    assert match, f"no input named {field}"
    described = re.search(r'aria-describedby="([^"]*)"', match.group(0))
    return described.group(1).split() if described else []


class PageAudit(HTMLParser):
    """Collects what the accessibility and CSP checks need from a page."""

    def __init__(self):
        super().__init__()
        self.h1 = 0
        self.label_for = set()
        self.inputs = []
        self.inline_styles = 0
        self.inline_scripts = 0
        self.in_script = False
        self.script_is_data = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "style" in attrs:
            self.inline_styles += 1
        if any(name.startswith("on") for name in attrs):
            self.inline_scripts += 1
        if tag == "h1":
            self.h1 += 1
        elif tag == "label" and attrs.get("for"):
            self.label_for.add(attrs["for"])
        elif tag in ("input", "select", "textarea"):
            if attrs.get("type") not in ("hidden", "submit", "button"):
                self.inputs.append(attrs)
        elif tag == "script":
            self.in_script = "src" not in attrs
            self.script_is_data = attrs.get("type") == "application/json"
        elif tag == "style":
            self.inline_styles += 1

    def handle_endtag(self, tag):
        if tag == "script":
            self.in_script = False

    def handle_data(self, data):
        if self.in_script and not self.script_is_data and data.strip():
            self.inline_scripts += 1


def audit_page(response):
    parser = PageAudit()
    parser.feed(response.content.decode())
    return parser


# Migrations ------------------------------------------------------------------


def migrate(targets):
    """Migrate the test database to `targets` and return the historical apps of that state."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    executor.loader.build_graph()
    return executor.loader.project_state([t for t in targets if t[1] is not None]).apps


def latest_migrations():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


def load_dump(apps, path):
    """Load a `dumpdata` JSON file into the historical models `apps` (loaddata uses today's).

    Returns {model label: row count}. Rows keep their primary keys.
    """
    records = json.loads(path.read_text())
    # Foreign keys are checked at commit (deferred on SQLite and PostgreSQL): any row order works.
    with transaction.atomic():
        counts = _insert(apps, records)
    with connection.cursor() as cursor:
        models = [apps.get_model(label) for label in counts]
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)
    return counts


@contextlib.contextmanager
def dates_as_given(models):
    """Save rows with the dates they carry: auto_now(_add) would stamp the present."""
    fields = [
        field
        for model in models
        for field in model._meta.concrete_fields
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
    ]
    saved = [(field, field.auto_now, field.auto_now_add) for field in fields]
    for field in fields:
        field.auto_now = field.auto_now_add = False
    try:
        yield
    finally:
        for field, auto_now, auto_now_add in saved:
            field.auto_now, field.auto_now_add = auto_now, auto_now_add


def _insert(apps, records):
    with dates_as_given([apps.get_model(label) for label in {r["model"] for r in records}]):
        return _insert_rows(apps, records)


def _insert_rows(apps, records):
    counts = {}
    many = []
    for record in records:
        model = apps.get_model(record["model"])
        obj = model(pk=record["pk"])
        for name, value in record["fields"].items():
            field = model._meta.get_field(name)
            if field.many_to_many:
                many.append((obj, name, value))
            elif field.is_relation:
                setattr(obj, field.attname, value)
            else:
                setattr(obj, field.attname, field.to_python(value))
        obj.save(force_insert=True)
        counts[record["model"]] = counts.get(record["model"], 0) + 1
    for obj, name, value in many:
        getattr(obj, name).set(value)
    return counts


# Form data ----------------------------------------------------------------------------


def experimenter_data(**overrides):
    """The organisation form filled for an experimenter (a French startup)."""
    return {
        "name": "Toits Frais",
        "kind": "experimenter",
        "legal_form": "startup",
        "country": "FR",
        "siret": "",
        "website": "",
        "description": "",
        **overrides,
    }


# Event registrations ------------------------------------------------------------------


def registration_url(session, name="calls:session_register"):
    return reverse(name, kwargs={"slug": session.about.slug, "session_pk": session.pk})


def post_registration(client, session, capture, **data):
    """Post the public registration form of `session` and run what it queues after commit."""
    data = {"name": "Camille Martin", "organisation_name": "Ville de Sceaux", **data}
    data.setdefault("email", "camille@exemple.fr")
    with capture(execute=True):
        return client.post(registration_url(session), data)


# The second factor ---------------------------------------------------------------------


def login_with_second_factor(client, user):
    """Log in as allauth leaves the session after a password and a TOTP code.

    allauth keeps the session's authentication methods under these two keys
    (allauth.account.internal.flows.login.record_authentication); the TOTP step adds
    the "mfa" record (allauth.mfa.base.internal.flows.post_authentication).
    """
    totp = Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).first()
    if totp is None:
        totp = TOTP.activate(user, generate_totp_secret()).instance
    client.force_login(user)
    session = client.session
    now = time.time()
    session["account_authentication_methods"] = [
        {"method": "password", "at": now - 1, "email": user.email},
        {"method": "mfa", "at": now, "id": totp.pk, "type": "totp"},
    ]
    session["account_authentication_methods_user"] = str(user.pk)
    session.save()
    return client
