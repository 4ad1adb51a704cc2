import pytest
from django.core.cache import cache
from django.test import override_settings

from tests.factories import staff_user


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path, request):
    """Tasks run at once, mail stays in memory, files go to a temporary folder."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    # Big uploads wait in a folder of the test's own (swept by `sweep_files`).
    (tmp_path / "uploads").mkdir()
    settings.FILE_UPLOAD_TEMP_DIR = str(tmp_path / "uploads")
    settings.SECURE_SSL_REDIRECT = False
    # Hashing with the production work factor would dominate the suite's run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.QMI_STAFF_MFA_REQUIRED = False
    settings.QMI_DEMO_MFA_EXEMPT = False
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "100/m/ip,50/5m/key"}
    settings.QMI_MAP_TILE_URL = ""
    settings.LANGUAGE_CODE = "fr"
    settings.SITE_URL = "http://testserver"
    # Query counts measure the views; tests/core/test_kept_pages.py turns keeping on.
    settings.QMI_KEPT_PAGES = False
    marker = request.node.get_closest_marker("django_db")
    if marker and marker.kwargs.get("transaction"):
        # The database cache table outlives a transactional test's flush: rate limits
        # counted by an earlier test (allauth's, per address) must not leak into this one.
        request.getfixturevalue("transactional_db")
        cache.clear()
    with override_settings():
        yield


@pytest.fixture
def uncached_fragments(settings):
    """Rendered fragments are never kept: a query count measures the rendering itself."""
    settings.CACHES = {
        **settings.CACHES,
        "template_fragments": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
    }


@pytest.fixture
def staff(db):
    return staff_user()


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client
