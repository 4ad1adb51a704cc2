from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "qmi.events"
    label = "events"
    verbose_name = _("Événements et inscriptions")

    def ready(self):
        from qmi.core import public_cache  # noqa: PLC0415 — needs the app registry

        from .models import Event  # noqa: PLC0415

        # Call pages and edition pages list the information sessions.
        public_cache.watch(Event)
