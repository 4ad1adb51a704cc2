from django.conf import settings


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
