"""Anonymous public pages served from the cache, per language, until what they show changes.

Why: the public pages are read far more often than they change (a new phase, call or
publication a few times a month), and rendering one costs tens of milliseconds of ORM
and template work. A page is kept once per address and language and served again to
every anonymous visitor, at the cost of one cache read.

- What is cached: GET and HEAD answers (200) of views marked `@public_page`, asked by a
  visitor who carries no cookie but the CSRF and language ones: a session (someone
  logged in, or a pending message) always gets a page rendered for them.
- The CSRF token is never cached: the page is rendered with a placeholder that each
  answer replaces with the visitor's own token.
- Invalidation: one version for all public pages (core.versions), bumped when a model
  registered with `watch()` is saved or deleted (on commit too, so a request cannot
  cache the state just before a commit). Every process reads the version from the
  shared cache (Redis or the database), so a change made through one server is seen
  by all.
- Each process keeps its own copies, in its memory: a new process (a deploy) may run
  other templates and settings, and never serves a page rendered by the code it
  replaced. A hit reads one small value from the shared cache, the version, instead of
  the whole page; at most PAGES_PER_PROCESS pages are kept (the oldest go first).
- Pages that follow the clock (a call that closes, "3 jours restants") live at most
  QMI_PUBLIC_CACHE_SECONDS (60 s by default; 0 turns the cache off).
- Each answer carries an ETag (the page's content and the visitor's CSRF secret) and
  Last-Modified; a matching If-None-Match gets 304 Not Modified.
"""

import functools
import hashlib
import time
import uuid

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpResponse, HttpResponseNotModified
from django.middleware.csrf import CsrfViewMiddleware
from django.urls import Resolver404, resolve
from django.utils.cache import patch_cache_control
from django.utils.http import http_date, quote_etag

from qmi.core import versions
from qmi.core.csrf import PLACEHOLDER, with_token
from qmi.core.memory import Memory

# The version of what the public pages show: the programme's content (editions, phases,
# communes, challenges, calls). Back-office pages that show the same may be kept under it.
CONTENT = "programme-content"
_process = {"id": uuid.uuid4().hex, "settings": 0}
# Pages kept in this process, by (language, address): 500 pages of 25 KB in two languages
# are 25 MB per worker; a site with more addresses renders the least recent again.
PAGES_PER_PROCESS = 1000
_pages = Memory(PAGES_PER_PROCESS)
CACHE_HEADER = "X-QMI-Cache"


def public_page(view):
    """Mark a view whose anonymous answer is the same for every anonymous visitor."""
    view.public_page = True
    return view


def _settings_changed(**_kwargs):
    # Tests change settings between two requests, as a deploy does between two processes.
    _process["settings"] += 1
    _is_public.cache_clear()


setting_changed.connect(_settings_changed, dispatch_uid="public-cache-settings")


def watch(*models):
    """Public pages show these models: saving or deleting one bumps the version."""
    versions.watch(CONTENT, *models)


def watched_models():
    return versions.watched(CONTENT)


def _language(request):
    """The anonymous visitor's language, as core.middleware.LanguageMiddleware chooses it."""
    language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return language if language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def _eligible(request):
    if not settings.QMI_PUBLIC_CACHE_SECONDS or request.method not in ("GET", "HEAD"):
        return False
    if request.headers.get("HX-Request"):
        return False
    allowed = {settings.CSRF_COOKIE_NAME, settings.LANGUAGE_COOKIE_NAME}
    if not all(name in allowed for name in request.COOKIES):
        return False
    return _is_public(request.path_info)


@functools.lru_cache(maxsize=4096)
def _is_public(path):
    """Whether `path` leads to a `@public_page` view (URLs do not change while a process runs)."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    return getattr(match.func, "public_page", False)


def process_id():
    """This process and its settings: kept pages are never shared with another code."""
    return f"{_process['id']}.{_process['settings']}"


def _page_key(request):
    return (_language(request), request.get_full_path())


def _kept(key, version):
    """The page kept under `key` for `version` (at most QMI_PUBLIC_CACHE_SECONDS old)."""
    entry = _pages.get(key)
    return entry if entry is not None and entry["version"] == version else None


# Headers the cached copy does not keep: each answer sets its own.
OWN_HEADERS = {"content-length", "etag", "last-modified", "cache-control", "expires"}


class PublicPageCacheMiddleware:
    """Serve and store the anonymous answers of `@public_page` views (see the module).

    It sits early (after static files): a page found in the cache is answered without
    the session, authentication, messages and the view. The headers that the later
    middleware added to the stored copy are kept with it; the CSRF middleware's own
    methods read the visitor's token and set its cookie.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not _eligible(request):
            return self.get_response(request)
        key = _page_key(request)
        version = versions.current(CONTENT)[0]
        entry = _kept(key, version)
        if entry is not None:
            self.csrf.process_request(request)
            return self.csrf.process_response(request, _answer(request, entry, "hit"))
        # Templates get the placeholder instead of a token (core.context_processors).
        request.csrf_placeholder = True
        response = self.get_response(request)
        if not _storable(request, response):
            # Not kept (a 404, a page that set a cookie): it still gets the visitor's token.
            if not response.streaming and PLACEHOLDER.encode() in response.content:
                response.content = with_token(request, response.content)
                response = self.csrf.process_response(request, response)
            return response
        entry = {
            "version": version,
            "body": response.content,
            "headers": [
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in OWN_HEADERS
            ],
            "digest": hashlib.sha256(response.content).hexdigest()[:20],
            "stored": time.time(),
        }
        _pages.set(key, entry, settings.QMI_PUBLIC_CACHE_SECONDS)
        answer = _answer(request, entry, "miss")
        answer.cookies = response.cookies
        return self.csrf.process_response(request, answer)


def _storable(request, response):
    if response.status_code != 200 or response.streaming:
        return False
    # A new CSRF cookie is the visitor's own; any other cookie makes the page theirs too.
    if any(name != settings.CSRF_COOKIE_NAME for name in response.cookies):
        return False
    if versions.in_transaction():  # see core.versions.remember
        return False
    return "no-store" not in response.get("Cache-Control", "")


def _answer(request, entry, state):
    body = with_token(request, entry["body"])
    etag = entry["digest"]
    if body is not entry["body"]:  # a token was put in: the tag is the visitor's too
        secret = request.META.get("CSRF_COOKIE", "")
        etag += "-" + hashlib.sha256(secret.encode()).hexdigest()[:8]
    etag = quote_etag(etag)
    if _matches(request.headers.get("If-None-Match", ""), etag):
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(body)
        for name, value in entry["headers"]:
            response[name] = value
    response["ETag"] = etag
    response["Last-Modified"] = http_date(entry["stored"])
    response[CACHE_HEADER] = state
    # Per visitor (their CSRF token): browsers keep it and ask again, proxies do not keep it.
    patch_cache_control(response, private=True, no_cache=True)
    return response


def _matches(header, etag):
    if not header:
        return False
    if header.strip() == "*":
        return True
    return etag in (tag.strip().removeprefix("W/") for tag in header.split(","))
