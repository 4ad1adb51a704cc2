"""Threads between an applicant organisation and the operator, about any subject.

A thread is about one subject (an application, a call, later an experiment or
a meeting): a generic link (content type + id) whose kind is declared by the
subject's app in `messaging.subjects`. Operations live in services.py, reads
in queries.py, permissions in rules.py.
"""

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel

from . import subjects


class Thread(TimeStampedModel):
    class Awaiting(models.TextChoices):
        NONE = "none", _("Aucune réponse attendue")
        OPERATOR = "operator", _("Réponse de l'opérateur attendue")
        APPLICANT = "applicant", _("Réponse du candidat attendue")

    subject_type = models.ForeignKey(
        ContentType, verbose_name=_("type de sujet"), on_delete=models.PROTECT, related_name="+"
    )
    subject_id = models.PositiveBigIntegerField(_("sujet"))
    subject = GenericForeignKey("subject_type", "subject_id")
    # True for the one thread of a subject kind that allows only one (an application's).
    is_sole = models.BooleanField(_("échange unique du sujet"), default=False)
    # The applicant side: every member of this organisation reads and writes.
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="threads",
    )
    title = models.CharField(_("objet"), max_length=200)
    awaiting = models.CharField(
        _("en attente de"), max_length=20, choices=Awaiting.choices, default=Awaiting.NONE
    )
    last_message_at = models.DateTimeField(_("dernier message le"), default=timezone.now)

    class Meta:
        verbose_name = _("échange")
        verbose_name_plural = _("échanges")
        ordering = ["-last_message_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["subject_type", "subject_id"],
                condition=Q(is_sole=True),
                name="messaging_thread_sole",
            )
        ]
        indexes = [
            models.Index(fields=["-last_message_at"], name="messaging_thread_activity"),
            models.Index(
                fields=["organisation", "-last_message_at"], name="messaging_thread_org_activity"
            ),
            models.Index(fields=["subject_type", "subject_id"], name="messaging_thread_subject"),
            models.Index(fields=["awaiting", "-last_message_at"], name="messaging_thread_awaiting"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("messaging:thread", kwargs={"pk": self.pk})

    @cached_property
    def info(self):
        """What pages, lists and e-mails show of the subject (see subjects.SubjectInfo)."""
        return subjects.describe(self.subject)


class Message(models.Model):
    """One message; never edited, so it is its own record of who wrote what and when."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("échange"), on_delete=models.CASCADE, related_name="messages"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("message"))
    created_at = models.DateTimeField(_("envoyé le"), default=timezone.now)
    from_operator = models.BooleanField(_("écrit par l'opérateur"), default=False)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["thread", "created_at", "pk"]
        indexes = [models.Index(fields=["thread", "created_at"], name="messaging_message_time")]

    def __str__(self):
        return self.body[:80]


def message_attachment_path(attachment, filename):
    # Like documents: the stored name is ours (hash and extension), never the sender's.
    return f"messages/{attachment.message.thread_id}/{filename}"


class MessageAttachment(models.Model):
    message = models.ForeignKey(
        Message, verbose_name=_("message"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(upload_to=message_attachment_path)
    name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("pièce jointe")
        verbose_name_plural = _("pièces jointes")
        ordering = ["message", "pk"]

    def __str__(self):
        return self.name


class ThreadRead(models.Model):
    """Up to when a person has read a thread: a thread is unread while a newer message exists."""

    thread = models.ForeignKey(Thread, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="thread_reads"
    )
    last_read_at = models.DateTimeField(_("lu jusqu'au"))

    class Meta:
        verbose_name = _("lecture d'un échange")
        verbose_name_plural = _("lectures des échanges")
        constraints = [
            models.UniqueConstraint(fields=["thread", "user"], name="messaging_read_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.thread}"
