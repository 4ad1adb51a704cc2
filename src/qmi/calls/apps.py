from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "qmi.calls"
    label = "calls"
    verbose_name = _("Appels et candidatures")

    def ready(self):
        from qmi.core.notify import absolute_url
        from qmi.events import registry

        from .models import Call

        # A call's events are its information sessions: they link back to the call's
        # public page and are managed by whoever manages calls.
        registry.register(
            Call,
            page_url=lambda call: absolute_url(call.get_absolute_url()),
            title=lambda call: call.title,
            may_manage=lambda user, call: user.has_perm("calls.manage_calls"),
            page_line=_("Présentation de l'appel : %(url)s"),
        )
