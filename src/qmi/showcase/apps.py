from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShowcaseConfig(AppConfig):
    name = "qmi.showcase"
    label = "showcase"
    verbose_name = _("Site public")

    def ready(self):
        from qmi.core import public_cache  # noqa: PLC0415 — needs the app registry

        from .models import SitePage  # noqa: PLC0415

        public_cache.watch(SitePage)
