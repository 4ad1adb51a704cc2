"""Experiments: one record per placed laureate, from its application to its evaluation.

An experiment is opened when the allocation publishes a placement, follows its laureate
if it is moved while still in framing, and closes as « Désistée » if it withdraws. Its
history (`ExperimentEvent`) is kept in plain rows so its page reads it without parsing
the audit trail, which is written too.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel
from qmi.core.workflow import Transition, Workflow

MANAGE = "experiments.manage_experiment"


class Status(models.TextChoices):
    FRAMING = "framing", _("En cadrage")
    PREPARATION = "preparation", _("En préparation")
    RUNNING = "running", _("En cours")
    PAUSED = "paused", _("En pause")
    FINISHED = "finished", _("Terminée")
    STOPPED = "stopped", _("Arrêtée")
    WITHDRAWN = "withdrawn", _("Désistée")


# The states under way: an experiment may stop from them, or its laureate withdraw.
UNDER_WAY = (Status.PREPARATION, Status.RUNNING, Status.PAUSED)


def _experiment_transitions():
    moves = [
        Transition(Status.FRAMING, Status.PREPARATION, _("Passer en préparation"), MANAGE),
        Transition(Status.PREPARATION, Status.RUNNING, _("Démarrer l'expérimentation"), MANAGE),
        Transition(Status.RUNNING, Status.PAUSED, _("Mettre en pause"), MANAGE),
        Transition(Status.PAUSED, Status.RUNNING, _("Reprendre"), MANAGE),
        Transition(Status.RUNNING, Status.FINISHED, _("Terminer"), MANAGE),
        Transition(Status.PAUSED, Status.FINISHED, _("Terminer"), MANAGE),
    ]
    moves += [
        Transition(source, Status.STOPPED, _("Arrêter"), MANAGE, note_required=True)
        for source in UNDER_WAY
    ]
    moves += [
        Transition(
            source, Status.WITHDRAWN, _("Constater le désistement"), MANAGE, note_required=True
        )
        for source in (Status.FRAMING, *UNDER_WAY)
    ]
    return moves


class Experiment(TimeStampedModel):
    """A laureate's solution tested in a commune: the application, the parties, the state."""

    Status = Status

    edition = models.ForeignKey(
        "programmes.Edition",
        verbose_name=_("édition"),
        on_delete=models.PROTECT,
        related_name="experiments",
    )
    # One record from application to evaluation: an application has at most one experiment.
    application = models.OneToOneField(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.PROTECT,
        related_name="experiment",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("expérimentateur"),
        on_delete=models.PROTECT,
        related_name="experiments",
    )
    edition_commune = models.ForeignKey(
        "programmes.EditionCommune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="experiments",
    )
    challenge = models.ForeignKey(
        "programmes.Challenge",
        verbose_name=_("défi"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiments",
    )
    sector = models.ForeignKey(
        "programmes.Sector",
        verbose_name=_("secteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiments",
    )
    # The placement in force it started from (or was last moved by).
    placement = models.ForeignKey(
        "allocation.Placement",
        verbose_name=_("placement"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="experiments",
    )
    title = models.CharField(_("titre"), max_length=200)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.FRAMING, db_index=True
    )

    workflow = Workflow(field="status", transitions=_experiment_transitions())

    class Meta:
        verbose_name = _("expérimentation")
        verbose_name_plural = _("expérimentations")
        ordering = ["-created_at", "-id"]
        indexes = [
            # The staff's list filtered by edition and commune, newest first.
            models.Index(fields=["edition", "edition_commune", "-created_at", "-id"]),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("experiments:detail", kwargs={"pk": self.pk})


class ExperimentEvent(models.Model):
    """One line of an experiment's history: opened, moved to another commune, state changed."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Ouverture")
        MOVED = "moved", _("Changement de commune")
        STATUS_CHANGED = "status_changed", _("Changement d'état")

    experiment = models.ForeignKey(
        Experiment,
        verbose_name=_("expérimentation"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    from_commune = models.ForeignKey(
        "programmes.EditionCommune",
        verbose_name=_("commune de départ"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_commune = models.ForeignKey(
        "programmes.EditionCommune",
        verbose_name=_("commune d'arrivée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    from_status = models.CharField(
        _("état de départ"), max_length=20, choices=Status.choices, blank=True
    )
    to_status = models.CharField(
        _("nouvel état"), max_length=20, choices=Status.choices, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("par"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("événement d'une expérimentation")
        verbose_name_plural = _("historique des expérimentations")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.experiment_id} — {self.get_kind_display()}"
