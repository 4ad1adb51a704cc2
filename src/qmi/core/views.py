import json
import logging

from django.conf import settings
from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import connection
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST


def _database_problem():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return "database unavailable"
    return None


def _static_manifest_problem():
    """With a manifest storage (production), no page renders without the collected manifest."""
    try:
        # The storage reads its manifest when first touched: a broken one raises here already.
        if not isinstance(staticfiles_storage, ManifestFilesMixin):
            return None
        paths, _hash = staticfiles_storage.load_manifest()
    except (OSError, ValueError):
        return "static files manifest unreadable (run collectstatic)"
    if not paths:
        return "static files manifest missing (run collectstatic)"
    if not staticfiles_storage.hashed_files:
        # This process looked for the manifest before collectstatic wrote it.
        return "static files manifest not loaded by this process (restart it after collectstatic)"
    return None


@never_cache
def healthz(request):
    """Plain text for probes: "ok", or 503 and what is missing, one line each."""
    problems = [problem for problem in (_database_problem(), _static_manifest_problem()) if problem]
    if problems:
        body = "not ready\n" + "".join(f"{problem}\n" for problem in problems)
        return HttpResponse(body, status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")


@require_POST
def set_language(request):
    """Switch the interface language; a logged-in person's choice is kept for their e-mails."""
    language = request.POST.get("language", "")
    target = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    response = HttpResponseRedirect(target)
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            secure=request.is_secure(),
        )
        if request.user.is_authenticated and request.user.language != language:
            request.user.language = language
            request.user.save(update_fields=["language"])
    return response


MAX_CSP_REPORT_BYTES = 16 * 1024
csp_logger = logging.getLogger("qmi.csp")


@csrf_exempt
@require_POST
def csp_report(request):
    """Browsers post here what the Content-Security-Policy blocked; it is logged, not stored."""
    if len(request.body) > MAX_CSP_REPORT_BYTES:
        return HttpResponse(status=413)
    try:
        report = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        return HttpResponseBadRequest("invalid report", content_type="text/plain")
    if not isinstance(report, dict | list):
        return HttpResponseBadRequest("invalid report", content_type="text/plain")
    csp_logger.warning("CSP violation: %s", json.dumps(report)[:2000])
    return HttpResponse(status=204)
