"""Messages between applicant organisations and the operator: one function per intention.

A thread is about one subject (see subjects.py) and belongs to one applicant
organisation. Two sides write in it:

- the applicant side: every member of the thread's organisation;
- the operator side: operator staff (`accounts.rules.is_operator_staff`).
  A person who is both writes as the applicant side in their own
  organisation's threads.

Who is told of a new message: the other side only, by `mail.services.notify` (recorded
in the platform, e-mailed after commit). Applicant side: the active members of
the organisation. Operator side: the active members of the organisations of
kind "operator" (Paris&Co), who answer the applicants; the Métropole's staff
read threads but are not e-mailed. The e-mail says who wrote and links to the
thread; it never carries the text's attachments.

Messages are never edited, so a message is its own record of who wrote what
and when and posting is not audited again. Deliberate changes are: opening a
thread and who must answer next (`set_awaiting`).

Writing marks the thread read for the author, so one's own messages never
count as unread (see queries.py).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.models import Membership, Organisation, User
from qmi.core import audit, versions
from qmi.core.files import check_upload
from qmi.core.permissions import require as _require
from qmi.mail.services import INBOX, notify

from . import subjects
from .models import Message, MessageAttachment, Thread, ThreadRead
from .rules import is_thread_member, writes_as_operator

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


def _write(*, thread, by, body, attachments, expects_answer, errors):
    """Check the message (with `errors` found before), save thread and message, notify."""
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
    now = timezone.now()
    from_operator = writes_as_operator(by, thread)
    if not from_operator and not is_thread_member(by, thread):
        raise PermissionDenied
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
        template="messaging/email/new_message",
        context={
            "thread": thread,
            "info": thread.info,
            "author": by,
            "from_operator": from_operator,
            "organisation": thread.organisation,
            "attachment_count": len(checked),
        },
        url=reverse("messaging:thread", kwargs={"pk": thread.pk}),
    )
    return message


@transaction.atomic
def post_message(*, by, thread, body, attachments=(), expects_answer=False):
    """Write in an existing thread; returns the message.

    An applicant's message makes the thread await the operator. An operator's
    answer makes it await nobody, unless staff ask the applicant for an answer
    (`expects_answer=True`): a thread never waits on someone who was not asked.
    """
    thread = Thread.objects.select_for_update().get(pk=thread.pk)
    _require(by, "messaging.post_message", thread)
    return _write(
        thread=thread,
        by=by,
        body=body,
        attachments=attachments,
        expects_answer=expects_answer,
        errors={},
    )


@transaction.atomic
def post_about(
    *, by, subject, body, attachments=(), organisation=None, title="", expects_answer=False
):
    """Write about a subject; returns the message.

    A subject with one thread (an application) gets it on the first message and
    keeps it; otherwise (a question about a call) each call opens a new thread,
    for the asking `organisation` and with the person's `title`. Who may do
    this is the subject kind's `start_permission`.
    """
    kind = subjects.kind_of(subject)
    # The subject's row lock makes two first messages share one thread.
    subject = type(subject).objects.select_for_update().get(pk=subject.pk)
    _require(by, kind.start_permission, subject)
    errors = {}
    if kind.organisation_of is not None:
        organisation = kind.organisation_of(subject)
    else:
        if (
            organisation is None
            or not Membership.objects.filter(user=by, organisation=organisation).exists()
        ):
            raise PermissionDenied
        if kind.check_organisation is not None:
            refused = kind.check_organisation(subject, organisation)
            if refused:
                errors["organisation"] = refused
    if kind.default_title is not None:
        title = kind.default_title(subject)
    else:
        title = " ".join((title or "").split())
        if not title:
            errors["subject"] = [_("Donnez un objet à votre question.")]
    thread = None
    if kind.single_thread:
        thread = (
            Thread.objects.filter(
                subject_type=ContentType.objects.get_for_model(subject),
                subject_id=subject.pk,
                is_sole=True,
            )
            .select_for_update()
            .first()
        )
    if thread is None:
        thread = Thread(
            subject=subject,
            is_sole=kind.single_thread,
            organisation=organisation,
            title=title[:MAX_SUBJECT_CHARS],
        )
    return _write(
        thread=thread,
        by=by,
        body=body,
        attachments=attachments,
        expects_answer=expects_answer,
        errors=errors,
    )


@transaction.atomic
def mark_read(*, thread, by, upto=None):
    """Mark the thread read by `by` up to `upto` (default: its last message as loaded)."""
    _require(by, "messaging.view_thread", thread)
    upto = upto or thread.last_message_at
    read, created = ThreadRead.objects.get_or_create(
        thread=thread, user=by, defaults={"last_read_at": upto}
    )
    # Never move backwards: a page loaded earlier must not undo a later reading.
    if not created and read.last_read_at < upto:
        ThreadRead.objects.filter(pk=read.pk, last_read_at__lt=upto).update(last_read_at=upto)
        versions.bump(INBOX)
    return read


@transaction.atomic
def set_awaiting(*, thread, by, value, note=""):
    """Staff say who must answer next (or nobody); audited."""
    _require(by, "messaging.manage_threads", thread)
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
