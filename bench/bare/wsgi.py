"""WSGI entry point of the bare project (`gunicorn bare.wsgi`, with bench/ on the path)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bare.settings")
application = get_wsgi_application()
