"""Programmes, their editions and phases, the communes taking part and their challenges."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel
from qmi.core.workflow import Transition, Workflow


class Commune(models.Model):
    """A commune of the Métropole du Grand Paris (reference data, loaded from the Etalab list)."""

    insee = models.CharField(_("code INSEE"), max_length=5, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("identifiant"), max_length=100, unique=True)
    departement = models.CharField(_("département"), max_length=3)
    departement_name = models.CharField(_("nom du département"), max_length=60)
    ept_name = models.CharField(_("établissement public territorial"), max_length=100)
    ept_siren = models.CharField(_("SIREN de l'EPT"), max_length=9, blank=True)
    population = models.PositiveIntegerField(_("population"), default=0)
    siren = models.CharField(_("SIREN"), max_length=9, blank=True)
    geometry = models.JSONField(_("contour (GeoJSON)"), default=dict, blank=True)

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Theme(TimeStampedModel):
    """One of the programme's priority urban challenges (défis urbains prioritaires)."""

    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    # English versions, shown to people who chose English (see core.translated).
    name_en = models.CharField(
        _("nom (anglais)"), max_length=120, blank=True, default="", db_default=""
    )
    description_en = models.TextField(
        _("description (anglais)"), blank=True, default="", db_default=""
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=0)

    class Meta:
        verbose_name = _("thème")
        verbose_name_plural = _("thèmes")
        ordering = ["order", "name"]

    def __str__(self):
        return self.name


class Programme(TimeStampedModel):
    slug = models.SlugField(_("identifiant"), unique=True)
    name = models.CharField(_("nom"), max_length=200)
    short_name = models.CharField(_("sigle"), max_length=20)
    summary = models.TextField(_("présentation"), blank=True)
    name_en = models.CharField(
        _("nom (anglais)"), max_length=200, blank=True, default="", db_default=""
    )
    summary_en = models.TextField(
        _("présentation (anglais)"), blank=True, default="", db_default=""
    )

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Stage(models.TextChoices):
    """The steps of an edition's life, in order (see docs/lifecycles.md)."""

    PREPARATION = "preparation", _("En préparation")
    EXPRESSION_OF_INTEREST = "expression_of_interest", _("Appel à manifestation d'intérêt")
    COMMUNE_SELECTION = "commune_selection", _("Sélection des communes")
    FRAMING = "framing", _("Cadrage")
    CALL_FOR_PROJECTS = "call_for_projects", _("Appel à expérimenter")
    EXPERIMENTER_SELECTION = "experimenter_selection", _("Sélection des expérimentateurs")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    EVALUATION = "evaluation", _("Évaluation et essaimage")
    CLOSED = "closed", _("Clôturée")


STAGE_ORDER = list(Stage.values)
# Dated phases describe the working stages; preparation and closure have no dates.
PHASE_KINDS = [choice for choice in Stage.choices if choice[0] not in ("preparation", "closed")]


def _edition_transitions():
    moves = []
    for index, source in enumerate(STAGE_ORDER[:-1]):
        target = STAGE_ORDER[index + 1]
        moves.append(
            Transition(
                source=source,
                target=target,
                label=_("Passer à l'étape suivante"),
                permission="programmes.change_edition_stage",
            )
        )
        # Going back undoes a move made too early; it must be explained.
        moves.append(
            Transition(
                source=target,
                target=source,
                label=_("Revenir à l'étape précédente"),
                permission="programmes.change_edition_stage",
                note_required=True,
            )
        )
    return moves


class Edition(TimeStampedModel):
    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="editions"
    )
    number = models.PositiveSmallIntegerField(_("numéro"))
    slug = models.SlugField(_("identifiant"), unique=True)
    title = models.CharField(_("titre"), max_length=200)
    summary = models.TextField(_("présentation"), blank=True)
    title_en = models.CharField(
        _("titre (anglais)"), max_length=200, blank=True, default="", db_default=""
    )
    summary_en = models.TextField(
        _("présentation (anglais)"), blank=True, default="", db_default=""
    )
    stage = models.CharField(
        _("étape en cours"), max_length=30, choices=Stage.choices, default=Stage.PREPARATION
    )
    is_public = models.BooleanField(
        _("visible du public"),
        default=True,
        help_text=_("Une édition en préparation peut rester cachée du site public."),
    )

    workflow = Workflow(field="stage", transitions=_edition_transitions())

    class Meta:
        verbose_name = _("édition")
        verbose_name_plural = _("éditions")
        ordering = ["programme", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "number"], name="edition_number_unique")
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("showcase:edition", kwargs={"slug": self.slug})

    @property
    def stage_index(self):
        return STAGE_ORDER.index(self.stage)

    @property
    def selection_is_public(self):
        """The communes' selection is announced by moving the edition past it (to framing).

        Until then the Métropole's decision is being taken: the public pages do not
        name the communes it is about.
        """
        return self.stage_index > STAGE_ORDER.index(Stage.COMMUNE_SELECTION)


class Phase(TimeStampedModel):
    """A dated step of an edition, shown on its public timeline."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="phases"
    )
    kind = models.CharField(_("étape"), max_length=30, choices=PHASE_KINDS)
    starts_on = models.DateField(_("début"))
    ends_on = models.DateField(_("fin"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("phase")
        verbose_name_plural = _("phases")
        ordering = ["edition", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "kind"], name="phase_kind_unique"),
            models.CheckConstraint(condition=Q(ends_on__gte=F("starts_on")), name="phase_dates"),
        ]

    def __str__(self):
        return f"{self.edition} — {self.get_kind_display()}"

    @property
    def is_current(self):
        return self.kind == self.edition.stage

    def status_on(self, day=None):
        day = day or timezone.localdate()
        if day < self.starts_on:
            return "upcoming"
        if day > self.ends_on:
            return "past"
        return "ongoing"


class EditionCommune(TimeStampedModel):
    """A commune taking part in an edition: its innovation district, challenge and team."""

    edition = models.ForeignKey(
        Edition, verbose_name=_("édition"), on_delete=models.CASCADE, related_name="communes"
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="editions"
    )
    district = models.CharField(
        _("quartier"), max_length=150, blank=True, help_text=_("Par exemple « Blagis ».")
    )

    class Meta:
        verbose_name = _("commune de l'édition")
        verbose_name_plural = _("communes de l'édition")
        ordering = ["edition", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "commune"], name="edition_commune_unique")
        ]

    def __str__(self):
        return f"{self.commune} ({self.edition})"

    def get_absolute_url(self):
        return reverse(
            "showcase:edition_commune",
            kwargs={"slug": self.edition.slug, "commune": self.commune.slug},
        )


class Challenge(TimeStampedModel):
    """The commune's challenge (défi) for the edition; every rewrite is kept as a version."""

    edition_commune = models.OneToOneField(
        EditionCommune,
        verbose_name=_("commune de l'édition"),
        on_delete=models.CASCADE,
        related_name="challenge",
    )
    theme = models.ForeignKey(
        Theme, verbose_name=_("thème"), null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(_("titre"), max_length=200)
    statement = models.TextField(_("énoncé"))
    version = models.PositiveIntegerField(_("version"), default=1)

    class Meta:
        verbose_name = _("défi")
        verbose_name_plural = _("défis")

    def __str__(self):
        return self.title


class ChallengeVersion(models.Model):
    challenge = models.ForeignKey(
        Challenge, verbose_name=_("défi"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    theme = models.ForeignKey(
        Theme, verbose_name=_("thème"), null=True, blank=True, on_delete=models.SET_NULL
    )
    title = models.CharField(_("titre"), max_length=200)
    statement = models.TextField(_("énoncé"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("version du défi")
        verbose_name_plural = _("versions du défi")
        ordering = ["challenge", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["challenge", "number"], name="challenge_version_unique")
        ]

    def __str__(self):
        return f"{self.challenge} v{self.number}"


class Sector(TimeStampedModel):
    """The innovation district's outline, drawn or uploaded as GeoJSON."""

    edition_commune = models.OneToOneField(
        EditionCommune,
        verbose_name=_("commune de l'édition"),
        on_delete=models.CASCADE,
        related_name="sector",
    )
    name = models.CharField(_("nom du secteur"), max_length=150)
    geometry = models.JSONField(_("contour (GeoJSON)"))
    area_hectares = models.DecimalField(_("surface (ha)"), max_digits=10, decimal_places=1)

    class Meta:
        verbose_name = _("secteur")
        verbose_name_plural = _("secteurs")

    def __str__(self):
        return self.name


class CommuneRole(TimeStampedModel):
    """A named role in a commune's team for one edition."""

    class Role(models.TextChoices):
        ELECTED_REFERENT = "elected_referent", _("Élu référent")
        AGENT_REFERENT = "agent_referent", _("Agent référent")
        COMMUNICATION_REFERENT = "communication_referent", _("Référent communication")
        EXPERT = "expert", _("Expert")

    edition_commune = models.ForeignKey(
        EditionCommune,
        verbose_name=_("commune de l'édition"),
        on_delete=models.CASCADE,
        related_name="team",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="commune_roles",
    )
    role = models.CharField(_("rôle"), max_length=30, choices=Role.choices)

    class Meta:
        verbose_name = _("rôle dans l'équipe communale")
        verbose_name_plural = _("équipe communale")
        ordering = ["edition_commune", "role", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["edition_commune", "user", "role"], name="commune_role_unique"
            )
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()}"


class TrainingEligibility(TimeStampedModel):
    """A commune that may attend the edition's two-day training (every complete AMI file)."""

    edition = models.ForeignKey(
        Edition,
        verbose_name=_("édition"),
        on_delete=models.CASCADE,
        related_name="training_eligibilities",
    )
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), on_delete=models.PROTECT, related_name="+"
    )
    selected = models.BooleanField(_("retenue à l'appel"), default=False)

    class Meta:
        verbose_name = _("commune éligible à la formation")
        verbose_name_plural = _("communes éligibles à la formation")
        ordering = ["edition", "commune__name"]
        constraints = [
            models.UniqueConstraint(fields=["edition", "commune"], name="training_unique")
        ]

    def __str__(self):
        return f"{self.commune} ({self.edition})"
