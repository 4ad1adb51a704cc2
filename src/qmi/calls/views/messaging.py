"""Calls' entry points into messaging: an application's messages, a question about a call, FAQ.

Thin views over qmi.messaging's services; the thread pages themselves are
messaging's.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.forms import apply_errors
from qmi.messaging import queries as thread_queries
from qmi.messaging import services as messaging
from qmi.messaging.forms import ReplyForm
from qmi.messaging.rules import writes_as_operator
from qmi.messaging.views import post_reply, render_thread, sent

from ..forms.messaging import FaqForm, QuestionForm
from ..models import Call
from ..queries import get_application_for
from ..rules import eligible_organisations
from ..services import faq


@login_required
def application_messages(request, pk):
    """The application's thread, or the page that starts it with a first message."""
    application = get_application_for(request.user, pk)
    thread = thread_queries.sole_thread_of(application)
    if thread is not None:
        return redirect("messaging:thread", pk=thread.pk)
    form = ReplyForm(
        request.POST or None,
        request.FILES or None,
        writes_as_operator=writes_as_operator(request.user, organisation=application.organisation),
    )
    if request.method == "POST":

        def post(**fields):
            return messaging.post_about(subject=application, **fields)

        message = post_reply(request, form, post)
        if message:
            return sent(request, message)
    return render_thread(
        request,
        None,
        subject=application,
        organisation=application.organisation,
        reply_form=form,
        template="calls/application_messages.html",
    )


@login_required
def call_question(request, slug):
    """A member of an eligible organisation asks a question about a call before applying."""
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    if call.status == Call.Status.DRAFT:
        raise Http404
    if not request.user.has_perm("calls.ask_call_question", call):
        return render(request, "calls/call_question.html", {"call": call, "form": None}, status=403)
    form = QuestionForm(
        request.POST or None,
        request.FILES or None,
        organisations=eligible_organisations(request.user, call),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = messaging.post_about(
                by=request.user,
                subject=call,
                organisation=data["organisation"],
                title=data["subject"],
                body=data["body"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return sent(request, message)
    return render(
        request,
        "calls/call_question.html",
        {"call": call, "form": form},
        status=400 if form.errors else 200,
    )


# Publishing a question to the call's FAQ -------------------------------------


def _faq_initial(thread, message_pk):
    """The FAQ form starts from the chosen (or latest) applicant question and the answer that followed."""
    questions = thread.messages.filter(from_operator=False)
    question = questions.filter(pk=message_pk).first() if message_pk else None
    question = question or questions.order_by("-created_at", "-pk").first()
    if question is None:
        return None
    answer = (
        thread.messages.filter(from_operator=True, created_at__gte=question.created_at)
        .exclude(pk=question.pk)
        .order_by("created_at", "pk")
        .first()
    )
    return {
        "message": question.pk,
        "question": question.body,
        "answer": answer.body if answer else "",
    }


def faq_panel(request, thread, faq_form=None):
    """The thread page's staff panel for threads about a call or an application."""
    if faq_form is None:
        initial = _faq_initial(thread, request.GET.get("faq"))
        faq_form = FaqForm(initial=initial) if initial else None
    return {"faq_form": faq_form}


@backoffice_required(permission="messaging.manage_threads")
@require_POST
def thread_publish_faq(request, pk):
    thread = thread_queries.get_thread_for(request.user, pk)
    form = FaqForm(request.POST)
    if form.is_valid():
        message = get_object_or_404(thread.messages, pk=form.cleaned_data["message"])
        try:
            faq.publish_to_faq(
                message=message,
                by=request.user,
                question=form.cleaned_data["question"],
                answer=form.cleaned_data["answer"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(
                request, _("La question a été publiée dans la foire aux questions de l'appel.")
            )
            return redirect("messaging:thread", pk=thread.pk)
    return render_thread(request, thread, panel_forms={"faq_form": form})
