from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProgrammesConfig(AppConfig):
    name = "qmi.programmes"
    label = "programmes"
    verbose_name = _("Programmes et éditions")

    def ready(self):
        # Both need the app registry.
        from qmi.core import public_cache  # noqa: PLC0415
        from qmi.core.audit import register_action_labels  # noqa: PLC0415

        from . import models  # noqa: PLC0415

        register_action_labels(
            {
                "team_added": _("ajout à l'équipe"),
                "team_removed": _("retrait de l'équipe"),
                "training_eligible": _("communes éligibles à la formation"),
            }
        )
        # The public site shows the programme, its editions, phases, communes and challenges.
        public_cache.watch(
            models.Programme,
            models.Theme,
            models.Edition,
            models.Phase,
            models.Commune,
            models.EditionCommune,
            models.Challenge,
            models.ChallengeVersion,
            models.Sector,
        )
