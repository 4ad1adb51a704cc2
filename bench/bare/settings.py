"""The least Django needs to answer one URL, DEBUG off: no apps, no middleware, no database.

Served by gunicorn with the options QMI gets in `bench/http_load.py`, it shows what the
machine, gunicorn and Django's request handling cost by themselves; each QMI page is
reported as a share of it.
"""

DEBUG = False
SECRET_KEY = "bench-bare-not-a-secret"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
ROOT_URLCONF = "bare.urls"
WSGI_APPLICATION = "bare.wsgi.application"
INSTALLED_APPS = []
MIDDLEWARE = []
DATABASES = {}
USE_TZ = True
