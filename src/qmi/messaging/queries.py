"""Reads of message threads and the loaders views share.

Unread: a person has read a thread up to `ThreadRead.last_read_at`; the thread
is unread for them while its `last_message_at` is later.
"""

from django.contrib.contenttypes.models import ContentType
from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from qmi.accounts.models import Membership, Organisation

from . import subjects
from .models import MessageAttachment, Thread, ThreadRead


def get_thread_for(user, pk):
    """The thread, or 404 for whoever may not read it (its existence never leaks)."""
    thread = get_object_or_404(Thread.objects.select_related("organisation"), pk=pk)
    if not user.has_perm("messaging.view_thread", thread):
        raise Http404
    return thread


def get_attachment_for(user, pk):
    attachment = get_object_or_404(
        MessageAttachment.objects.select_related("message__thread"), pk=pk
    )
    if not user.has_perm("messaging.view_thread", attachment.message.thread):
        raise Http404
    return attachment


def about(subject):
    """The threads about one subject."""
    return Thread.objects.filter(
        subject_type=ContentType.objects.get_for_model(subject), subject_id=subject.pk
    )


def sole_thread_of(subject):
    """The one thread of a single-thread subject (an application's), or None."""
    return about(subject).filter(is_sole=True).first()


def _is_member_of_thread_organisation(user):
    return Exists(Membership.objects.filter(user=user, organisation=OuterRef("organisation")))


def _unread(user):
    return ~Exists(
        ThreadRead.objects.filter(
            thread=OuterRef("pk"), user=user, last_read_at__gte=OuterRef("last_message_at")
        )
    )


def _with_list_data(queryset, user):
    """Rows of a list: organisation, subjects (one query per subject kind) and `unread`."""
    subject_querysets = [
        kind.queryset() if kind.queryset else kind.model.objects.all() for kind in subjects.kinds()
    ]
    return (
        queryset.select_related("organisation")
        .prefetch_related(GenericPrefetch("subject", subject_querysets))
        .annotate(unread=_unread(user))
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


def unread_threads_of(user):
    """The person's own organisations' threads with a message they have not read."""
    return my_threads(user).filter(unread=True)


def in_scope(key, value):
    """Threads whose subject belongs to the scope `key` = `value` (e.g. one call)."""
    condition = Q(pk__in=[])
    for kind in subjects.kinds():
        if key in kind.in_scope:
            condition |= Q(
                subject_type=ContentType.objects.get_for_model(kind.model),
                subject_id__in=kind.in_scope[key](value),
            )
    return condition


def inbox_threads(user, *, scopes=None, awaiting="", unread_only=False):
    """The back office's list: every thread, filtered, newest activity first, with `unread`.

    `scopes` maps a registered scope's key to the chosen value (e.g. {"call": call}).
    """
    threads = _with_list_data(Thread.objects.all(), user)
    for key, value in (scopes or {}).items():
        if value is not None:
            threads = threads.filter(in_scope(key, value))
    if awaiting:
        threads = threads.filter(awaiting=awaiting)
    if unread_only:
        threads = threads.filter(unread=True)
    return threads.order_by("-last_message_at", "-pk")


def threads_awaiting_operator():
    """Threads waiting for the operator's answer, the longest waiting first (staff's to-do)."""
    return (
        Thread.objects.filter(awaiting=Thread.Awaiting.OPERATOR)
        .select_related("organisation")
        .order_by("last_message_at", "pk")
    )


def messages_of(thread):
    return thread.messages.select_related("author").prefetch_related("attachments")
