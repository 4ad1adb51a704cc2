"""Dated events people register for, about any object (today: a call's information sessions).

An event is *about* an object of a higher app (content type + id); that app says
what this means (page to link back to, who manages, title in e-mails) through
`qmi.events.registry`, so this app never imports it.
"""

import secrets

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel


class Event(TimeStampedModel):
    class Kind(models.TextChoices):
        # A new kind (audition slot, committee meeting, community event, training) is added
        # here, with its e-mail templates `events/email/<kind>_<purpose>.*.txt` and, if it
        # needs others than the defaults, its entries in `ics.UID_PREFIXES` and `ics.FILE_STEMS`.
        INFORMATION_SESSION = "information_session", _("Réunion d'information")
        AUDITION = "audition", _("Audition")

    kind = models.CharField(_("type"), max_length=40, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    link = models.URLField(_("lien"), blank=True)
    location = models.CharField(_("lieu"), max_length=300, blank=True)
    # Bumped by `services.save_event` whenever the date, title or place changes, so
    # calendar programmes replace the copy they hold (iCalendar SEQUENCE).
    sequence = models.PositiveIntegerField(_("version du fichier d'agenda"), default=0)
    content_type = models.ForeignKey(
        ContentType, verbose_name=_("à propos de (type)"), on_delete=models.PROTECT
    )
    object_id = models.PositiveBigIntegerField(_("à propos de (identifiant)"))
    about = GenericForeignKey("content_type", "object_id")

    class Meta:
        verbose_name = _("événement")
        verbose_name_plural = _("événements")
        ordering = ["starts_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id", "starts_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="event_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title


def new_token():
    """The secret of a confirmation link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


class RegistrationQuerySet(models.QuerySet):
    def confirmed(self):
        """Registrations that count: the address was confirmed (or was the person's own)."""
        return self.filter(confirmed_at__isnull=False)

    def pending(self):
        return self.filter(confirmed_at__isnull=True)


class Registration(models.Model):
    """Someone, with or without an account, registered for an event.

    A registration counts once its address is confirmed (`confirmed_at`): by the link
    with `token` e-mailed to it, or at once for a logged-in person's verified address.
    """

    event = models.ForeignKey(
        Event,
        verbose_name=_("événement"),
        on_delete=models.CASCADE,
        related_name="registrations",
    )
    name = models.CharField(_("nom"), max_length=150)
    organisation_name = models.CharField(_("organisation"), max_length=200, blank=True)
    # Stored in lower case, so one address registers once per event.
    email = models.EmailField(_("adresse e-mail"))
    created_at = models.DateTimeField(_("inscrit le"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("compte"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="event_registrations",
    )
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("confirmée le"), null=True, blank=True)
    token = models.CharField(
        _("jeton de confirmation"), max_length=64, unique=True, default=new_token, editable=False
    )

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("inscription à un événement")
        verbose_name_plural = _("inscriptions aux événements")
        ordering = ["event", "created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "email"], name="event_registration_unique_email"
            )
        ]

    def __str__(self):
        return f"{self.name} <{self.email}>"
