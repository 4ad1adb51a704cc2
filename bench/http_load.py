"""Requests per second of QMI's main pages over HTTP, served as in production, beside bare Django.

Why: `make bench` times Django in-process, one request at a time; it cannot tell how
many people a production server answers per second, which is what caching the public
pages is meant to change. This script serves QMI the way `.ci/production-path` does
(PostgreSQL, DEBUG off, a random secret key, collectstatic, gunicorn with two sync
workers; Redis db 5 for the cache when the venv has its client), loads each page with
wrk, and reports its throughput as a share of a bare Django page served by gunicorn
with the same options on the same machine: the ceiling, whatever the machine.

It also checks that what it measured was the real page (200 and a text of the page,
before and after the load, and no answer other than 2xx during it: a redirect to the
log-in page is a failure, not a fast page), that a session and an edit made on one
instance are seen by a second one (same database, same Redis), and, when
`bench/lighthouse.py` exists, runs it on the public pages.

Run with `make bench-http`. QMI_BENCH_HTTP_SECONDS (default 10) sets the length of each
load. The database `qmi_bench_http` is dropped and created again at each run, and left
in place afterwards for inspection; everything else (static files, logs, wrk scripts)
lives in a temporary folder removed at the end. Exit code 1 when a page did not answer
with its content or a check failed; a missed target is a measurement, exit code 0.
"""

import html
import http.cookiejar
import importlib.util
import os
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
VENV_BIN = Path(sys.executable).parent
sys.path.insert(0, str(ROOT / "src"))

DB_NAME = "qmi_bench_http"
PG = ["-h", "127.0.0.1", "-p", "5432", "-U", "postgres"]
REDIS = ("127.0.0.1", 6379, 5)
SECONDS = int(os.environ.get("QMI_BENCH_HTTP_SECONDS", "10"))
WARMUP_SECONDS = 1
APPLICATIONS = 10_000
PASSWORD = "demo-qmi-2026"
APPLICANT = "experimentateur@demo.qmi.example"
OPERATOR = "operateur@demo.qmi.example"
P99_LIMIT_MS = 250
TARGETS = {"public": 50, "applicant": 15, "staff": 10}
WORK = Path(tempfile.mkdtemp(prefix="qmi-bench-http-"))


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def redis_command(*commands):
    """Send RESP commands to the bench's Redis database; True when each answered +OK."""
    host, port, db = REDIS
    payload = b""
    for command in (("SELECT", str(db)), *commands):
        payload += f"*{len(command)}\r\n".encode()
        for word in command:
            payload += f"${len(word)}\r\n{word}\r\n".encode()
    try:
        with socket.create_connection((host, port), timeout=3) as connection:
            connection.sendall(payload)
            answer = b""
            while answer.count(b"\r\n") < len(commands) + 1:
                chunk = connection.recv(1024)
                if not chunk:
                    break
                answer += chunk
    except OSError:
        return False
    return answer.split(b"\r\n")[: len(commands) + 1] == [b"+OK"] * (len(commands) + 1)


# The production settings of .ci/production-path, plus the demo's MFA exemption (the demo
# staff log in without TOTP) and Redis. Set before Django starts here: this process builds
# the database; the gunicorn instances get the same environment.
PORT_A, PORT_B, PORT_BARE = free_port(), free_port(), free_port()
REDIS_SERVER = redis_command(("FLUSHDB",))
REDIS_CLIENT = importlib.util.find_spec("redis") is not None
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "qmi.settings",
    "QMI_DEBUG": "0",
    "QMI_SECRET_KEY": secrets.token_urlsafe(50),
    "QMI_ALLOWED_HOSTS": "127.0.0.1,localhost",
    "QMI_SITE_URL": f"http://127.0.0.1:{PORT_A}",
    "QMI_VAR_DIR": str(WORK / "var"),
    "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DB_NAME}",
    "QMI_LOG_LEVEL": "WARNING",
    "QMI_SSL_REDIRECT": "0",
    "QMI_SECURE_COOKIES": "0",
    "QMI_DEMO_MFA_EXEMPT": "1",
}
if REDIS_SERVER and REDIS_CLIENT:
    SERVER_ENV["QMI_REDIS_URL"] = "redis://{}:{}/{}".format(*REDIS)
for name in ("QMI_REDIS_URL", "QMI_STAFF_MFA_REQUIRED", "QMI_TASKS_BACKEND"):
    os.environ.pop(name, None)
os.environ.update(SERVER_ENV)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from applications import add_call_with_applications  # noqa: E402
from qmi.calls.models import Application, Call  # noqa: E402
from qmi.programmes.models import Edition, EditionCommune  # noqa: E402
from qmi.showcase.models import SitePage  # noqa: E402

# Tools and data -------------------------------------------------------------------------------


def ensure_wrk():
    """wrk from Debian's package: CI machines start without it."""
    if shutil.which("wrk"):
        return
    print("-- wrk absent: apt-get install -y wrk")
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    install = [*sudo, "apt-get", "-o", "DPkg::Lock::Timeout=300", "install", "-y", "wrk"]
    if subprocess.run(install, check=False).returncode != 0:
        subprocess.run([*sudo, "apt-get", "update"], check=True)
        subprocess.run(install, check=True)


def prepare_database():
    """A new qmi_bench_http: migrate, cache table, demo data, a call with 10,000 applications."""
    if subprocess.run(["pg_isready", *PG, "-q"], check=False).returncode != 0:
        sys.exit("ERROR: no PostgreSQL on 127.0.0.1:5432 (user postgres, trust auth).")
    quiet = {**os.environ, "PGOPTIONS": "-c client_min_messages=warning"}
    subprocess.run(["dropdb", *PG, "--if-exists", "--force", DB_NAME], check=True, env=quiet)
    subprocess.run(["createdb", *PG, DB_NAME], check=True)
    call_command("migrate", verbosity=0)
    call_command("createcachetable")
    with open(os.devnull, "w") as devnull:
        call_command("load_demo", "--quiet-logins", stdout=devnull)
    call, draft = add_call_with_applications(APPLICATIONS)
    # The rows came in bulk: the planner's statistics must know them, as autovacuum's
    # ANALYZE would tell it on a server that has been running.
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    (WORK / "var").mkdir(parents=True, exist_ok=True)
    call_command("collectstatic", interactive=False, verbosity=0)
    return call, draft


def data_paths(call, draft):
    """What the pages below need from the database just built: addresses and their texts."""
    edition = Edition.objects.get(number=2)
    participation = (
        EditionCommune.objects.filter(edition=edition)
        .select_related("commune")
        .order_by("commune__name")
        .first()
    )
    draft = Application.objects.select_related("organisation").get(pk=draft.pk)
    data = {
        "edition_pk": edition.pk,
        "edition_slug": edition.slug,
        "edition_title": edition.title,
        "commune": f"/editions/{edition.slug}/communes/{participation.commune.slug}/",
        "district": participation.district or participation.commune.name,
        "calls": dict(Call.objects.values_list("slug", "title")),
        "call": call,
        "draft": draft,
        "examined": Application.objects.select_related("organisation").get(
            call=call, reference="BENCH-00001"
        ),
        "site_pages": list(SitePage.objects.order_by("slug").values_list("slug", "title")),
    }
    connections.close_all()
    return data


# Servers --------------------------------------------------------------------------------------


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen

    @property
    def base(self):
        return f"http://127.0.0.1:{self.port}"


SERVERS = []


def start_gunicorn(name, app, port, env, extra=()):
    """gunicorn with two sync workers on 127.0.0.1:`port`; its log stays in the work folder."""
    command = [
        str(VENV_BIN / "gunicorn"),
        app,
        *extra,
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--worker-class",
        "sync",
        "--control-socket",
        str(WORK / f"{name}.ctl"),
        "--error-logfile",
        str(WORK / f"{name}.log"),
    ]
    # Its output (Django's warnings among it) goes to its log, not to the report.
    with open(WORK / f"{name}.log", "ab") as log:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
    server = Server(name, port, process)
    SERVERS.append(server)
    probe = "/healthz" if app.startswith("qmi") else "/"
    for _ in range(120):
        if process.poll() is not None:
            log = (WORK / f"{name}.log").read_text(errors="replace")
            sys.exit(f"ERROR: gunicorn {name} stopped:\n{log[-3000:]}")
        try:
            with urllib.request.urlopen(server.base + probe, timeout=5) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    sys.exit(f"ERROR: gunicorn {name} did not answer on {server.base}{probe}")


def start_qmi(name, port):
    return start_gunicorn(name, "qmi.wsgi", port, {**os.environ, **SERVER_ENV})


def start_bare():
    env = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "bare.settings"}
    return start_gunicorn("bare", "bare.wsgi", PORT_BARE, env, ("--pythonpath", str(BENCH)))


def stop_servers():
    for server in SERVERS:
        if server.process.poll() is None:
            server.process.terminate()
    for server in SERVERS:
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.process.kill()
            server.process.wait()


# A browser made of the standard library -------------------------------------------------------


@dataclass
class Answer:
    status: int
    location: str
    text: str

    def shows(self, marker):
        """The page's text (entities decoded) contains `marker`."""
        return marker in html.unescape(self.text)


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Visitor:
    """One person's browser on one server: a cookie jar, and redirects left to the caller."""

    def __init__(self, base, jar=None):
        self.base = base
        self.jar = jar if jar is not None else http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), NoRedirect
        )

    def on(self, server):
        """The same person (same cookies) on another server."""
        return Visitor(server.base, self.jar)

    def request(self, path, data=None, headers=None):
        request = urllib.request.Request(self.base + path, data=data, headers=headers or {})
        try:
            with self.opener.open(request, timeout=60) as answer:
                return Answer(answer.status, "", answer.read().decode("utf-8", "replace"))
        except urllib.error.HTTPError as error:
            body = error.read().decode("utf-8", "replace")
            return Answer(error.code, error.headers.get("Location", ""), body)

    def get(self, path):
        return self.request(path)

    def post_form(self, path, fields):
        """POST urlencoded fields (the CSRF token among them), as a form without JS does."""
        body = urllib.parse.urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self.request(path, body, headers)

    def cookie(self, name):
        return next((cookie.value for cookie in self.jar if cookie.name == name), "")

    def cookie_header(self):
        """The cookies wrk sends: the session and the CSRF cookie."""
        pairs = [(name, self.cookie(name)) for name in ("sessionid", "csrftoken")]
        return "; ".join(f"{name}={value}" for name, value in pairs if value)


class FormReader(HTMLParser):
    """The fields each form of a page would submit, as (name, value) pairs, in order."""

    SKIPPED = {"submit", "button", "file", "reset", "image"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms = []
        self.textarea = None
        self.select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"attrs": attrs, "fields": []})
        elif self.forms and tag == "input":
            self._input(attrs)
        elif self.forms and tag == "textarea" and attrs.get("name"):
            self.textarea = [attrs["name"], ""]
        elif self.forms and tag == "select" and attrs.get("name"):
            self.select = {"name": attrs["name"], "options": [], "chosen": []}
        elif self.select is not None and tag == "option":
            self._option(attrs)

    def _input(self, attrs):
        kind = attrs.get("type", "text")
        if not attrs.get("name") or kind in self.SKIPPED:
            return
        if kind in {"checkbox", "radio"}:
            if "checked" not in attrs:
                return
            # A browser sends "on" for a checked box without a value.
            attrs.setdefault("value", "on")
        self.forms[-1]["fields"].append((attrs["name"], attrs.get("value") or ""))

    def _option(self, attrs):
        value = attrs.get("value", "")
        self.select["options"].append(value)
        if "selected" in attrs:
            self.select["chosen"].append(value)

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self.textarea is not None:
            name, value = self.textarea
            self.forms[-1]["fields"].append((name, value.removeprefix("\n")))
            self.textarea = None
        elif tag == "select" and self.select is not None:
            chosen = self.select["chosen"] or self.select["options"][:1]
            self.forms[-1]["fields"].extend((self.select["name"], value) for value in chosen)
            self.select = None


def form_with(page, field_name):
    """The fields of the page's first form that has `field_name`."""
    reader = FormReader()
    reader.feed(page.text)
    for form in reader.forms:
        if any(name == field_name for name, _ in form["fields"]):
            return list(form["fields"])
    raise LookupError(f"no form with a field {field_name!r}")


def log_in(server, email):
    """Log in through allauth's form (CSRF cookie, token, POST), following its redirects."""
    visitor = Visitor(server.base)
    page = visitor.get("/compte/login/")
    token = dict(form_with(page, "login"))["csrfmiddlewaretoken"]
    answer = visitor.post_form(
        "/compte/login/", {"csrfmiddlewaretoken": token, "login": email, "password": PASSWORD}
    )
    for _ in range(5):
        if answer.status not in (301, 302, 303):
            break
        answer = visitor.get(urllib.parse.urlsplit(answer.location).path or "/")
    if answer.status != 200 or not visitor.cookie("sessionid") or "/compte/login/" in answer.text:
        sys.exit(f"ERROR: logging in as {email} failed ({answer.status}): {answer.text[:500]}")
    return visitor


# Pages and their load -------------------------------------------------------------------------


@dataclass
class Page:
    group: str
    label: str
    path: str
    marker: str
    visitor: Visitor
    autosave: list = field(default_factory=list)  # the section form's fields, for a POST
    result: dict = field(default_factory=dict)
    problems: list = field(default_factory=list)


BOUNDARY = "----qmibenchAUTOSAVEboundary"


def multipart(fields):
    """A multipart/form-data body, as the page's `new FormData(form)` makes it."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields
    ]
    return "".join(parts) + f"--{BOUNDARY}--\r\n"


def autosave_fields(page_fields, value):
    """The section form's fields with the title answer set to `value`, and "keep my version".

    The page sends what it loaded (`original`, `base_version`) with each save. Sixteen
    connections saving one draft at once would be sixteen tabs in conflict (409): wrk
    sends what the page adds after "Garder ma version", `keep_version`, here above any
    version the draft will reach, so that each request saves a new answer (a real write,
    as when a person types) and none conflicts.
    """
    fields = [(name, value if name == "a_titre" else current) for name, current in page_fields]
    return [*fields, ("keep_version", "1000000000")]


def autosave_headers(page):
    return {
        "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
        "HX-Request": "true",
        "X-CSRFToken": page.visitor.cookie("csrftoken"),
    }


def fetch(page, tag):
    """One request as the person's browser: the answer the table's check is made of."""
    if page.autosave:
        body = multipart(autosave_fields(page.autosave, f"Titre {tag}")).encode()
        return page.visitor.request(page.path, body, autosave_headers(page))
    return page.visitor.get(page.path)


def check(page, when):
    answer = fetch(page, when)
    if answer.status != 200 or not answer.shows(page.marker):
        page.problems.append(
            f"{when}: {answer.status} {answer.location} without « {page.marker} »: "
            + re.sub(r"\s+", " ", answer.text)[:300]
        )
    return answer


def lua_string(text):
    """A Lua string literal: every byte outside printable ASCII as a decimal escape.

    Three digits always: Lua reads up to three, so "\\10" before a "1" would be "\\101".
    """
    escaped = "".join(
        chr(byte) if 32 <= byte < 127 and chr(byte) not in '"\\' else f"\\{byte:03d}"
        for byte in text.encode()
    )
    return f'"{escaped}"'


LUA_COMMON = """
local threads = {}
function setup(thread)
  table.insert(threads, thread)
  thread:set("id", #threads)
end
function init(args)
  bad, first_bad, n = 0, 0, 0
end
-- wrk counts 3xx as success: a session gone (302 to the log-in page) must not look fast.
function response(status, headers, body)
  if status < 200 or status > 299 then
    bad = bad + 1
    if first_bad == 0 then first_bad = status end
  end
end
function done(summary, latency, requests)
  local total, first = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    if first == 0 then first = thread:get("first_bad") end
  end
  local e = summary.errors
  io.write(string.format(
    "QMI_WRK requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f non2xx=%.0f " ..
    "first_bad=%.0f connect=%.0f read=%.0f write=%.0f timeout=%.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    total, first, e.connect, e.read, e.write, e.timeout))
end
"""


def lua_script(page):
    """wrk's script: the person's cookies, and for autosave a new answer in each request."""
    lines = []
    if page.visitor.cookie_header():
        lines.append(
            f"wrk.headers[{lua_string('Cookie')}] = {lua_string(page.visitor.cookie_header())}"
        )
    if page.autosave:
        lines.append('wrk.method = "POST"')
        lines.extend(
            f"wrk.headers[{lua_string(name)}] = {lua_string(value)}"
            for name, value in autosave_headers(page).items()
        )
        head, tail = multipart(autosave_fields(page.autosave, "\0")).split("\0")
        lines.append(f"local head, tail = {lua_string(head)}, {lua_string(tail)}")
        lines.append(
            "function request()\n  n = n + 1\n"
            '  return wrk.format(nil, nil, nil, head .. "Titre wrk " .. id .. "-" .. n .. tail)\n'
            "end"
        )
    return "\n".join(lines) + LUA_COMMON


def wrk(url, script, *, threads=2, connections=16, seconds=SECONDS):
    """Start wrk on `url` with `script` (`wrk_result` waits for it and reads its figures)."""
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += ["--timeout", "10s", "-s", str(script), url]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def wrk_result(process):
    output, _ = process.communicate(timeout=SECONDS + 60)
    line = next((line for line in output.splitlines() if line.startswith("QMI_WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no figures:\n{output}")
    figures = {key: float(value) for key, value in re.findall(r"(\w+)=([\d.]+)", line)}
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    figures["errors"] = sum(figures[key] for key in ("connect", "read", "write", "timeout"))
    return figures


def load(page, server):
    """Check the page, load it (after a short warm-up), check it again."""
    script = WORK / (re.sub(r"\W+", "-", f"{page.group}-{page.label}") + ".lua")
    script.write_text(lua_script(page))
    before = check(page, "before")
    wrk_result(wrk(server.base + page.path, script, seconds=WARMUP_SECONDS))
    page.result = wrk_result(wrk(server.base + page.path, script))
    after = check(page, "after")
    if page.result["non2xx"]:
        page.problems.append(
            f"wrk: {page.result['non2xx']:.0f} answers not 2xx (first: {page.result['first_bad']:.0f})"
        )
    if not page.result["requests"]:
        page.problems.append(f"wrk: no answer within the {SECONDS} s of the load")
    if page.result["errors"]:
        page.problems.append(f"wrk: {page.result['errors']:.0f} socket errors or timeouts")
    if page.autosave:
        saved = version_of(after) - version_of(before)
        if saved < page.result["requests"]:
            page.problems.append(
                f"autosave: {saved} versions for {page.result['requests']:.0f} requests"
            )


def version_of(answer):
    found = re.search(r'data-version="(\d+)"', answer.text)
    return int(found.group(1)) if found else 0


def pages_to_measure(data, anonymous, applicant, staff):
    """The pages of the table, by group, each with a text only the real page shows."""
    edition, calls = data["edition_slug"], data["calls"]
    call, draft, examined = data["call"], data["draft"], data["examined"]
    ami, projects = "qmi-2-ami", "qmi-2-appel-a-experimenter"
    section = f"/candidatures/{draft.pk}/sections/1/"
    public = [
        ("home", "/", "Les défis urbains prioritaires"),
        ("an edition", f"/editions/{edition}/", data["edition_title"]),
        ("a commune of the edition", data["commune"], data["district"]),
        ("the AMI (call to communes)", f"/appels/{ami}/", calls[ami]),
        ("a call for projects", f"/appels/{projects}/", calls[projects]),
        *(
            (f"footer: {title}", f"/{slug}/", f"<h1>{title}</h1>")
            for slug, title in data["site_pages"]
        ),
    ]
    mine = f"{call.title} · {draft.organisation.name} · {draft.reference}"
    applicant_pages = [
        ("Mes candidatures (my applications)", "/candidatures/", draft.reference),
        ("a section of the draft", section, mine),
        ("autosave (POST)", f"/candidatures/{draft.pk}/enregistrer/", "Enregistré à"),
    ]
    staff_pages = [
        ("dashboard « À faire »", "/gestion/", "Candidatures par appel"),
        ("calls list", "/gestion/appels/", call.title),
        (
            f"applications of the call ({APPLICATIONS:,})",
            f"/gestion/appels/{call.pk}/candidatures/",
            f"Candidatures — {call.title}",
        ),
        (
            "examination page of one application",
            f"/gestion/candidatures/{examined.pk}/",
            f"{examined.reference} — {examined.organisation.name}",
        ),
    ]
    pages = [
        Page(group, *spec, visitor)
        for group, specs, visitor in [
            ("public", public, anonymous),
            ("applicant", applicant_pages, applicant),
            ("staff", staff_pages, staff),
        ]
        for spec in specs
    ]
    autosave = next(page for page in pages if page.path.endswith("/enregistrer/"))
    autosave.autosave = form_with(applicant.get(section), "a_titre")
    return pages


def measure_bare(server):
    """The bare page's figures: the ceiling each QMI page is compared with."""
    page = Page("bare", "bare Django (20 KB)", "/", "bare-bench-page", Visitor(server.base))
    load(page, server)
    return page


# The report -----------------------------------------------------------------------------------


def ratio_of(page, bare_rps):
    return 100 * page.result["rps"] / bare_rps


def meets_target(page, bare_rps):
    return (
        ratio_of(page, bare_rps) >= TARGETS[page.group]
        and page.result["p99_us"] / 1000 < P99_LIMIT_MS
    )


def print_table(pages, bare_runs):
    bare_rps = statistics.mean(run.result["rps"] for run in bare_runs)
    header = (
        f"{'group':<10} {'page':<42} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} "
        f"{'vs bare':>8} {'target':>7}  ok"
    )
    print(header)
    print("-" * len(header))
    for run, when in zip(bare_runs, ("first", "last"), strict=True):
        row(run, f"bare Django, {when}", bare_rps, "", "")
    for page in pages:
        mark = "✓" if meets_target(page, bare_rps) else "✗"
        if page.problems:
            mark += " CONTENT CHECK FAILED"
        row(page, page.label, bare_rps, f"≥{TARGETS[page.group]} %", mark)
    print(
        f"vs bare: the page's req/s over the mean of the two bare Django runs "
        f"({bare_rps:.0f} req/s); ✓ = target met and p99 < {P99_LIMIT_MS} ms."
    )
    return bare_rps


def row(page, label, bare_rps, target, mark):
    result = page.result
    print(
        f"{page.group:<10} {label[:42]:<42} {result['rps']:>8.1f} {result['p50_us'] / 1000:>8.1f} "
        f"{result['p99_us'] / 1000:>8.1f} {ratio_of(page, bare_rps):>7.1f}% {target:>7}  {mark}"
    )


# Two instances --------------------------------------------------------------------------------


class Checks:
    """PASS/FAIL lines; any FAIL makes the exit code 1."""

    def __init__(self):
        self.failed = 0

    def report(self, ok, text):
        print(f"{'PASS' if ok else 'FAIL'} {text}")
        self.failed += not ok
        return ok


def set_edition_title(staff, edition_pk, title):
    """Change the edition's title through the back office's edit form, as a person does."""
    path = f"/gestion/editions/{edition_pk}/modifier/"
    fields = dict(form_with(staff.get(path), "title"))
    fields["title"] = title
    return staff.post_form(path, fields)


def two_instances(a, b, data, applicant, staff, checks):
    """A session opened on A works on B; an edit made through A shows on B's public page."""
    on_b = applicant.on(b).get("/candidatures/")
    checks.report(
        on_b.status == 200 and on_b.shows("BENCH-MINE"),
        f"a session opened on A ({a.base}) is honoured on B ({b.base}): /candidatures/ "
        f"answers {on_b.status} there with the applicant's draft BENCH-MINE",
    )
    public = f"/editions/{data['edition_slug']}/"
    old = data["edition_title"]
    new = f"Édition mesurée {secrets.token_hex(4)}"
    anonymous_b = Visitor(b.base)
    anonymous_b.get(public)  # B has the page (and whatever it caches) with the old title
    saved = set_edition_title(staff, data["edition_pk"], new)
    seen = anonymous_b.get(public)
    checks.report(
        saved.status == 302 and seen.status == 200 and seen.shows(new) and not seen.shows(old),
        f"the edition's title changed through the back office form on A ({saved.status}) "
        f"shows on {public} served by B ({seen.status}), the old title is gone",
    )
    restored = set_edition_title(staff, data["edition_pk"], old)
    seen = anonymous_b.get(public)
    checks.report(
        restored.status == 302 and seen.shows(old) and not seen.shows(new),
        f"the original title, restored through A ({restored.status}), shows again on B",
    )


def both_at_once(a, b, page_path, checks):
    """One public page loaded on A and on B at the same time: two wrk, 8 connections each."""
    page = Page("public", "both", page_path, "", Visitor(a.base))
    script = WORK / "both.lua"
    script.write_text(lua_script(page))
    runs = [wrk(server.base + page_path, script, threads=1, connections=8) for server in (a, b)]
    results = [wrk_result(run) for run in runs]
    for server, result in zip((a, b), results, strict=True):
        print(
            f"   {server.name} {page_path}: {result['rps']:.1f} req/s, p50 "
            f"{result['p50_us'] / 1000:.1f} ms, p99 {result['p99_us'] / 1000:.1f} ms"
        )
    print(
        f"   together: {sum(r['rps'] for r in results):.1f} req/s (wrk -t1 -c8 on each, at "
        f"the same time; both instances share this machine's {os.cpu_count()} cores)"
    )
    errors = sum(r["non2xx"] + r["errors"] for r in results)
    checks.report(errors == 0, f"A and B loaded together: {errors:.0f} answer(s) other than 2xx")


# Lighthouse, written elsewhere ----------------------------------------------------------------


def lighthouse(base, paths):
    """bench/lighthouse.py's run(base_url, paths), when that file exists."""
    path = BENCH / "lighthouse.py"
    if not path.exists():
        print("Lighthouse: not available (no bench/lighthouse.py).")
        return
    spec = importlib.util.spec_from_file_location("qmi_bench_lighthouse", path)
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
        module.run(base, paths)
    except Exception:
        print("Lighthouse: bench/lighthouse.py failed:")
        traceback.print_exc(file=sys.stdout)


# Main -----------------------------------------------------------------------------------------


def describe_setup(load_before):
    cache = settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1]
    if not REDIS_SERVER:
        redis = "no Redis on 127.0.0.1:6379: database cache"
    elif not REDIS_CLIENT:
        redis = "Redis answers but the venv lacks the redis client package: database cache"
    else:
        redis = "Redis db 5, flushed at start"
    print(
        f"QMI bench HTTP — {time.strftime('%Y-%m-%d %H:%M')}, commit {git_commit()}, "
        f"{os.cpu_count()} cores, PostgreSQL {DB_NAME}"
    )
    print(
        f"cache {cache} ({redis}), sessions {settings.SESSION_ENGINE}, gunicorn 2 workers sync, "
        f"wrk -t2 -c16 -d{SECONDS}s --latency after a {WARMUP_SECONDS} s warm-up"
    )
    # Other work on the machine takes cores from gunicorn: the figures are only comparable
    # between runs on an otherwise idle machine.
    print(
        f"load average (1 min): {load_before:.2f} before the run, "
        f"{os.getloadavg()[0]:.2f} after the last page"
    )
    if load_before > (os.cpu_count() or 1) / 2:
        print("WARNING: the machine was busy before the run; these figures understate QMI.")


def git_commit():
    answer = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
    )
    return answer.stdout.strip() or "?"


def measure_pages(a, bare, data):
    anonymous = Visitor(a.base)
    applicant = log_in(a, APPLICANT)
    staff = log_in(a, OPERATOR)
    pages = pages_to_measure(data, anonymous, applicant, staff)
    bare_runs = [measure_bare(bare)]
    for page in pages:
        print(f"-- {page.group}: {page.label} ({page.path})", flush=True)
        load(page, a)
    bare_runs.append(measure_bare(bare))
    return pages, bare_runs, applicant, staff


def report_problems(pages, checks):
    for page in pages:
        for problem in page.problems:
            checks.report(False, f"{page.label} ({page.path}) — {problem}")
    if not any(page.problems for page in pages):
        checks.report(
            True, f"the {len(pages)} pages answered 200 with their content, before and after"
        )


def main():
    started = time.monotonic()
    load_before = os.getloadavg()[0]
    ensure_wrk()
    print(
        f"-- database {DB_NAME}: migrate, createcachetable, load_demo, "
        f"{APPLICATIONS:,} applications, collectstatic",
        flush=True,
    )
    call, draft = prepare_database()
    data = data_paths(call, draft)
    a = start_qmi("A", PORT_A)
    bare = start_bare()
    checks = Checks()
    pages, bare_runs, applicant, staff = measure_pages(a, bare, data)
    print()
    describe_setup(load_before)
    print_table(pages, bare_runs)
    print()
    report_problems(pages, checks)
    print("-- two instances (same PostgreSQL, same cache)")
    b = start_qmi("B", PORT_B)
    two_instances(a, b, data, applicant, staff, checks)
    both_at_once(a, b, f"/editions/{data['edition_slug']}/", checks)
    print()
    lighthouse(a.base, [page.path for page in pages if page.group == "public"])
    print(f"Total {time.monotonic() - started:.0f} s; database {DB_NAME} left in place.")
    return 1 if checks.failed else 0


def stop(signum, frame):
    raise SystemExit(128 + signum)


if __name__ == "__main__":
    signal.signal(signal.SIGTERM, stop)
    try:
        sys.exit(main())
    finally:
        stop_servers()
        shutil.rmtree(WORK, ignore_errors=True)
