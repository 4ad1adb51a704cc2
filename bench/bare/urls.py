"""One URL: a 20 KB HTML page, about the size of a QMI page's HTML."""

from django.http import HttpResponse
from django.urls import path

MARKER = "bare-bench-page"
HEAD = f"<!doctype html><html lang=fr><title>{MARKER}</title><p>{MARKER}</p>\n".encode()
BODY = HEAD + b"x" * (20 * 1024 - len(HEAD))


def page(request):
    return HttpResponse(BODY, content_type="text/html; charset=utf-8")


urlpatterns = [path("", page)]
