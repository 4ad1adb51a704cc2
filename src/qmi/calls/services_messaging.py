"""Messages between applicants and the operator: one function per intention, and the reads.

A thread belongs to one applicant organisation and one call: either the
thread of an application (at most one per application) or a question asked
about the call before applying. Two sides write in it:

- the applicant side: every member of the thread's organisation;
- the operator side: operator staff (`accounts.rules.is_operator_staff`).
  A person who is both writes as the applicant side in their own
  organisation's threads.

Who is told of a new message: the other side only, by `core.notify` (recorded
in the platform, e-mailed after commit). Applicant side: the active members of
the organisation. Operator side: the active members of the organisations of
kind "operator" (Paris&Co), who answer the applicants; the Métropole's staff
read threads but are not e-mailed. The e-mail says who wrote and links to the
thread; it never carries the text's attachments.

Messages are never edited, so a message is its own record of who wrote what
and when and posting is not audited again. Deliberate changes are: who must
answer next (`set_awaiting`) and publishing a question to the call's FAQ.

Unread: a person has read a thread up to `ThreadRead.last_read_at`; the thread
is unread for them while its `last_message_at` is later. Writing marks the
thread read for the author, so one's own messages never count as unread.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, Max, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.models import Membership, Organisation, User
from qmi.accounts.rules import is_operator_staff
from qmi.core import audit
from qmi.core.permissions import require as _require
from qmi.mail.services import notify

from . import rules_messaging  # noqa: F401  (registers the messaging permissions)
from .files import check_upload
from .models import Application, Call, FaqEntry, Message, MessageAttachment, Thread, ThreadRead
from .rules_messaging import is_thread_member

Awaiting = Thread.Awaiting

ATTACHMENT_FAMILIES = ["pdf", "image", "text", "spreadsheet"]
ATTACHMENT_MAX_MB = 10
MAX_ATTACHMENTS = 5
MAX_BODY_CHARS = 10_000
MAX_SUBJECT_CHARS = 200


def _clean_body(body):
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": _("Écrivez votre message.")})
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(
            {
                "body": _("Le message fait %(count)s caractères ; la limite est de %(max)s.")
                % {"count": len(body), "max": MAX_BODY_CHARS}
            }
        )
    return body


def check_attachments(attachments):
    """Check every file before anything is stored; return [(uploaded, CheckedFile)].

    One refused file refuses the whole message, with one line per refused file.
    """
    attachments = [uploaded for uploaded in attachments or () if uploaded]
    if len(attachments) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("%(max)s pièces jointes au plus par message.")
                % {"max": MAX_ATTACHMENTS}
            }
        )
    checked, errors = [], []
    for uploaded in attachments:
        try:
            checked.append(
                (
                    uploaded,
                    check_upload(uploaded, families=ATTACHMENT_FAMILIES, max_mb=ATTACHMENT_MAX_MB),
                )
            )
        except ValidationError as error:
            errors += [f"{uploaded.name} : {message}" for message in error.messages]
    if errors:
        raise ValidationError({"attachments": errors})
    return checked


def _writes_as_operator(user, thread):
    if is_thread_member(user, thread):
        return False
    if is_operator_staff(user):
        return True
    raise PermissionDenied


def _applicant_recipients(thread, author):
    return list(
        User.objects.filter(memberships__organisation=thread.organisation_id, is_active=True)
        .exclude(pk=author.pk)
        .distinct()
    )


def _operator_recipients(author):
    return list(
        User.objects.filter(
            memberships__organisation__kind=Organisation.Kind.OPERATOR, is_active=True
        )
        .exclude(pk=author.pk)
        .distinct()
    )


@transaction.atomic
def post_message(
    *,
    by,
    body,
    attachments=(),
    thread=None,
    application=None,
    call=None,
    organisation=None,
    subject="",
    expects_answer=True,
):
    """Write in a thread; returns the message.

    Give the `thread`, or the `application` (its thread is created by the first
    message), or a `call` and the asking `organisation` with a `subject` (a new
    question about the call). The thread then awaits the other side, unless
    operator staff write with `expects_answer=False`.
    """
    now = timezone.now()
    errors = {}
    if thread is not None:
        thread = Thread.objects.select_for_update().select_related("call").get(pk=thread.pk)
        _require(by, "calls.post_message", thread)
    elif application is not None:
        # The application's row lock makes two first messages share one thread.
        application = (
            Application.objects.select_for_update().select_related("call").get(pk=application.pk)
        )
        _require(by, "calls.view_application", application)
        thread = Thread.objects.filter(application=application).first() or Thread(
            call=application.call,
            application=application,
            organisation_id=application.organisation_id,
            subject=f"{application.reference} — {application.call.title}"[:MAX_SUBJECT_CHARS],
        )
    elif call is not None and organisation is not None:
        _require(by, "calls.ask_call_question", call)
        if not Membership.objects.filter(user=by, organisation=organisation).exists():
            raise PermissionDenied
        if organisation.kind not in call.eligible_kinds:
            errors["organisation"] = [
                _("Cet appel n'est pas ouvert aux organisations de type « %(kind)s ».")
                % {"kind": organisation.get_kind_display()}
            ]
        subject = " ".join((subject or "").split())
        if not subject:
            errors["subject"] = [_("Donnez un objet à votre question.")]
        thread = Thread(call=call, organisation=organisation, subject=subject[:MAX_SUBJECT_CHARS])
    else:
        raise TypeError("post_message needs a thread, an application, or a call and organisation")

    # Every problem at once, so the person corrects the form in one go.
    try:
        body = _clean_body(body)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        checked = check_attachments(attachments)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    from_operator = _writes_as_operator(by, thread)
    if from_operator:
        thread.awaiting = Awaiting.APPLICANT if expects_answer else Awaiting.NONE
    else:
        thread.awaiting = Awaiting.OPERATOR
    creating = thread.pk is None
    thread.last_message_at = now
    thread.save()
    if creating:
        audit.record(obj=thread, actor=by, action="created")
    message = Message.objects.create(
        thread=thread, author=by, body=body, created_at=now, from_operator=from_operator
    )
    for uploaded, found in checked:
        attachment = MessageAttachment(
            message=message,
            name=found.name,
            content_type=found.content_type,
            size=found.size,
            sha256=found.sha256,
        )
        extension = found.name.rsplit(".", 1)[-1]
        attachment.file.save(f"{found.sha256[:16]}.{extension}", uploaded, save=False)
        attachment.save()
    ThreadRead.objects.update_or_create(thread=thread, user=by, defaults={"last_read_at": now})
    notify(
        recipients=(
            _applicant_recipients(thread, by) if from_operator else _operator_recipients(by)
        ),
        template="calls/email/new_message",
        context={
            "thread": thread,
            "author": by,
            "from_operator": from_operator,
            "organisation": thread.organisation,
            "attachment_count": len(checked),
        },
        url=reverse("calls:thread", kwargs={"pk": thread.pk}),
    )
    return message


@transaction.atomic
def mark_read(*, thread, by, upto=None):
    """Mark the thread read by `by` up to `upto` (default: its last message as loaded)."""
    _require(by, "calls.view_thread", thread)
    upto = upto or thread.last_message_at
    read, created = ThreadRead.objects.get_or_create(
        thread=thread, user=by, defaults={"last_read_at": upto}
    )
    # Never move backwards: a page loaded earlier must not undo a later reading.
    if not created and read.last_read_at < upto:
        ThreadRead.objects.filter(pk=read.pk, last_read_at__lt=upto).update(last_read_at=upto)
    return read


@transaction.atomic
def set_awaiting(*, thread, by, value, note=""):
    """Staff say who must answer next (or nobody); audited."""
    _require(by, "calls.manage_threads", thread)
    if value not in Awaiting.values:
        raise ValidationError({"awaiting": _("Choix inconnu.")})
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    before = thread.awaiting
    if before == value:
        return thread
    thread.awaiting = value
    thread.save(update_fields=["awaiting", "updated_at"])
    audit.record(
        obj=thread, actor=by, action="updated", changes={"awaiting": [before, value]}, note=note
    )
    return thread


@transaction.atomic
def publish_to_faq(*, message, by, question, answer):
    """Staff turn a question into a published FAQ entry of the call, in their own words.

    The question is anonymised by staff in the form (prefilled with the
    message); nothing links the entry back to the organisation publicly.
    """
    thread = message.thread
    _require(by, "calls.manage_threads", thread)
    question, answer = (question or "").strip(), (answer or "").strip()
    errors = {}
    if not question:
        errors["question"] = _("Rédigez la question telle qu'elle sera publiée.")
    if not answer:
        errors["answer"] = _("Rédigez la réponse.")
    if errors:
        raise ValidationError(errors)
    call = Call.objects.select_for_update().get(pk=thread.call_id)
    last = FaqEntry.objects.filter(call=call).aggregate(last=Max("order"))["last"]
    entry = FaqEntry.objects.create(
        call=call,
        question=question,
        answer=answer,
        order=(last or 0) + 1,
        is_published=True,
    )
    audit.record(
        obj=entry,
        actor=by,
        action="created",
        note=_("Publiée depuis le message n°%(message)s de l'échange n°%(thread)s.")
        % {"message": message.pk, "thread": thread.pk},
    )
    return entry


# Reads -----------------------------------------------------------------------


def _is_member_of_thread_organisation(user):
    return Exists(Membership.objects.filter(user=user, organisation=OuterRef("organisation")))


def _unread(user):
    return ~Exists(
        ThreadRead.objects.filter(
            thread=OuterRef("pk"), user=user, last_read_at__gte=OuterRef("last_message_at")
        )
    )


def _with_list_data(queryset, user):
    return queryset.select_related("call", "application", "organisation").annotate(
        unread=_unread(user)
    )


def threads_visible_to(user):
    """Every thread the person may read, as a queryset (no query until evaluated)."""
    if not user.is_authenticated or not user.is_active:
        return Thread.objects.none()
    if user.is_superuser:
        return Thread.objects.all()
    is_staff = Exists(
        Membership.objects.filter(user=user, organisation__kind__in=Organisation.STAFF_KINDS)
    )
    return Thread.objects.filter(_is_member_of_thread_organisation(user) | is_staff)


def unread_threads_count(user):
    """How many threads the person may read have a message they have not read: one query."""
    if not user.is_authenticated:
        return 0
    return threads_visible_to(user).filter(_unread(user)).count()


def my_threads(user):
    """The threads of the person's own organisations, newest activity first, with `unread`."""
    if not user.is_authenticated:
        return Thread.objects.none()
    return _with_list_data(
        Thread.objects.filter(_is_member_of_thread_organisation(user)), user
    ).order_by("-last_message_at", "-pk")


def inbox_threads(user, *, call=None, awaiting="", unread_only=False):
    """The back office's list: every thread, filtered, newest activity first, with `unread`."""
    threads = _with_list_data(Thread.objects.all(), user)
    if call:
        threads = threads.filter(call=call)
    if awaiting:
        threads = threads.filter(awaiting=awaiting)
    if unread_only:
        threads = threads.filter(unread=True)
    return threads.order_by("-last_message_at", "-pk")


def messages_of(thread):
    return thread.messages.select_related("author").prefetch_related("attachments")
