"""Oversized requests are refused from their Content-Length, before the body is read."""

import io

import pytest
from django.test import Client

MB = 1024 * 1024


class UnreadBody(io.RawIOBase):
    """A request body that records whether anything read it."""

    def __init__(self):
        self.read_bytes = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        self.read_bytes += len(buffer)
        buffer[:1] = b"x"
        return 1


@pytest.mark.django_db
def test_a_60_mb_upload_is_refused_before_its_body_is_read(settings):
    settings.QMI_MAX_REQUEST_MB = 20
    body = UnreadBody()
    response = Client().generic(
        "POST",
        "/candidatures/1/documents/",
        content_type="multipart/form-data; boundary=x",
        CONTENT_LENGTH=str(60 * MB),
        **{"wsgi.input": body},
    )
    assert response.status_code == 413
    assert body.read_bytes == 0
    html = response.content.decode()
    assert "Envoi trop volumineux" in html and "20 Mo" in html
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_requests_within_the_limit_go_through(client, settings):
    settings.QMI_MAX_REQUEST_MB = 1
    response = client.post("/langue/", {"language": "en", "pad": "x" * 1000})
    assert response.status_code == 302


@pytest.mark.parametrize("length", ["", "abc", "-5"])
@pytest.mark.django_db
def test_a_missing_or_odd_content_length_is_left_to_django(length):
    response = Client().generic("POST", "/langue/", b"", CONTENT_LENGTH=length)
    assert response.status_code != 413
