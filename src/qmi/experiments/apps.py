from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExperimentsConfig(AppConfig):
    name = "qmi.experiments"
    label = "experiments"
    verbose_name = _("Expérimentations")

    def ready(self):
        from qmi.allocation import links, signals  # noqa: PLC0415 — needs the app registry
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — idem

        from . import receivers  # noqa: PLC0415 — idem

        # The allocation may not import this app: its publications reach it by signal.
        signals.placement_published.connect(
            receivers.on_placement_published, dispatch_uid="experiments.placement_published"
        )
        signals.placement_moved.connect(
            receivers.on_placement_moved, dispatch_uid="experiments.placement_moved"
        )
        signals.placement_withdrawn.connect(
            receivers.on_placement_withdrawn, dispatch_uid="experiments.placement_withdrawn"
        )
        links.register(receivers.describe_placements)
        register_action_labels(
            {
                "experiment_opened": _("expérimentation ouverte"),
                "experiment_moved": _("expérimentation déplacée dans une autre commune"),
            }
        )
