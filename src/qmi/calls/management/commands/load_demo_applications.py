"""Demo applications on the fictional edition's open calls, made through the real services.

A newcomer sees a draft (Argenteuil) and a submitted file (Sceaux) on the AMI for
communes, and a complete one (the fictional startup) on the call for projects,
right after `make run`, with the funnel figures they produce. Idempotent:
organisations that already applied to a call are left alone.
"""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from pypdf import PdfWriter
from pypdf.generic import NameObject, TextStringObject

from qmi.accounts.models import Organisation, User
from qmi.accounts.second_factor import mark_second_factor
from qmi.calls import answers as answer_rules
from qmi.calls import queries
from qmi.calls.models import Application, Call, Question
from qmi.calls.services import applications as services
from qmi.calls.services import examination
from qmi.messaging.queries import about
from qmi.messaging.services import post_about
from qmi.programmes.models import Commune

from .load_demo_calls import DEMO_PROJECTS_SLUG, DEMO_SLUG


def demo_pdf(title):
    """A small real PDF, so the demo files pass the same checks as real uploads."""

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_metadata({NameObject("/Title"): TextStringObject(title)})
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def valid_answer(question, call):
    """An answer the checklist accepts, for each kind of question."""
    kind, config = question.kind, question.config
    if kind == Question.Kind.SINGLE_CHOICE:
        return answer_rules.choices_of(question)[0]
    if kind == Question.Kind.MULTIPLE_CHOICE:
        return answer_rules.choices_of(question)[:1]
    if kind == Question.Kind.YES_NO:
        return "no"
    if kind == Question.Kind.NUMBER:
        return str(config.get("min") or 1)
    if kind == Question.Kind.DATE:
        return timezone.localdate().isoformat()
    if kind == Question.Kind.EMAIL:
        return "contact@demo.qmi.example"
    if kind == Question.Kind.URL:
        return "https://demo.qmi.example/"
    if kind == Question.Kind.PHONE:
        return "01 23 45 67 89"
    if kind == Question.Kind.COMMUNE_RANKING:
        return services.ranking_choices(call)[: int(config.get("max_ranked") or 3)]
    limit = int(config.get("max_length") or config.get("max_chars") or 300)
    return "Réponse de démonstration (fictive)."[:limit]


def fill(application, by, *, share=1.0):
    """Answer the first `share` of the questions and upload the documents."""
    questions = queries.questions_of(application.revision)
    answered = questions[: max(1, int(len(questions) * share))]
    changes = {
        q.key: valid_answer(q, application.call)
        for q in answered
        if q.kind != Question.Kind.DOCUMENT
    }
    application = services.autosave(
        application=application, by=by, base_version=application.version, changes=changes
    )
    for question in answered:
        if question.kind == Question.Kind.DOCUMENT:
            upload = SimpleUploadedFile(
                f"{question.key}.pdf", demo_pdf(question.label), content_type="application/pdf"
            )
            services.upload_document(
                application=application, question_key=question.key, uploaded=upload, by=by
            )
    return application


class Command(BaseCommand):
    help = "Crée des candidatures de démonstration sur l'appel fictif ouvert."

    def handle(self, *args, **options):
        # No session here: the command acts as the operator's staff on purpose (see second_factor).
        staff = mark_second_factor(User.objects.get(email="operateur@demo.qmi.example"))
        ami = self._apply(
            DEMO_SLUG,
            [
                ("95018", "agent.argenteuil@demo.qmi.example", "draft"),
                ("92071", "agent.sceaux@demo.qmi.example", "submitted"),
            ],
            staff,
        )
        self._apply(
            DEMO_PROJECTS_SLUG, [(None, "experimentateur@demo.qmi.example", "complete")], staff
        )
        if ami is not None:
            self._messages(ami, staff)
        count = Application.objects.filter(call__slug__in=[DEMO_SLUG, DEMO_PROJECTS_SLUG]).count()
        self.stdout.write(
            f"{count} candidature de démonstration."
            if count < 2
            else f"{count} candidatures de démonstration."
        )

    def _apply(self, slug, plans, staff):
        """Each planned organisation's file on the call `slug`, brought to its target state."""
        call = Call.objects.filter(slug=slug).first()
        if call is None or not call.accepts_submissions():
            self.stdout.write(f"Appel de démonstration « {slug} » absent ou clos : rien créé.")
            return None
        for insee, email, target in plans:
            person = User.objects.get(email=email)
            if insee:
                organisation = Organisation.objects.get(commune=Commune.objects.get(insee=insee))
            else:
                # The demo's startup by its key: the person may have created others since.
                organisation = Organisation.objects.get(demo_key="startup")
            if Application.objects.filter(call=call, organisation=organisation).exists():
                continue
            with transaction.atomic():
                application, _ = services.start_application(
                    call=call, organisation=organisation, by=person
                )
                application = fill(application, person, share=0.5 if target == "draft" else 1.0)
                if target != "draft":
                    services.submit_application(application=application, by=person)
                if target == "complete":
                    examination.mark_complete(application=application, by=staff)
        return call

    def _messages(self, call, staff):
        """A conversation on Sceaux's file and an open question from Argenteuil."""

        sceaux = Application.objects.filter(call=call, organisation__commune__insee="92071").first()
        if sceaux and not about(sceaux).exists():
            agent = User.objects.get(email="agent.sceaux@demo.qmi.example")
            post_about(
                by=agent,
                subject=sceaux,
                body="Bonjour, faut-il joindre les lettres de soutien signées ou un simple courriel suffit-il ? (message fictif)",
            )
            post_about(
                by=staff,
                subject=sceaux,
                body="Bonjour, une lettre signée (PDF) est préférable ; un courriel imprimé en PDF est accepté. (message fictif)",
            )
        argenteuil = Organisation.objects.get(commune__insee="95018")
        if not about(call).filter(organisation=argenteuil).exists():
            post_about(
                by=User.objects.get(email="agent.argenteuil@demo.qmi.example"),
                subject=call,
                organisation=argenteuil,
                title="Périmètre du secteur",
                body="Le secteur proposé peut-il couvrir deux quartiers voisins ? (message fictif)",
            )
