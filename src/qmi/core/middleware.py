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
