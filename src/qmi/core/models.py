"""Shared building blocks: timestamps, the audit trail and people's notifications."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when: one row per state change or back-office edit."""

    created_at = models.DateTimeField(_("date"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept even if the account is deleted later, so the trail still says who.
    actor_label = models.CharField(_("auteur (libellé)"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=64)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(_("objet"), max_length=255)
    changes = models.JSONField(_("modifications"), default=dict, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("entrée du journal")
        verbose_name_plural = _("journal des modifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "-created_at"])]

    ACTION_LABELS = {
        "created": _("création"),
        "updated": _("modification"),
        "deleted": _("suppression"),
        "transition": _("changement d'état"),
        "invited": _("invitation envoyée"),
        "invitation_revoked": _("invitation révoquée"),
        "joined": _("arrivée d'un membre"),
        "role_changed": _("rôle modifié"),
        "member_removed": _("membre retiré"),
        "team_added": _("ajout à l'équipe"),
        "team_removed": _("retrait de l'équipe"),
        "form_published": _("formulaire publié"),
        "form_section_added": _("section ajoutée"),
        "form_section_updated": _("section modifiée"),
        "form_section_moved": _("section déplacée"),
        "form_section_deleted": _("section supprimée"),
        "form_question_added": _("question ajoutée"),
        "form_question_updated": _("question modifiée"),
        "form_question_moved": _("question déplacée"),
        "form_question_deleted": _("question supprimée"),
        "form_template_uploaded": _("modèle joint"),
        "form_template_removed": _("modèle retiré"),
        "duplicated": _("appel dupliqué"),
    }

    def __str__(self):
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.object_repr}"
        )

    def get_action_display(self):
        return self.ACTION_LABELS.get(self.action, self.action)


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
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self):
        return self.subject
