"""Django's CSRF token, drawn with one read of the system's randomness instead of 64.

Why: django.middleware.csrf.get_token draws each of its 32 to 64 characters with its
own call to the system's random source; on a page served from the cache that was a
fifth of the answer's time. The token is Django's own: the same secret in the same
cookie, the same masking, checked by Django's CsrfViewMiddleware as any other.
"""

import os

from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH

# Stands for the token in a page kept for others (core.public_cache, core.kept_pages);
# it survives HTML escaping unchanged, so it can stand in {{ csrf_token }} and {% csrf_token %}.
PLACEHOLDER = "qmi-csrf-token-placeholder-5b1f0e7c"
_PLACEHOLDER = PLACEHOLDER.encode()

_INDEX = {char: index for index, char in enumerate(CSRF_ALLOWED_CHARS)}
_BASE = len(CSRF_ALLOWED_CHARS)
# Bytes below this bound fall evenly on the characters (rejection sampling, no bias).
_BOUND = 256 - 256 % _BASE


def random_chars(length):
    chars = []
    while len(chars) < length:
        for byte in os.urandom(length * 2):
            if byte < _BOUND:
                chars.append(CSRF_ALLOWED_CHARS[byte % _BASE])
                if len(chars) == length:
                    break
    return "".join(chars)


def get_token(request):
    """As django.middleware.csrf.get_token: a masked token of the request's secret.

    A request without a secret gets a new one, which CsrfViewMiddleware sets as its
    cookie; one with a secret has its cookie sent again (its expiry renewed).
    """
    secret = request.META.get("CSRF_COOKIE")
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_chars(CSRF_SECRET_LENGTH)
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True
    mask = random_chars(CSRF_SECRET_LENGTH)
    cipher = "".join(
        CSRF_ALLOWED_CHARS[(_INDEX[s] + _INDEX[m]) % _BASE]
        for s, m in zip(secret, mask, strict=True)
    )
    return mask + cipher


def with_token(request, body):
    """`body` with the person's own token in place of the placeholder, if it has one."""
    if _PLACEHOLDER not in body:
        return body
    return body.replace(_PLACEHOLDER, get_token(request).encode())
