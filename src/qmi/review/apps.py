from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReviewConfig(AppConfig):
    name = "qmi.review"
    label = "review"
    verbose_name = _("Évaluation et jury")

    def ready(self):
        from qmi.calls import panels, tools  # noqa: PLC0415 — needs the app registry
        from qmi.core import public_cache, versions  # noqa: PLC0415 — idem
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — idem

        from .models import (  # noqa: PLC0415 — idem
            Assignment,
            Audition,
            Conflict,
            Criterion,
            Decision,
            Juror,
            JurorInvitation,
            KnownLink,
            LetterTemplate,
            Phase,
            Publication,
            RedactedCopy,
            Review,
            Score,
        )
        from .queries import REVIEWS  # noqa: PLC0415 — idem
        from .views.publication import applicant_panel, public_panel  # noqa: PLC0415 — idem

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
            LetterTemplate,
            Publication,
            JurorInvitation,
            Audition,
        )
        # The public page of a call names its laureates once the decisions are published.
        public_cache.watch(Publication, Decision)
        panels.register("applicant", applicant_panel)
        panels.register("public", public_panel)

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
                "juror_invited": _("expert invité au jury"),
                "juror_invitation_revoked": _("invitation au jury révoquée"),
                "juror_invitation_accepted": _("invitation au jury acceptée"),
                "file_taken": _("dossier choisi par un juré"),
                "redacted_copy_saved": _("copie anonymisée enregistrée"),
                "decision_staged": _("décision préparée"),
                "decisions_published": _("décisions publiées"),
                "decision_promoted": _("entrée depuis la liste d'attente"),
            }
        )
        self._register_auditions()

    def _register_auditions(self):
        """An audition's slot is an event about the application; the applicant's file shows it."""
        from django.urls import reverse  # noqa: PLC0415 — needs the app registry

        from qmi.calls import panels  # noqa: PLC0415 — idem
        from qmi.calls.models import Application  # noqa: PLC0415 — idem
        from qmi.core.audit import register_action_labels  # noqa: PLC0415 — idem
        from qmi.events import registry  # noqa: PLC0415 — idem
        from qmi.mail.services import absolute_url  # noqa: PLC0415 — idem

        from .views.auditions import applicant_panel  # noqa: PLC0415 — idem

        registry.register(
            Application,
            page_url=lambda application: absolute_url(
                reverse("calls:application", kwargs={"pk": application.pk})
            ),
            title=lambda application: f"{application.call.title} — {application.reference}",
            may_manage=lambda user, application: user.has_perm("review.manage_review"),
            page_line=_("Votre dossier : %(url)s"),
            calendar_url=lambda event: reverse(
                "review:audition_ics", kwargs={"pk": event.object_id}
            ),
        )
        panels.register("applicant", applicant_panel)
        register_action_labels(
            {
                "audition_shortlisted": _("présélectionné pour une audition"),
                "audition_unlisted": _("retiré de la liste des auditions"),
                "audition_scheduled": _("créneau d'audition envoyé"),
                "audition_rescheduled": _("créneau d'audition déplacé"),
                "audition_confirmed": _("créneau d'audition confirmé"),
                "audition_other_slot": _("autre créneau d'audition demandé"),
                "audition_notes_saved": _("notes d'audition enregistrées"),
                "audition_cancelled": _("créneau d'audition annulé"),
            }
        )
