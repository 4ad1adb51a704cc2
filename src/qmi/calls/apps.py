from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CallsConfig(AppConfig):
    name = "qmi.calls"
    label = "calls"
    verbose_name = _("Appels et candidatures")

    def ready(self):
        # Models and the registries can be imported only once the app registry is ready.
        from django.urls import reverse  # noqa: PLC0415

        from qmi.accounts.models import Organisation  # noqa: PLC0415
        from qmi.core import public_cache, versions  # noqa: PLC0415
        from qmi.core.audit import register_action_labels  # noqa: PLC0415
        from qmi.events import registry  # noqa: PLC0415
        from qmi.mail.services import absolute_url  # noqa: PLC0415

        from . import audit_words, funnel, thread_subjects  # noqa: PLC0415
        from .models import (  # noqa: PLC0415
            Application,
            ApplicationLabel,
            Call,
            CorrectionRequest,
            FaqEntry,
            FormRevision,
            Label,
            Question,
            RequestedDocument,
            Section,
            Submission,
        )

        register_action_labels(
            {
                "form_published": _("formulaire publié"),
                "form_draft_discarded": _("modifications du formulaire abandonnées"),
                "form_section_added": _("section ajoutée"),
                "form_section_updated": _("section modifiée"),
                "form_section_moved": _("section déplacée"),
                "form_section_deleted": _("section supprimée"),
                "form_question_added": _("question ajoutée"),
                "form_question_updated": _("question modifiée"),
                "form_question_moved": _("question déplacée"),
                "form_question_deleted": _("question supprimée"),
                "form_template_uploaded": _("modèle joint"),
                "form_template_removed": _("modèle retiré"),
                "duplicated": _("appel dupliqué"),
                "draft_deletion_announced": _("suppression du brouillon annoncée"),
                "draft_deleted": _("brouillon supprimé (durée de conservation)"),
                "documents_requested": _("pièces demandées en correction"),
                "correction_resolved": _("correction résolue"),
            }
        )

        # A call's events are its information sessions: they link back to the call's
        # public page and are managed by whoever manages calls.
        registry.register(
            Call,
            page_url=lambda call: absolute_url(call.get_absolute_url()),
            title=lambda call: call.title,
            may_manage=lambda user, call: user.has_perm("calls.manage_calls"),
            page_line=_("Présentation de l'appel : %(url)s"),
            calendar_url=lambda event: reverse(
                "calls:session_ics",
                kwargs={"slug": event.about.slug, "session_pk": event.pk},
            ),
        )

        audit_words.register()

        # Applications and calls are what message threads are about.
        thread_subjects.register()

        # A call's public page shows the call, its FAQ and the documents its form asks for.
        public_cache.watch(Call, FaqEntry, FormRevision, Section, Question)
        # Funnels are kept until an application or its organisation changes.
        versions.watch(
            funnel.APPLICATIONS,
            Application,
            Submission,
            Organisation,
            CorrectionRequest,
            RequestedDocument,
            Label,
            ApplicationLabel,
        )
