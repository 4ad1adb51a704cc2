"""The cached pages' CSRF tokens: Django's own secret and masking, drawn faster."""

import pytest
from django.middleware.csrf import (
    CSRF_ALLOWED_CHARS,
    CSRF_SECRET_LENGTH,
    CSRF_TOKEN_LENGTH,
    _unmask_cipher_token,
)
from django.test import RequestFactory

from qmi.core.csrf import get_token, random_chars


def test_random_characters_are_of_the_allowed_set_and_length():
    drawn = [random_chars(CSRF_SECRET_LENGTH) for _ in range(200)]
    assert all(len(chars) == CSRF_SECRET_LENGTH for chars in drawn)
    assert set("".join(drawn)) <= set(CSRF_ALLOWED_CHARS)
    # 6,400 draws over 62 characters: every character comes up (a biased or stuck
    # generator would leave some out).
    assert set("".join(drawn)) == set(CSRF_ALLOWED_CHARS)
    assert len(set(drawn)) == len(drawn)


def test_a_token_unmasks_to_the_request_s_secret_and_differs_each_time():
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret = random_chars(CSRF_SECRET_LENGTH)
    first, second = get_token(request), get_token(request)
    assert len(first) == CSRF_TOKEN_LENGTH and first != second
    assert _unmask_cipher_token(first) == _unmask_cipher_token(second) == secret
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"] is True


@pytest.mark.parametrize("cookie", [None, "present"])
def test_a_request_without_a_secret_gets_one_for_its_cookie(cookie):
    request = RequestFactory().get("/")
    if cookie:
        request.META["CSRF_COOKIE"] = random_chars(CSRF_SECRET_LENGTH)
    token = get_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
