"""Review of a call's complete applications: phases, scoring grids, jurors, conflicts, scores.

A call's review runs in phases (written review, auditions, deliberation), each with
its own grid of criteria and its own rules of what jurors may do and see. Jurors are
people invited onto a call's jury; each scores the files assigned to them, never one
from their own organisation or one they have a conflict with.
"""

import secrets
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel


def new_token():
    """The secret of an invitation link: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


# Every total is shown on this scale ("14,5 / 20").
TOTAL_SCALE = 20


class Phase(TimeStampedModel):
    """One stage of a call's review, and what its jurors may do and see in it."""

    class Scope(models.TextChoices):
        ASSIGNED = "assigned", _("Les dossiers qui leur sont attribués")
        ALL = "all", _("Tous les dossiers complets")

    class OthersReviews(models.TextChoices):
        NEVER = "never", _("Jamais")
        AFTER_OWN = "after_own", _("Après avoir déposé la leur")
        ALWAYS = "always", _("Toujours")

    class Status(models.TextChoices):
        PREPARING = "preparing", _("En préparation")
        OPEN = "open", _("Ouverte")
        CLOSED = "closed", _("Close")

    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        related_name="review_phases",
    )
    title = models.CharField(_("intitulé"), max_length=150)
    order = models.PositiveSmallIntegerField(_("ordre"), default=1)
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.PREPARING
    )
    scoring = models.BooleanField(
        _("les jurés notent"),
        default=True,
        help_text=_("Une phase de délibération peut se tenir sans notation."),
    )
    scope = models.CharField(
        _("dossiers visibles"), max_length=20, choices=Scope.choices, default=Scope.ASSIGNED
    )
    others_reviews = models.CharField(
        _("évaluations des autres jurés"),
        max_length=20,
        choices=OthersReviews.choices,
        default=OthersReviews.AFTER_OWN,
    )
    identities_shown = models.BooleanField(
        _("identité des candidats visible"),
        default=True,
        help_text=_(
            "Sinon, les jurés lisent une copie anonymisée des réponses et ne voient aucune "
            "note agrégée."
        ),
    )
    reviews_per_application = models.PositiveSmallIntegerField(
        _("évaluations par dossier"), default=3, validators=[MinValueValidator(1)]
    )
    closes_at = models.DateTimeField(_("clôture"), null=True, blank=True)

    class Meta:
        verbose_name = _("phase d'évaluation")
        verbose_name_plural = _("phases d'évaluation")
        ordering = ["call", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["call", "order"], name="review_phase_order_unique")
        ]

    def __str__(self):
        return self.title


class Criterion(TimeStampedModel):
    """One line of a phase's scoring grid."""

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="criteria"
    )
    order = models.PositiveSmallIntegerField(_("ordre"), default=1)
    label = models.CharField(_("critère"), max_length=200)
    help_text = models.TextField(_("aide"), blank=True)
    weight = models.DecimalField(
        _("poids"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    scale_min = models.SmallIntegerField(_("note minimale"), default=0)
    scale_max = models.SmallIntegerField(_("note maximale"), default=5)
    # {"0": "Absent", "5": "Excellent"}: a label for some or all levels of the scale.
    level_labels = models.JSONField(_("libellés des niveaux"), default=dict, blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    information_only = models.BooleanField(
        _("pour information"),
        default=False,
        help_text=_("Noté, mais ne compte pas dans le total."),
    )

    class Meta:
        verbose_name = _("critère")
        verbose_name_plural = _("critères")
        ordering = ["phase", "order", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scale_max__gt=models.F("scale_min")), name="criterion_scale_ordered"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="criterion_weight_positive"),
        ]

    def __str__(self):
        return self.label

    @property
    def weight_label(self):
        """The weight as typed: "2", "1,5" (not "2,00")."""
        return number_format(self.weight.normalize())

    @property
    def counts(self):
        """Counts in the total: weighted and not for information only."""
        return not self.information_only and self.weight > 0

    def levels(self):
        """[(value, label or "")] from the lowest level to the highest."""
        return [
            (value, self.level_labels.get(str(value), ""))
            for value in range(self.scale_min, self.scale_max + 1)
        ]


class Juror(TimeStampedModel):
    """A person on a call's jury, with their expertise and how many files they can read."""

    class Kind(models.TextChoices):
        STAFF = "staff", _("Équipe de l'opérateur")
        COMMUNE = "commune", _("Agent de commune")
        EXPERT = "expert", _("Expert partenaire")

    call = models.ForeignKey(
        "calls.Call", verbose_name=_("appel"), on_delete=models.CASCADE, related_name="jurors"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="juries",
    )
    kind = models.CharField(_("qualité"), max_length=20, choices=Kind.choices)
    capacity = models.PositiveSmallIntegerField(
        _("dossiers au plus"), default=10, validators=[MinValueValidator(1)]
    )
    themes = models.ManyToManyField(
        "programmes.Theme", verbose_name=_("expertise : thèmes"), blank=True, related_name="+"
    )
    communes = models.ManyToManyField(
        "programmes.EditionCommune",
        verbose_name=_("expertise : communes"),
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("retiré le"), null=True, blank=True)

    class Meta:
        verbose_name = _("juré")
        verbose_name_plural = _("jurés")
        ordering = ["call", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "user"], name="juror_once_per_call")]

    def __str__(self):
        return str(self.user)


class KnownLink(TimeStampedModel):
    """A link staff know of between a person and an organisation (a support letter, a former
    employer): that organisation's applications are never assigned to the person."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("personne"),
        on_delete=models.CASCADE,
        related_name="known_links",
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="known_links",
    )
    reason = models.CharField(_("lien"), max_length=300)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("noté par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("lien connu")
        verbose_name_plural = _("liens connus")
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="known_link_once")
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation}"


class Conflict(TimeStampedModel):
    """A juror declared a conflict of interest on a file: it is never theirs to review."""

    juror = models.ForeignKey(
        Juror, verbose_name=_("juré"), on_delete=models.CASCADE, related_name="conflicts"
    )
    application = models.ForeignKey(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="review_conflicts",
    )
    reason = models.CharField(_("motif"), max_length=500)

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        constraints = [
            models.UniqueConstraint(fields=["juror", "application"], name="conflict_once")
        ]

    def __str__(self):
        return f"{self.juror} — {self.application}"


class Assignment(TimeStampedModel):
    """A file given to a juror in a phase, by hand or by the solver, with why."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("À la main")
        SOLVER = "solver", _("Attribution automatique")
        CHOSEN = "chosen", _("Choisi par le juré")

    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="assignments"
    )
    juror = models.ForeignKey(
        Juror, verbose_name=_("juré"), on_delete=models.CASCADE, related_name="assignments"
    )
    application = models.ForeignKey(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="review_assignments",
    )
    source = models.CharField(_("origine"), max_length=20, choices=Source.choices)
    # What the assignment rests on, shown to the juror and to staff:
    # {"themes": [...], "communes": [...], "load": 8, "capacity": 10}.
    explanation = models.JSONField(_("explication"), default=dict, blank=True)

    class Meta:
        verbose_name = _("attribution")
        verbose_name_plural = _("attributions")
        ordering = ["phase", "juror", "application"]
        constraints = [
            models.UniqueConstraint(
                fields=["phase", "juror", "application"], name="assignment_once"
            )
        ]

    def __str__(self):
        return f"{self.juror} — {self.application}"


class Review(TimeStampedModel):
    """A juror's scores on one assigned file: a draft saved as they go, then submitted."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposée")

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("attribution"), on_delete=models.CASCADE, related_name="review"
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    comment = models.TextField(_("appréciation générale"), blank=True)
    # The total on TOTAL_SCALE of the criteria scored (review.scoring), kept for rankings.
    total = models.DecimalField(
        _("total sur 20"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("évaluation")
        verbose_name_plural = _("évaluations")

    def __str__(self):
        return str(self.assignment)


class Score(models.Model):
    """A review's score on one criterion: a level of its scale, or "not applicable"."""

    review = models.ForeignKey(
        Review, verbose_name=_("évaluation"), on_delete=models.CASCADE, related_name="scores"
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("critère"), on_delete=models.CASCADE, related_name="scores"
    )
    value = models.SmallIntegerField(_("note"), null=True, blank=True)
    not_applicable = models.BooleanField(_("sans objet"), default=False)
    comment = models.TextField(_("commentaire"), blank=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once"),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(not_applicable=False),
                name="score_value_or_not_applicable",
            ),
        ]

    def __str__(self):
        return f"{self.criterion}: {_('sans objet') if self.not_applicable else self.value}"


class JurorReminder(models.Model):
    """A reminder already sent to a juror with reviews outstanding, so each goes once."""

    juror = models.ForeignKey(
        Juror, verbose_name=_("juré"), on_delete=models.CASCADE, related_name="reminders"
    )
    phase = models.ForeignKey(
        Phase, verbose_name=_("phase"), on_delete=models.CASCADE, related_name="reminders"
    )
    days_before = models.PositiveSmallIntegerField(_("jours avant la clôture"))
    sent_at = models.DateTimeField(_("envoyée le"), default=timezone.now)

    class Meta:
        verbose_name = _("rappel à un juré")
        verbose_name_plural = _("rappels aux jurés")
        constraints = [
            models.UniqueConstraint(
                fields=["juror", "phase", "days_before"], name="juror_reminder_once"
            )
        ]

    def __str__(self):
        return f"{self.juror} J-{self.days_before}"


class RedactedCopy(TimeStampedModel):
    """The free-text answers of a file with what identifies the applicant taken out, by staff:
    what jurors read in a phase where identities are hidden."""

    application = models.OneToOneField(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="redacted_copy",
    )
    # {question key: text}, for the text questions of the file's form.
    answers = models.JSONField(_("réponses anonymisées"), default=dict)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("préparée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("copie anonymisée")
        verbose_name_plural = _("copies anonymisées")

    def __str__(self):
        return str(self.application)


class Decision(TimeStampedModel):
    """The outcome staged for a complete file, with its rationale: staff only until published."""

    class Outcome(models.TextChoices):
        SELECTED = "selected", _("Retenu")
        WAITING_LIST = "waiting_list", _("Liste d'attente")
        NOT_SELECTED = "not_selected", _("Non retenu")

    application = models.OneToOneField(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="review_decision",
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=Outcome.choices)
    rationale = models.TextField(_("motivation"))
    staged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("préparée par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    # The letter as published, its placeholders filled: the PDF is drawn from these, so it
    # says the same thing forever, whatever becomes of the template or the organisation.
    letter_subject = models.CharField(
        _("objet du courrier"), max_length=300, blank=True, default="", db_default=""
    )
    letter_body = models.TextField(_("courrier"), blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")

    def __str__(self):
        return f"{self.application} — {self.get_outcome_display()}"


class LetterTemplate(TimeStampedModel):
    """The letter of one outcome of a call; placeholders in brackets are filled per file."""

    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        related_name="letter_templates",
    )
    outcome = models.CharField(_("décision"), max_length=20, choices=Decision.Outcome.choices)
    subject = models.CharField(_("objet"), max_length=200)
    body = models.TextField(_("texte du courrier"))

    class Meta:
        verbose_name = _("modèle de courrier")
        verbose_name_plural = _("modèles de courrier")
        constraints = [
            models.UniqueConstraint(fields=["call", "outcome"], name="letter_template_unique")
        ]

    def __str__(self):
        return f"{self.call} — {self.get_outcome_display()}"


class Publication(models.Model):
    """The one moment a call's decisions were made public: it cannot happen twice."""

    call = models.OneToOneField(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        related_name="decisions_publication",
    )
    published_at = models.DateTimeField(_("publiées le"), default=timezone.now)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("publiées par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("publication des décisions")
        verbose_name_plural = _("publications des décisions")

    def __str__(self):
        return str(self.call)


class Audition(TimeStampedModel):
    """A shortlisted file, then its slot (an event of the events app) and the applicant's answer."""

    class Status(models.TextChoices):
        SHORTLISTED = "shortlisted", _("Présélectionné, créneau à fixer")
        INVITED = "invited", _("Invité, réponse attendue")
        CONFIRMED = "confirmed", _("Créneau confirmé")
        OTHER_SLOT = "other_slot", _("Demande un autre créneau")

    application = models.OneToOneField(
        "calls.Application",
        verbose_name=_("dossier"),
        on_delete=models.CASCADE,
        related_name="audition",
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.SHORTLISTED
    )
    event = models.OneToOneField(
        "events.Event",
        verbose_name=_("créneau"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audition",
    )
    # The phase whose grid the panel fills in for the audition (the second grid).
    phase = models.ForeignKey(
        Phase,
        verbose_name=_("grille de l'audition"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="auditions",
    )
    panel = models.ManyToManyField(
        Juror, verbose_name=_("jury de l'audition"), blank=True, related_name="auditions"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invitation envoyée par"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    invited_at = models.DateTimeField(_("invité le"), null=True, blank=True)
    answered_at = models.DateTimeField(_("réponse le"), null=True, blank=True)
    answer = models.TextField(_("message du candidat"), blank=True, default="", db_default="")
    notes = models.TextField(_("notes d'audition"), blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("audition")
        verbose_name_plural = _("auditions")

    def __str__(self):
        return str(self.application)


class JurorInvitation(TimeStampedModel):
    """An expert invited by e-mail to a call's jury; their juror exists once they accept."""

    call = models.ForeignKey(
        "calls.Call",
        verbose_name=_("appel"),
        on_delete=models.CASCADE,
        related_name="juror_invitations",
    )
    email = models.EmailField(_("adresse e-mail"))
    full_name = models.CharField(_("nom"), max_length=150)
    capacity = models.PositiveSmallIntegerField(
        _("dossiers au plus"), default=10, validators=[MinValueValidator(1)]
    )
    themes = models.ManyToManyField(
        "programmes.Theme", verbose_name=_("expertise"), blank=True, related_name="+"
    )
    token = models.CharField(max_length=64, unique=True, default=new_token)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invité par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    juror = models.OneToOneField(
        Juror,
        verbose_name=_("juré"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitation",
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation au jury")
        verbose_name_plural = _("invitations au jury")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.call}"

    def is_pending(self, now=None):
        now = now or timezone.now()
        return self.accepted_at is None and self.revoked_at is None and self.expires_at > now
