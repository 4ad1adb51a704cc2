from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "qmi.allocation"
    label = "allocation"
    verbose_name = _("Répartition des lauréats")

    def ready(self):
        from qmi.calls import panels, tools  # noqa: PLC0415 — needs the app registry
        from qmi.calls.models import Call  # noqa: PLC0415 — idem
        from qmi.core import public_cache  # noqa: PLC0415 — idem
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — idem

        from .models import Allocation, Placement  # noqa: PLC0415 — idem
        from .views.panels import applicant_panel, public_panel  # noqa: PLC0415 — idem

        # The public page of a call shows each laureate's commune once published.
        public_cache.watch(Allocation, Placement)
        panels.register("applicant", applicant_panel)
        panels.register("public", public_panel)
        tools.register(
            label=_("Répartition des lauréats"),
            url_name="allocation:open",
            permission="allocation.manage_allocation",
            kinds=(Call.Kind.PROJECTS,),
        )
        register_action_labels(
            {
                "allocation_opened": _("répartition ouverte"),
                "allocation_changed": _("réglages de la répartition modifiés"),
                "allocation_bounds_changed": _("bornes d'une commune modifiées"),
                "commune_wishes_saved": _("souhaits d'une commune enregistrés"),
                "laureate_ranking_confirmed": _("classement des communes confirmé"),
                "laureate_ranking_revised": _("classement des communes modifié"),
                "allocation_pinned": _("couple fixé par le comité"),
                "allocation_forbidden": _("couple interdit par le comité"),
                "allocation_rule_removed": _("choix du comité retiré"),
                "allocation_run_started": _("calcul de répartition lancé"),
                "allocation_staged": _("répartition retenue"),
                "allocation_published": _("répartition publiée"),
                "laureate_withdrew": _("désistement d'un lauréat"),
                "allocation_change_staged": _("changement de répartition préparé"),
                "allocation_change_published": _("changement de répartition publié"),
            }
        )
