"""Settings for QMI, every one read from the environment with a safe default.

The defaults make a newcomer's `make run` work with nothing installed (SQLite,
files under var/, e-mails written to var/mail); production sets the variables
listed in the README.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = PACKAGE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("QMI_VAR_DIR", BASE_DIR / "var"))


def env(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "oui"}


def env_list(name, default=""):
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("QMI_DEBUG", False)

SECRET_KEY = env("QMI_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("QMI_SECRET_KEY must be set when QMI_DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-debug-mode"

# Behind a reverse proxy, the client's address is the last one it adds to X-Forwarded-For:
# log-in throttling and public-form limits count per client, not per proxy.
BEHIND_PROXY = env_bool("QMI_BEHIND_PROXY", False)
ALLAUTH_TRUSTED_PROXY_COUNT = int(env("QMI_TRUSTED_PROXY_COUNT", "1" if BEHIND_PROXY else "0"))

ALLOWED_HOSTS = env_list("QMI_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("QMI_CSRF_TRUSTED_ORIGINS")
SITE_URL = env("QMI_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_countries",
    "django_htmx",
    "django_tasks",
    "django_tasks_db",
    "qmi.core",
    "qmi.mail",
    "qmi.accounts",
    "qmi.programmes",
    "qmi.messaging",
    "qmi.events",
    "qmi.calls",
    "qmi.review",
    "qmi.allocation",
    "qmi.experiments",
    "qmi.showcase",
    "qmi.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Anonymous public pages from the cache, with the headers of the middleware below
    # kept in the stored copy (core.public_cache).
    "qmi.core.public_cache.PublicPageCacheMiddleware",
    "qmi.core.middleware.ContentSecurityPolicyMiddleware",
    "qmi.core.middleware.RequestSizeMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "qmi.accounts.second_factor.SecondFactorMiddleware",
    "qmi.core.middleware.PrivatePagesMiddleware",
    "qmi.core.middleware.LanguageMiddleware",
    "qmi.core.middleware.ProductNotFoundPageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
]

ROOT_URLCONF = "qmi.urls"
WSGI_APPLICATION = "qmi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "qmi.portal.context_processors.platform",
                "qmi.core.context_processors.csrf_placeholder",
            ],
            # French dates in one style (« 1er octobre »): replaces Django's `date` filter.
            "builtins": ["qmi.core.templatetags.qmi_dates"],
        },
    },
    {
        # E-mails are plain text: no HTML escaping of what they quote (see mail.services).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False, "builtins": ["qmi.core.templatetags.qmi_dates"]},
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{VAR_DIR / 'qmi.sqlite3'}"),
        conn_max_age=int(env("QMI_DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several requests and the task worker share the file: wait rather than fail.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FORMS_URLFIELD_ASSUME_HTTPS = True

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    "qmi.accounts.backends.SecondFactorModelBackend",
    "qmi.accounts.backends.AccountBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "showcase:home"

# django-allauth: e-mail login, mandatory verification, rate limits, TOTP.
ACCOUNT_ADAPTER = "qmi.portal.adapter.PortalAccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
# A person signing up with a known address is told so next to the field
# rather than receiving a silent e-mail: the programme's users asked for clarity.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[QMI] "
ACCOUNT_SESSION_REMEMBER = None
# Wrong passwords count per client and address (see accounts.adapter), with a ceiling
# per address across clients; past it, the log-in code sent by e-mail still works.
ACCOUNT_RATE_LIMITS = {
    "login_failed": env("QMI_LOGIN_FAILED_RATE", "10/m/ip,5/5m/key"),
    "login_failed_account": env("QMI_LOGIN_FAILED_ACCOUNT_RATE", "30/h/key"),
}
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
# The code leaves through the outbox and its worker: leave it time to arrive.
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 15 * 60
ACCOUNT_SIGNUP_FORM_CLASS = "qmi.accounts.forms.SignupExtraForm"
# Password reset gives the same answer whether or not the address has an account.
ACCOUNT_FORMS = {"reset_password": "qmi.accounts.password_reset.SameAnswerResetPasswordForm"}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "QMI"
# Staff roles (operator, Métropole, superusers, the admin) give nothing until the session
# was authenticated with the second factor (TOTP): see qmi.accounts.second_factor.
QMI_STAFF_MFA_REQUIRED = env_bool("QMI_STAFF_MFA_REQUIRED", True)
# Lets `make run` exempt the fictional demo accounts (and only them) from that rule.
QMI_DEMO_MFA_EXEMPT = env_bool("QMI_DEMO_MFA_EXEMPT", False)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("Français")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Europe/Paris"
# Per-language date and time formats (French hours read « 14 h 32 »).
FORMAT_MODULE_PATH = ["qmi.formats"]
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# The project-wide static folder (vendored libraries, stylesheet) belongs to no app.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
# Documents are confidential: no MEDIA_URL is served; files go through permission-checked views.
MEDIA_URL = "/media-not-served/"
# Uploads bigger than 2.5 MB wait here while being received (`*.upload*` files). A
# folder of their own: `manage.py sweep_files` deletes what a killed worker left
# there, and must never touch anyone else's temporary files. Created at start-up.
FILE_UPLOAD_TEMP_DIR = str(Path(env("QMI_UPLOAD_TEMP_DIR") or VAR_DIR / "tmp" / "uploads"))

if env("QMI_S3_BUCKET"):
    default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("QMI_S3_BUCKET"),
            "endpoint_url": env("QMI_S3_ENDPOINT_URL") or None,
            "region_name": env("QMI_S3_REGION") or None,
            "access_key": env("QMI_S3_ACCESS_KEY") or None,
            "secret_key": env("QMI_S3_SECRET_KEY") or None,
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    default_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": default_storage,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

EMAIL_BACKEND = env("QMI_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = env("QMI_EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("QMI_EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("QMI_EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("QMI_EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("QMI_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("QMI_DEFAULT_FROM_EMAIL", "QMI <ne-pas-repondre@qmi.example>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

TASKS = {
    "default": {
        "BACKEND": env("QMI_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "qmi_cache",
    }
}
if env("QMI_REDIS_URL"):
    CACHES["default"] = {
        "BACKEND": "qmi.core.cache.RedisCache",
        "LOCATION": env("QMI_REDIS_URL"),
    }

SESSION_ENGINE = "django.contrib.sessions.backends.db"
if env("QMI_REDIS_URL"):
    # Read from Redis, written through to the database: a Redis restart logs nobody out.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# How long a public page may follow the clock late (see core.public_cache).
QMI_PUBLIC_CACHE_SECONDS = int(env("QMI_PUBLIC_CACHE_SECONDS", "60"))
# Working pages kept per session until anything changes (see core.kept_pages).
QMI_KEPT_PAGES = env_bool("QMI_KEPT_PAGES", True)
SESSION_COOKIE_AGE = 60 * 60 * 24 * 14
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("QMI_SECURE_COOKIES", True)
    CSRF_COOKIE_SECURE = env_bool("QMI_SECURE_COOKIES", True)
    SECURE_SSL_REDIRECT = env_bool("QMI_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(env("QMI_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Map tiles behind the vector outlines; empty means outlines only (they never need tiles).
QMI_MAP_TILE_URL = env("QMI_MAP_TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png")
QMI_MAP_TILE_ATTRIBUTION = env("QMI_MAP_TILE_ATTRIBUTION", "© contributeurs OpenStreetMap")

# Content-Security-Policy (django-csp): no inline script or style anywhere but the Django
# admin; a nonce is there for a template that needs one; browsers report violations.
# core.middleware adds the map tiles' origin (QMI_MAP_TILE_URL) to img-src.
CONTENT_SECURITY_POLICY = {
    "EXCLUDE_URL_PREFIXES": ["/admin/"],
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "font-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "report-uri": "/csp-report/",
    },
}
# Largest request body, in MB, refused with 413 before it is read. One upload carries
# one file: the form builder allows up to 100 MB a file (calls MAX_DOCUMENT_MB), plus
# room for the multipart envelope and the form's fields. Keep the proxy's limit the same.
QMI_MAX_REQUEST_MB = int(env("QMI_MAX_REQUEST_MB", "110"))
# Largest GeoJSON accepted for a sector, in bytes.
QMI_SECTOR_MAX_BYTES = int(env("QMI_SECTOR_MAX_BYTES", str(512 * 1024)))
QMI_INVITATION_DAYS = int(env("QMI_INVITATION_DAYS", "14"))
# Who hosts this instance (name, address, telephone), shown under the legal notice:
# each deployment has its own host, so it is set where the instance is set up.
QMI_HOSTING_PROVIDER = env("QMI_HOSTING_PROVIDER", "")
# Drafts never submitted are deleted this many days after their call closed
# (`manage.py purge_drafts`, daily), their organisation told 30 days before.
QMI_DRAFT_RETENTION_DAYS = int(env("QMI_DRAFT_RETENTION_DAYS", "365"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("QMI_LOG_LEVEL", "INFO")},
}
