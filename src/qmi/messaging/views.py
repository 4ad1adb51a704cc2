"""Message threads: thin views over services and queries.

Every thread and attachment is loaded through a `get_*_for` loader that
answers 404 to whoever may not see it, so a thread's existence never leaks to
another organisation. Entry points about one subject (an application's
messages, a question about a call) belong to the subject's app and call
`render_thread` and the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core.forms import apply_errors

from . import queries, services, subjects
from .forms import AwaitingForm, ReplyForm
from .models import Thread
from .queries import get_attachment_for, get_thread_for
from .rules import writes_as_operator

THREADS_PER_PAGE = 25
MESSAGES_PER_PAGE = 30


# Thread page -----------------------------------------------------------------


def render_thread(
    request,
    thread,
    *,
    subject=None,
    organisation=None,
    reply_form=None,
    awaiting_form=None,
    panel_forms=None,
    template="messaging/thread.html",
):
    """The thread page; `thread` is None for a subject whose thread starts with this message.

    `panel_forms` are the bound forms of the subject kind's staff panel (after a
    refused post), passed back to its `staff_panel`.
    """
    user = request.user
    staff = user.has_perm("messaging.manage_threads")
    subject = thread.subject if thread is not None else subject
    organisation = thread.organisation if thread is not None else organisation
    as_operator = writes_as_operator(user, thread, organisation=organisation)
    kind = subjects.kind_of(subject)
    context = {
        "thread": thread,
        "subject": subject,
        "info": subjects.describe(subject, operator=as_operator),
        "scope": next((s for s in subjects.scopes() if s.key in kind.in_scope), None),
        "organisation": organisation,
        "is_staff": staff,
        "writes_as_operator": as_operator,
        # The Métropole's team reads every thread; only the operator answers in its name.
        "can_reply": thread is None or user.has_perm("messaging.post_message", thread),
        "page": None,
    }
    if thread is not None:
        paginator = Paginator(queries.messages_of(thread), MESSAGES_PER_PAGE)
        # The latest messages first: a long thread opens on its last page.
        context["page"] = paginator.get_page(request.GET.get("page") or paginator.num_pages)
        if staff:
            context["awaiting_form"] = awaiting_form or AwaitingForm(
                initial={"awaiting": thread.awaiting}
            )
            if kind.staff_panel is not None:
                context.update(kind.staff_panel(request, thread, **(panel_forms or {})))
                context["staff_panel_template"] = kind.staff_panel_template
                context["staff_message_template"] = kind.staff_message_template
    context["reply_form"] = reply_form or ReplyForm(writes_as_operator=as_operator)
    has_errors = any(
        form is not None and form.errors
        for form in (reply_form, awaiting_form, *(panel_forms or {}).values())
    )
    return render(request, template, context, status=400 if has_errors else 200)


def post_reply(request, form, post):
    """Post the form's message with `post(**fields)`; the message, or None with the errors on the form."""
    if not form.is_valid():
        return None
    try:
        return post(
            by=request.user,
            body=form.cleaned_data["body"],
            attachments=form.cleaned_data["attachments"],
            # Applicants always await the operator; the operator awaits only when it says so.
            expects_answer=form.cleaned_data.get("answer_expected", False),
        )
    except ValidationError as error:
        apply_errors(form, error)
        return None


def sent(request, message):
    """After a message is posted: say so and show the thread at its last message."""
    messages.success(request, _("Votre message a été envoyé."))
    return redirect(
        f"{reverse('messaging:thread', kwargs={'pk': message.thread_id})}#dernier-message"
    )


@login_required
def thread_view(request, pk):
    thread = get_thread_for(request.user, pk)
    if request.method == "POST":
        form = ReplyForm(
            request.POST,
            request.FILES,
            writes_as_operator=writes_as_operator(request.user, thread),
        )

        def post(**fields):
            return services.post_message(thread=thread, **fields)

        message = post_reply(request, form, post)
        if message:
            return sent(request, message)
        return render_thread(request, thread, reply_form=form)
    services.mark_read(thread=thread, by=request.user)
    return render_thread(request, thread)


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


def _list_scope():
    """The scope whose value each row shows (the call, today)."""
    registered = subjects.scopes()
    return registered[0] if registered else None


@login_required
def my_messages(request):
    page = Paginator(queries.my_threads(request.user), THREADS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "messaging/my_messages.html",
        {
            "page": page,
            "scope": _list_scope(),
            "is_staff": request.user.has_perm("messaging.view_all_threads"),
        },
    )


@backoffice_required
def backoffice_inbox(request):
    filters, chosen, scope_filters = {}, {}, []
    for scope in subjects.scopes():
        options = list(scope.choices())
        value = next((o for o in options if str(o.pk) == request.GET.get(scope.param, "")), None)
        chosen[scope.key] = value
        scope_filters.append({"scope": scope, "options": options, "chosen": value})
        if value is not None:
            filters[scope.param] = value.pk
    awaiting = request.GET.get("attente", "")
    if awaiting not in Thread.Awaiting.values:
        awaiting = ""
    unread_only = request.GET.get("non_lus") == "1"
    threads = queries.inbox_threads(
        request.user, scopes=chosen, awaiting=awaiting, unread_only=unread_only
    )
    page = Paginator(threads, THREADS_PER_PAGE).get_page(request.GET.get("page"))
    filters.update({"attente": awaiting, "non_lus": "1" if unread_only else ""})
    filters = {key: value for key, value in filters.items() if value}
    return render(
        request,
        "messaging/inbox.html",
        {
            "page": page,
            "scope": _list_scope(),
            "scope_filters": scope_filters,
            "awaiting": awaiting,
            "awaiting_choices": Thread.Awaiting.choices,
            "unread_only": unread_only,
            "filtered": bool(filters),
            "query": urlencode(filters),
        },
    )


# Staff actions on a thread ---------------------------------------------------


@backoffice_required(permission="messaging.manage_threads")
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
            return redirect("messaging:thread", pk=thread.pk)
    return render_thread(request, thread, awaiting_form=form)
