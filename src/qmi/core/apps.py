from pathlib import Path

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "qmi.core"
    label = "core"
    verbose_name = _("Socle")

    def ready(self):
        # Django writes big uploads into FILE_UPLOAD_TEMP_DIR but never creates it.
        if settings.FILE_UPLOAD_TEMP_DIR:
            Path(settings.FILE_UPLOAD_TEMP_DIR).mkdir(parents=True, exist_ok=True)

        from qmi.core import versions  # noqa: PLC0415 — needs the app registry

        from .models import AuditEntry  # noqa: PLC0415

        # Every service records what it changed: the working pages kept per session
        # (core.kept_pages) follow this version too.
        versions.watch(versions.ACTIVITY, AuditEntry)
