"""What the platform tells people: notifications kept in the platform, and the e-mail outbox.

Every e-mail leaves through `OutgoingEmail`, whether it goes to a person with
an account (with a `Notification` beside it) or to a bare address (an invitee,
a registrant). Its subject and body are rendered when it is queued, so the
outbox is the record of what was sent, and an e-mail held for checking is
read by staff exactly as it will leave.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel


class Notification(models.Model):
    """A message to one person, kept in the platform whether or not the e-mail arrives."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("destinataire"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("date"), auto_now_add=True)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("message"))
    url = models.CharField(_("lien"), max_length=500, blank=True)
    read_at = models.DateTimeField(_("lu le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyé par e-mail le"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.subject


class OutgoingEmail(TimeStampedModel):
    """One e-mail to one address, from the moment it is written until it has left."""

    class Status(models.TextChoices):
        HELD = "held", _("À vérifier avant envoi")
        QUEUED = "queued", _("À envoyer")
        SENDING = "sending", _("En cours d'envoi")
        SENT = "sent", _("Envoyé")
        FAILED = "failed", _("Échec de l'envoi")
        CANCELLED = "cancelled", _("Annulé")

    to = models.EmailField(_("destinataire"))
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte du destinataire"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    notification = models.OneToOneField(
        Notification,
        verbose_name=_("notification"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="email",
    )
    # The template pair it was rendered from: says which kind of message it is.
    template = models.CharField(_("modèle"), max_length=120)
    language = models.CharField(_("langue"), max_length=8)
    subject = models.CharField(_("objet"), max_length=255)
    body = models.TextField(_("message"))
    # A security message (password reset, log-in code): its body is wiped once sent.
    sensitive = models.BooleanField(_("message de sécurité"), default=False)
    # Text attachments only (calendar files): [{"filename", "mimetype", "content"}].
    attachments = models.JSONField(_("pièces jointes"), default=list, blank=True)
    # What the e-mail is about (an invitation, a decision…), so it can be found or cancelled.
    about_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    about_id = models.CharField(max_length=64, blank=True)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.QUEUED
    )
    sent_at = models.DateTimeField(_("envoyé le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    last_error = models.TextField(_("dernière erreur"), blank=True)

    class Meta:
        verbose_name = _("courriel sortant")
        verbose_name_plural = _("courriels sortants")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["status", "-created_at"], name="outgoing_email_status"),
            models.Index(fields=["about_type", "about_id"], name="outgoing_email_about"),
        ]

    def __str__(self):
        return f"{self.to} — {self.subject}"
