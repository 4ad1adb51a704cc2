"""Working pages kept per session until anything they could show changes, a minute at most.

Why: the pages people reload all day (« Mes candidatures », a draft's section, the
back office, a call's list of applications, a file being examined) cost tens of
milliseconds of queries and templates, and most reloads find nothing changed.

- A page is kept for one session (one person, their second factor, their chosen
  columns), per address and language, after the view's own permission checks ran:
  `@kept_for_session` goes under `login_required` or `backoffice_required`.
- It depends on every named version (core.versions): any watched model saved or
  deleted anywhere (an application, a message, an audit entry — every service writes
  one) renders it anew, and so does the next minute (deadlines, "dans 3 jours").
- Never kept: a page that shows or adds a message (« Le dossier est déclaré
  complet. »), a page that sets a cookie, an htmx fragment, anything but GET/HEAD.
- The CSRF token is a placeholder in the kept copy; each answer gets the person's.
- Each process keeps its pages in its own memory (core.memory), checked against the
  versions, which Redis tells every process about without a round trip (core.cache).
"""

import functools
import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.http import HttpResponse

from qmi.core import versions
from qmi.core.csrf import with_token
from qmi.core.memory import Memory

KEPT_SECONDS = 120
# Pages kept in this process's memory (core.memory): 500 pages of 40 KB are 20 MB a worker.
PAGES_PER_PROCESS = 500
_pages = Memory(PAGES_PER_PROCESS)
HEADER = "X-QMI-Kept"


def _keepable(request):
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return False
    session = getattr(request, "session", None)
    if session is None or session.session_key is None or SESSION_KEY not in session:
        return False
    # A message waiting to be shown makes the page the one that shows it.
    return "messages" not in request.COOKIES and "_messages" not in session


def _key(request):
    return (request.session.session_key, request.LANGUAGE_CODE, request.get_full_path())


def _storable(request, response):
    if response.status_code != 200 or response.streaming or response.cookies:
        return False
    messages = getattr(request, "_messages", None)
    if messages is not None and (messages.used or messages._queued_messages):
        return False
    return not request.session.modified and not versions.in_transaction()


def kept_for_session(view):
    """Keep the view's GET answers for the session (see the module)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not settings.QMI_KEPT_PAGES or not _keepable(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        names = versions.names()
        minute = int(time.time() // 60)
        current = (minute, *versions.current(*names))
        entry = _pages.get(key)
        if entry is not None and entry["versions"] == current:
            response = HttpResponse(
                with_token(request, entry["body"]), content_type=entry["content_type"]
            )
            response[HEADER] = "hit"
            return response
        request.csrf_placeholder = True
        response = view(request, *args, **kwargs)
        if response.streaming or not hasattr(response, "content"):
            return response
        if _storable(request, response):
            entry = {
                "versions": current,
                "body": response.content,
                "content_type": response["Content-Type"],
            }
            _pages.set(key, entry, KEPT_SECONDS)
            response[HEADER] = "miss"
        response.content = with_token(request, response.content)
        return response

    return wrapper
