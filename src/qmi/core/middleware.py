from django.conf import settings


class ContentSecurityPolicyMiddleware:
    """A CSP with no inline script: HTMX and Leaflet run from vendored static files."""

    def __init__(self, get_response):
        self.get_response = get_response
        tiles = settings.QMI_MAP_TILE_URL
        tile_origin = ""
        if tiles.startswith("https://"):
            host = tiles.split("/")[2].replace("{s}", "*")
            tile_origin = f" https://{host}"
        self.policy = "; ".join(
            [
                "default-src 'self'",
                "script-src 'self'",
                "style-src 'self'",
                f"img-src 'self' data:{tile_origin}",
                "connect-src 'self'",
                "font-src 'self'",
                "object-src 'none'",
                "base-uri 'self'",
                "form-action 'self'",
                "frame-ancestors 'none'",
            ]
        )

    def __call__(self, request):
        response = self.get_response(request)
        # The Django admin ships inline scripts of its own; it is for support staff only.
        if not request.path.startswith("/admin/"):
            response.headers.setdefault("Content-Security-Policy", self.policy)
        return response


class LanguageMiddleware:
    """French first: the language is the person's explicit choice, never the browser's guess.

    Order: the language switch's cookie, then the profile of a logged-in person,
    then French. Django's LocaleMiddleware would follow Accept-Language instead.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        from django.utils import translation
        from django.utils.cache import patch_vary_headers

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
