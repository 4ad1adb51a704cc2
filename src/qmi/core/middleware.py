from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CSPMiddleware
from django.conf import settings
from django.http import Http404, HttpResponse
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.defaults import page_not_found

from qmi.core.public_cache import process_id


def tile_origin(tile_url):
    """The origin of an https tile URL template ({s} subdomains as a wildcard), or ""."""
    if not tile_url.startswith("https://"):
        return ""
    return "https://" + tile_url.split("/")[2].replace("{s}", "*")


# What a view or a template can do to the policy of one answer (django-csp).
_PER_ANSWER = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    """django-csp's policy (settings.CONTENT_SECURITY_POLICY), plus the map tiles' origin.

    The origin follows QMI_MAP_TILE_URL as it is when the request is answered.
    The policy of an answer that uses no nonce and no per-view change is the same
    for every such answer: it is built once for the settings in force (building it
    costs about 0.1 ms, a sixth of a cached public page).
    """

    def __init__(self, get_response):
        super().__init__(get_response)
        self.plain = {}

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            hasattr(response, name) for name in _PER_ANSWER
        ):
            return super().process_response(request, response)
        if response.status_code in (404, 500) and settings.DEBUG:
            return response
        excluded = tuple(settings.CONTENT_SECURITY_POLICY.get("EXCLUDE_URL_PREFIXES") or ())
        # The process id changes with the settings (tests): a policy built before is built again.
        key = (request.path_info.startswith(excluded), process_id())
        headers = self.plain.get(key)
        if headers is None:
            probe = super().process_response(request, HttpResponse())
            headers = self.plain[key] = [
                (name, probe[name]) for name in (HEADER, HEADER_REPORT_ONLY) if name in probe
            ]
        for name, value in headers:
            response.headers.setdefault(name, value)
        return response

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only=report_only)
        origin = tile_origin(settings.QMI_MAP_TILE_URL)
        if origin and not report_only:
            update = dict(parts.update or {})
            update["img-src"] = [*update.get("img-src", []), origin]
            parts.update = update
        return parts


class LanguageMiddleware:
    """French first: the language is the person's explicit choice, never the browser's guess.

    Order: the language switch's cookie, then the profile of a logged-in person,
    then French. Django's LocaleMiddleware would follow Accept-Language instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.available:
            user = getattr(request, "user", None)
            language = getattr(user, "language", "") if user and user.is_authenticated else ""
        if language not in self.available:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        patch_vary_headers(response, ["Cookie"])
        response.headers.setdefault("Content-Language", language)
        return response


class RequestSizeMiddleware:
    """Answer 413 to a request that declares a body larger than QMI_MAX_REQUEST_MB.

    It runs before anything reads the body (CSRF, sessions, forms), so an oversized
    upload is refused at once instead of after it has been received and parsed.
    Django's DATA_UPLOAD_MAX_MEMORY_SIZE leaves files out; the proxy's own limit
    (client_max_body_size) is the first barrier, this one holds without it.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.QMI_MAX_REQUEST_MB * 1024 * 1024
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            # No session nor user yet: a page that needs neither, in French and English.
            page = render_to_string("413.html", {"max_mb": settings.QMI_MAX_REQUEST_MB})
            return HttpResponse(page, status=413)
        return self.get_response(request)


class PrivatePagesMiddleware:
    """A page answered to a logged-in person is theirs: `Cache-Control: private, no-store`.

    Every page of a logged-in person shows something of theirs (at least the header
    with their name and counters), so no shared cache may keep it and the browser's
    back button asks the server again instead of showing a stale page (a file shown
    as a draft after it was submitted). One place instead of a decorator per view:
    no personal page can be forgotten. Pages answered to anonymous visitors are left
    alone and stay cacheable, and so is any response whose view chose its own
    Cache-Control (the public GeoJSON, for example).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


class ProductNotFoundPageMiddleware:
    """With DEBUG on (`make run`), a page not found shows the product's 404, not Django's.

    Django's technical 404 is English and lists every URL pattern; the demo is what
    people try the platform with. Server errors keep Django's debug page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.DEBUG
            and response.status_code == 404
            and response.get("Content-Type", "").startswith("text/html")
            and not getattr(response, "qmi_product_page", False)
        ):
            response = page_not_found(request, Http404())
            response.qmi_product_page = True
        return response
