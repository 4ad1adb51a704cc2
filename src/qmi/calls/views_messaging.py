"""Message threads between applicants and the operator: thin views over services_messaging.

Every thread, attachment and application is loaded through a `get_*_for`
loader that answers 404 to whoever may not see it, so a thread's existence
never leaks to another organisation.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.forms import apply_errors

from . import services_messaging as services
from .forms_messaging import AwaitingForm, FaqForm, QuestionForm, ReplyForm
from .models import Call, Message, MessageAttachment, Thread
from .rules_messaging import eligible_organisations, is_thread_member
from .views_applicant import get_application_for

THREADS_PER_PAGE = 25
MESSAGES_PER_PAGE = 30


# Loaders -----------------------------------------------------------------------


def get_thread_for(user, pk):
    thread = get_object_or_404(
        Thread.objects.select_related("call", "application", "organisation"), pk=pk
    )
    if not user.has_perm("calls.view_thread", thread):
        raise Http404
    return thread


def get_attachment_for(user, pk):
    attachment = get_object_or_404(
        MessageAttachment.objects.select_related("message__thread"), pk=pk
    )
    if not user.has_perm("calls.view_thread", attachment.message.thread):
        raise Http404
    return attachment


# Thread page -----------------------------------------------------------------


def _writes_as_operator(user, thread):
    return not is_thread_member(user, thread) and user.has_perm("calls.manage_threads")


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


def _render_thread(
    request, thread, *, reply_form=None, awaiting_form=None, faq_form=None, application=None
):
    """The thread page; `thread` is None for an application whose thread starts with this message."""
    user = request.user
    staff = user.has_perm("calls.manage_threads")
    context = {
        "thread": thread,
        "application": application or (thread.application if thread else None),
        "call": thread.call if thread else application.call,
        "organisation": thread.organisation if thread else application.organisation,
        "is_staff": staff,
        "writes_as_operator": (
            _writes_as_operator(user, thread)
            if thread
            else staff and not user.has_perm("calls.submit_application", application)
        ),
        "page": None,
    }
    if thread is not None:
        paginator = Paginator(services.messages_of(thread), MESSAGES_PER_PAGE)
        # The latest messages first: a long thread opens on its last page.
        context["page"] = paginator.get_page(request.GET.get("page") or paginator.num_pages)
        if staff:
            context["awaiting_form"] = awaiting_form or AwaitingForm(
                initial={"awaiting": thread.awaiting}
            )
            if faq_form is None:
                initial = _faq_initial(thread, request.GET.get("faq"))
                faq_form = FaqForm(initial=initial) if initial else None
            context["faq_form"] = faq_form
    context["reply_form"] = reply_form or ReplyForm(
        writes_as_operator=context["writes_as_operator"]
    )
    has_errors = any(
        form is not None and form.errors for form in (reply_form, awaiting_form, faq_form)
    )
    return render(
        request, "calls/messaging/thread.html", context, status=400 if has_errors else 200
    )


def _post_reply(request, form, **target):
    """Post the reply form's message; the message, or None with the errors put on the form."""
    if not form.is_valid():
        return None
    try:
        return services.post_message(
            by=request.user,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
            expects_answer=not form.cleaned_data.get("no_answer_expected", False),
            **target,
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


def _sent(request, message):
    messages.success(request, _("Votre message a été envoyé."))
    return redirect(f"{reverse('calls:thread', kwargs={'pk': message.thread_id})}#dernier-message")


@login_required
def thread_view(request, pk):
    thread = get_thread_for(request.user, pk)
    if request.method == "POST":
        form = ReplyForm(
            request.POST,
            request.FILES,
            writes_as_operator=_writes_as_operator(request.user, thread),
        )
        message = _post_reply(request, form, thread=thread)
        if message:
            return _sent(request, message)
        return _render_thread(request, thread, reply_form=form)
    services.mark_read(thread=thread, by=request.user)
    return _render_thread(request, thread)


@login_required
def application_messages(request, pk):
    """The application's thread, or the page that starts it with a first message."""
    application = get_application_for(request.user, pk)
    thread = Thread.objects.filter(application=application).first()
    if thread is not None:
        return redirect("calls:thread", pk=thread.pk)
    staff = request.user.has_perm("calls.manage_threads")
    writes_as_operator = staff and not request.user.has_perm(
        "calls.submit_application", application
    )
    form = ReplyForm(
        request.POST or None, request.FILES or None, writes_as_operator=writes_as_operator
    )
    if request.method == "POST":
        message = _post_reply(request, form, application=application)
        if message:
            return _sent(request, message)
        return _render_thread(request, None, reply_form=form, application=application)
    return _render_thread(request, None, reply_form=form, application=application)


@login_required
def call_question(request, slug):
    """A member of an eligible organisation asks a question about a call before applying."""
    call = get_object_or_404(Call.objects.select_related("edition"), slug=slug)
    if call.status == Call.Status.DRAFT:
        raise Http404
    if not request.user.has_perm("calls.ask_call_question", call):
        return render(
            request,
            "calls/messaging/call_question.html",
            {"call": call, "form": None},
            status=403,
        )
    form = QuestionForm(
        request.POST or None,
        request.FILES or None,
        organisations=eligible_organisations(request.user, call),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            message = services.post_message(
                by=request.user,
                call=call,
                organisation=data["organisation"],
                subject=data["subject"],
                body=data["body"],
                attachments=data["attachments"],
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            return _sent(request, message)
    return render(
        request,
        "calls/messaging/call_question.html",
        {"call": call, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
def message_attachment(request, pk):
    attachment = get_attachment_for(request.user, pk)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# Lists -----------------------------------------------------------------------


@login_required
def my_messages(request):
    page = Paginator(services.my_threads(request.user), THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "calls/messaging/my_messages.html",
        {"page": page, "is_staff": request.user.has_perm("calls.manage_threads")},
    )


@backoffice_required
def backoffice_inbox(request):
    calls = list(Call.objects.order_by("-opens_at").only("pk", "title"))
    call = next((c for c in calls if str(c.pk) == request.GET.get("appel", "")), None)
    awaiting = request.GET.get("attente", "")
    if awaiting not in Thread.Awaiting.values:
        awaiting = ""
    unread_only = request.GET.get("non_lus") == "1"
    threads = services.inbox_threads(
        request.user, call=call, awaiting=awaiting, unread_only=unread_only
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    filters = {
        key: value
        for key, value in {
            "appel": call.pk if call else "",
            "attente": awaiting,
            "non_lus": "1" if unread_only else "",
        }.items()
        if value
    }
    return render(
        request,
        "calls/messaging/inbox.html",
        {
            "page": page,
            "calls": calls,
            "call": call,
            "awaiting": awaiting,
            "awaiting_choices": Thread.Awaiting.choices,
            "unread_only": unread_only,
            "filtered": bool(filters),
            "query": urlencode(filters),
        },
    )


# Staff actions on a thread ---------------------------------------------------


@backoffice_required
@require_POST
def thread_awaiting(request, pk):
    thread = get_thread_for(request.user, pk)
    form = AwaitingForm(request.POST)
    if form.is_valid():
        try:
            services.set_awaiting(
                thread=thread, by=request.user, value=form.cleaned_data["awaiting"]
            )
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("L'état de l'échange a été enregistré."))
            return redirect("calls:thread", pk=thread.pk)
    return _render_thread(request, thread, awaiting_form=form)


@backoffice_required
@require_POST
def thread_publish_faq(request, pk):
    thread = get_thread_for(request.user, pk)
    form = FaqForm(request.POST)
    if form.is_valid():
        message = get_object_or_404(Message, pk=form.cleaned_data["message"], thread=thread)
        try:
            services.publish_to_faq(
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
            return redirect("calls:thread", pk=thread.pk)
    return _render_thread(request, thread, faq_form=form)
