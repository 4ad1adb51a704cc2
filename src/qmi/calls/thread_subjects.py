"""Applications and calls as subjects of messaging threads (registered in CallsConfig.ready()).

An application has one thread with the applying organisation; a call has one
thread per question an organisation asks before applying. Both belong to a
call, the back-office inbox's filter.
"""

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.messaging import subjects
from qmi.messaging.services import MAX_SUBJECT_CHARS

from .models import Application, Call
from .views.messaging import faq_panel


def _call_facts(call):
    return {"scope_title": call.title, "scope_url": reverse("calls:call", args=[call.slug])}


def describe_application(application, *, operator=False):
    name = "calls:backoffice_application" if operator else "calls:application"
    url = reverse(name, args=[application.pk])
    return subjects.SubjectInfo(
        line=f"{_('Dossier')} {application.reference}",
        facts=((_("Dossier"), application.reference, url),),
        reference=application.reference,
        **_call_facts(application.call),
    )


def describe_call(call, *, operator=False):
    return subjects.SubjectInfo(line=_("Question sur l'appel"), **_call_facts(call))


def check_question_organisation(call, organisation):
    if organisation.kind in call.eligible_kinds:
        return []
    return [
        _("Cet appel n'est pas ouvert aux organisations de type « %(kind)s ».")
        % {"kind": organisation.get_kind_display()}
    ]


def register():
    faq = {
        "staff_panel": faq_panel,
        "staff_panel_template": "calls/thread_faq_panel.html",
        "staff_message_template": "calls/thread_faq_link.html",
    }
    subjects.register_scope(
        "call",
        param="appel",
        label=gettext_lazy("Appel"),
        everything=gettext_lazy("Tous les appels"),
        choices=lambda: Call.objects.order_by("-opens_at").only("pk", "title"),
        title=lambda call: call.title,
    )
    subjects.register(
        Application,
        start_permission="calls.view_application",
        describe=describe_application,
        single_thread=True,
        default_title=lambda application: f"{application.reference} — {application.call.title}"[
            :MAX_SUBJECT_CHARS
        ],
        organisation_of=lambda application: application.organisation,
        queryset=lambda: Application.objects.select_related("call"),
        in_scope={"call": lambda call: Application.objects.filter(call=call).values("pk")},
        **faq,
    )
    subjects.register(
        Call,
        start_permission="calls.ask_call_question",
        describe=describe_call,
        check_organisation=check_question_organisation,
        in_scope={"call": lambda call: [call.pk]},
        **faq,
    )
