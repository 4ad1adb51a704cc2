"""Splitting a call's laureates across the communes it serves.

An allocation gathers both sides' preferences: each commune's wishes (ranks over the
laureates, ties allowed, unlisted meaning "not wanted") and each laureate's ranking of
the communes (from its application, confirmed or revised during the window; the
application keeps the original). Runs of the solver keep what they were computed from;
one run is staged with a rationale, then published once as placements.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel

DEFAULT_MINIMUM = 6
DEFAULT_MAXIMUM = 8


class Allocation(TimeStampedModel):
    call = models.OneToOneField(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        related_name="allocation",
    )
    closes_at = models.DateTimeField(
        _("fin des préférences"),
        help_text=_("Dernier instant où communes et lauréats peuvent classer (heure de Paris)."),
    )
    alpha = models.FloatField(
        _("poids de la commune (α)"),
        default=0.5,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Entre 0 et 1 ; le lauréat pèse 1 − α."),
    )
    jury_weight = models.FloatField(
        _("poids de la note du jury"),
        default=0.0,
        validators=[MinValueValidator(0.0), MaxValueValidator(0.1)],
        help_text=_("Petit bonus (au plus 0,1) par note sur 20, pour départager les égalités."),
    )
    one_sided_penalty = models.FloatField(
        _("pénalité d'un intérêt unilatéral"),
        null=True,
        blank=True,
        validators=[MinValueValidator(0.0), MaxValueValidator(1.0)],
        help_text=_("Vide : un couple sans intérêt mutuel n'est jamais proposé."),
    )
    # Days before the closing already reminded (3, then 1).
    reminders_sent = models.JSONField(default=list, blank=True)
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    staged_run = models.ForeignKey(
        "allocation.Run",
        verbose_name=_("répartition préparée"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    staged_rationale = models.TextField(_("motivation"), blank=True)
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    staged_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("répartition")
        verbose_name_plural = _("répartitions")

    def __str__(self):
        return str(_("Répartition — %(call)s") % {"call": self.call})

    def get_absolute_url(self):
        return reverse("allocation:staff", kwargs={"pk": self.pk})

    def is_open(self, now=None):
        return self.published_at is None and (now or timezone.now()) <= self.closes_at


class AllocationCommune(models.Model):
    """A commune the call serves, with how many projects it must and may host."""

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="communes", verbose_name=_("répartition")
    )
    edition_commune = models.ForeignKey(
        "programmes.EditionCommune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        related_name="allocations",
    )
    minimum = models.PositiveSmallIntegerField(_("minimum de projets"), default=DEFAULT_MINIMUM)
    maximum = models.PositiveSmallIntegerField(_("maximum de projets"), default=DEFAULT_MAXIMUM)
    wishes_saved_at = models.DateTimeField(_("souhaits enregistrés le"), null=True, blank=True)
    wishes_saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The letter the commune received at publication, its placeholders filled.
    letter_subject = models.CharField(max_length=300, blank=True)
    letter_body = models.TextField(blank=True)

    class Meta:
        verbose_name = _("commune de la répartition")
        verbose_name_plural = _("communes de la répartition")
        ordering = ["edition_commune__commune__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "edition_commune"], name="allocation_commune_unique"
            ),
            models.CheckConstraint(
                condition=Q(minimum__lte=models.F("maximum")), name="allocation_commune_bounds"
            ),
        ]

    def __str__(self):
        return self.edition_commune.commune.name


class CommuneWish(models.Model):
    """One laureate a commune wants, with its rank (1 is most wanted; ties allowed)."""

    commune = models.ForeignKey(AllocationCommune, on_delete=models.CASCADE, related_name="wishes")
    application = models.ForeignKey(
        "calls.Application", on_delete=models.CASCADE, related_name="commune_wishes"
    )
    rank = models.PositiveSmallIntegerField(_("rang"), validators=[MinValueValidator(1)])

    class Meta:
        verbose_name = _("souhait d'une commune")
        verbose_name_plural = _("souhaits des communes")
        ordering = ["commune", "rank", "application__reference"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "application"], name="commune_wish_unique"),
            models.CheckConstraint(condition=Q(rank__gte=1), name="commune_wish_rank_positive"),
        ]

    def __str__(self):
        return f"{self.commune} — {self.application_id} ({self.rank})"


class LaureateRanking(models.Model):
    """A laureate's answer in the window: its application's ranking confirmed or revised.

    The application's answers keep the original ranking; this row holds the one in force.
    """

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="laureate_rankings"
    )
    application = models.ForeignKey(
        "calls.Application", on_delete=models.CASCADE, related_name="allocation_rankings"
    )
    # [edition commune id, ...] in order of preference, 1st first.
    ranking = models.JSONField(_("classement"), default=list)
    revised = models.BooleanField(_("modifié"), default=False)
    answered_at = models.DateTimeField(_("répondu le"), default=timezone.now)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("classement d'un lauréat")
        verbose_name_plural = _("classements des lauréats")
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "application"], name="laureate_ranking_unique"
            )
        ]

    def __str__(self):
        return f"{self.allocation_id} — {self.application_id}"


class PairRule(models.Model):
    """The committee's override on one pair: a pin (always) or a forbid (never), with a note."""

    class Kind(models.TextChoices):
        PIN = "pin", _("Fixé")
        FORBID = "forbid", _("Interdit")

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="rules")
    application = models.ForeignKey("calls.Application", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(AllocationCommune, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("type"), max_length=10, choices=Kind.choices)
    note = models.TextField(_("note"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("choix du comité")
        verbose_name_plural = _("choix du comité")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "application", "commune"], name="pair_rule_unique"
            ),
            models.UniqueConstraint(
                fields=["allocation", "application"],
                condition=Q(kind="pin"),
                name="pair_rule_one_pin",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.application_id} / {self.commune_id}"


class Run(models.Model):
    """One computation: who, when, with what, and what came out."""

    class Status(models.TextChoices):
        COMPUTING = "computing", _("En cours de calcul")
        OPTIMAL = "optimal", _("Optimale")
        TIME_LIMIT = "time_limit", _("Temps limite atteint")
        INFEASIBLE = "infeasible", _("Impossible")
        FAILED = "failed", _("Échec")

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(_("numéro"))
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.COMPUTING
    )
    params = models.JSONField(_("paramètres"), default=dict)
    # Everything the solver was given, names included, and its SHA-256.
    snapshot = models.JSONField(default=dict)
    input_hash = models.CharField(max_length=64)
    # Per laureate: commune, both ranks, points, flags, explanation; plus the summary.
    result = models.JSONField(default=dict, blank=True)
    objective = models.FloatField(_("total"), null=True, blank=True)
    gap = models.FloatField(_("écart"), null=True, blank=True)
    seconds = models.FloatField(_("durée du calcul"), null=True, blank=True)
    reasons = models.JSONField(default=list, blank=True)
    suggestions = models.JSONField(default=list, blank=True)
    progress = models.CharField(max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("calcul de répartition")
        verbose_name_plural = _("calculs de répartition")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["allocation", "number"], name="run_number_unique"),
            models.UniqueConstraint(
                fields=["allocation"],
                condition=Q(status="computing"),
                name="run_one_computing",
            ),
        ]

    def __str__(self):
        return str(_("Calcul n° %(number)s") % {"number": self.number})

    def get_absolute_url(self):
        return reverse("allocation:run", kwargs={"pk": self.pk})

    @property
    def succeeded(self):
        return self.status in {self.Status.OPTIMAL, self.Status.TIME_LIMIT}


class Placement(TimeStampedModel):
    """A published placement of a laureate in a commune: what its experiment starts from."""

    class Status(models.TextChoices):
        ACTIVE = "active", _("En vigueur")
        MOVED = "moved", _("Déplacé")
        WITHDRAWN = "withdrawn", _("Désisté")

    allocation = models.ForeignKey(Allocation, on_delete=models.CASCADE, related_name="placements")
    application = models.ForeignKey(
        "calls.Application", on_delete=models.PROTECT, related_name="placements"
    )
    commune = models.ForeignKey(
        AllocationCommune, on_delete=models.PROTECT, related_name="placements"
    )
    run = models.ForeignKey(Run, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.ACTIVE
    )
    rationale = models.TextField(_("motivation"), blank=True)
    published_at = models.DateTimeField(_("publié le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    ended_at = models.DateTimeField(null=True, blank=True)
    letter_subject = models.CharField(max_length=300, blank=True)
    letter_body = models.TextField(blank=True)

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["commune", "application__reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(status="active"),
                name="placement_one_active",
            )
        ]

    def __str__(self):
        return f"{self.application.reference} → {self.commune}"


class PendingChange(models.Model):
    """After publication: a move or a promotion from the waiting list, staged then published."""

    class Kind(models.TextChoices):
        MOVE = "move", _("Changement de commune")
        PROMOTION = "promotion", _("Entrée depuis la liste d'attente")

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="pending_changes"
    )
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    application = models.ForeignKey("calls.Application", on_delete=models.CASCADE, related_name="+")
    commune = models.ForeignKey(AllocationCommune, on_delete=models.CASCADE, related_name="+")
    rationale = models.TextField(_("motivation"))
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    staged_at = models.DateTimeField(default=timezone.now)
    published_at = models.DateTimeField(null=True, blank=True)
    placement = models.ForeignKey(
        Placement, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = _("changement à publier")
        verbose_name_plural = _("changements à publier")
        ordering = ["staged_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["application"],
                condition=Q(published_at__isnull=True),
                name="pending_change_one_per_laureate",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} — {self.application_id}"


class LetterTemplate(TimeStampedModel):
    """The allocation's letter to each laureate or to each commune; placeholders in brackets."""

    class Recipient(models.TextChoices):
        LAUREATE = "laureate", _("Courrier à chaque lauréat")
        COMMUNE = "commune", _("Courrier à chaque commune")

    allocation = models.ForeignKey(
        Allocation, on_delete=models.CASCADE, related_name="letter_templates"
    )
    recipient = models.CharField(_("destinataire"), max_length=20, choices=Recipient.choices)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte du courrier"))

    class Meta:
        verbose_name = _("modèle de courrier de répartition")
        verbose_name_plural = _("modèles de courrier de répartition")
        constraints = [
            models.UniqueConstraint(
                fields=["allocation", "recipient"], name="allocation_letter_template_unique"
            )
        ]

    def __str__(self):
        return f"{self.allocation} — {self.get_recipient_display()}"
