from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "qmi.review"
    label = "review"
    verbose_name = _("Évaluation et jury")

    def ready(self):
        from qmi.calls import tools  # noqa: PLC0415 — needs the app registry
        from qmi.core import versions  # noqa: PLC0415 — idem
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — idem

        from .models import (  # noqa: PLC0415 — idem
            Assignment,
            Conflict,
            Criterion,
            Decision,
            Juror,
            KnownLink,
            Phase,
            RedactedCopy,
            Review,
            Score,
        )
        from .queries import REVIEWS  # noqa: PLC0415 — idem

        # Pages kept for a session (a juror's home, the back office) follow the review.
        versions.watch(
            REVIEWS,
            Phase,
            Criterion,
            Juror,
            KnownLink,
            Conflict,
            Assignment,
            Review,
            Score,
            RedactedCopy,
            Decision,
        )

        tools.register(
            label=_("Évaluation et jury"),
            url_name="review:overview",
            permission="review.manage_review",
        )
        tools.register(
            label=_("Décisions"), url_name="review:decisions", permission="review.stage_decisions"
        )

        register_action_labels(
            {
                "criterion_added": _("critère ajouté à la grille"),
                "criterion_changed": _("critère de la grille modifié"),
                "criterion_removed": _("critère retiré de la grille"),
                "review_submitted": _("évaluation déposée"),
                "review_phase_added": _("phase d'évaluation créée"),
                "review_phase_changed": _("phase d'évaluation modifiée"),
                "review_phase_moved": _("phase d'évaluation ouverte ou close"),
                "juror_added": _("juré ajouté"),
                "juror_withdrawn": _("juré retiré"),
                "known_link_recorded": _("lien connu noté"),
                "conflict_declared": _("conflit d'intérêts déclaré"),
                "jury_assigned": _("dossiers attribués au jury"),
                "jury_unassigned": _("dossier retiré à un juré"),
                "juror_reminded": _("juré relancé"),
                "file_taken": _("dossier choisi par un juré"),
                "redacted_copy_saved": _("copie anonymisée enregistrée"),
                "decision_staged": _("décision préparée"),
            }
        )
