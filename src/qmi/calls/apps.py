from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "qmi.calls"
    label = "calls"
    verbose_name = _("Appels et candidatures")

    def ready(self):
        from . import thread_subjects

        thread_subjects.register()
