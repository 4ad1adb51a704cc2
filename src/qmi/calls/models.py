"""Calls (AMI and call for projects), their forms, the applications and their documents.

A call's form is versioned: a `FormRevision` holds ordered sections and
questions. Questions carry a stable `key`, so a draft keeps its answers when it
moves to a newer revision, and a submitted application keeps the revision it
was submitted on. Applications move through `Application.workflow` only.
"""

import datetime

from django.conf import settings
from django.contrib.contenttypes.fields import GenericRelation
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from qmi.core.models import TimeStampedModel
from qmi.core.workflow import Transition, Workflow


def default_reminder_days():
    return [7, 2]


class Call(TimeStampedModel):
    class Kind(models.TextChoices):
        EXPRESSION_OF_INTEREST = "expression_of_interest", _("Appel à manifestation d'intérêt")
        PROJECTS = "projects", _("Appel à expérimenter")

    class Status(models.TextChoices):
        DRAFT = "draft", _("En préparation")
        PUBLISHED = "published", _("Publié")
        CLOSED = "closed", _("Clos")

    edition = models.ForeignKey(
        "programmes.Edition",
        verbose_name=_("édition"),
        on_delete=models.PROTECT,
        related_name="calls",
    )
    kind = models.CharField(_("type d'appel"), max_length=30, choices=Kind.choices)
    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=80, unique=True)
    # Sanitised HTML (see calls.html.clean_html): staff write it, applicants read it.
    presentation = models.TextField(_("présentation"), blank=True)
    eligible_kinds = models.JSONField(
        _("qui peut candidater"),
        default=list,
        help_text=_("Types d'organisation admis à candidater."),
    )
    opens_at = models.DateTimeField(_("ouverture"))
    closes_at = models.DateTimeField(
        _("clôture"),
        help_text=_("Dernier instant où un dossier peut être déposé (heure de Paris)."),
    )
    contact_name = models.CharField(_("contact"), max_length=150, blank=True)
    contact_email = models.EmailField(_("e-mail de contact"), blank=True)
    criteria = models.TextField(_("critères de sélection"), blank=True)
    # English versions for calls open abroad, shown to people who chose English.
    title_en = models.CharField(
        _("titre (anglais)"), max_length=200, blank=True, default="", db_default=""
    )
    presentation_en = models.TextField(
        _("présentation (anglais)"), blank=True, default="", db_default=""
    )
    criteria_en = models.TextField(
        _("critères de sélection (anglais)"), blank=True, default="", db_default=""
    )
    status = models.CharField(
        _("état"), max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    reference_prefix = models.CharField(
        _("préfixe des numéros de dossier"),
        max_length=12,
        help_text=_("Par exemple « AMI2 » : les dossiers seront numérotés AMI2-0001, AMI2-0002…"),
    )
    reminder_days = models.JSONField(
        _("relances des brouillons (jours avant la clôture)"),
        default=default_reminder_days,
        blank=True,
        help_text=_(
            "Par exemple 7 et 2 : un e-mail à J-7 et à J-2 pour chaque brouillon non déposé."
        ),
    )
    # Its information sessions (qmi.events); deleted with the call, as before.
    events = GenericRelation("events.Event")

    workflow = Workflow(
        field="status",
        transitions=[
            Transition(Status.DRAFT, Status.PUBLISHED, _("Publier"), "calls.manage_calls"),
            Transition(Status.PUBLISHED, Status.CLOSED, _("Clore"), "calls.manage_calls"),
            Transition(Status.CLOSED, Status.PUBLISHED, _("Rouvrir"), "calls.manage_calls"),
        ],
    )

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        ordering = ["-opens_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")), name="call_closes_after_opening"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("calls:call", kwargs={"slug": self.slug})

    def accepts_submissions(self, now=None):
        """Open for submission: published, and now within [opens_at, closes_at], both inclusive."""
        now = now or timezone.now()
        return self.status == self.Status.PUBLISHED and self.opens_at <= now <= self.closes_at

    def is_upcoming(self, now=None):
        return (now or timezone.now()) < self.opens_at

    def time_left(self, now=None):
        left = self.closes_at - (now or timezone.now())
        return left if left > datetime.timedelta(0) else datetime.timedelta(0)

    @property
    def current_revision(self):
        return self.revisions.filter(published_at__isnull=False).order_by("-number").first()


class FaqEntry(TimeStampedModel):
    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="faq"
    )
    question = models.TextField(_("question"))
    answer = models.TextField(_("réponse"))
    order = models.PositiveIntegerField(_("ordre"), default=0)
    is_published = models.BooleanField(_("publiée"), default=True)

    class Meta:
        verbose_name = _("question fréquente")
        verbose_name_plural = _("questions fréquentes")
        ordering = ["call", "order", "pk"]

    def __str__(self):
        return self.question[:80]


class FormRevision(models.Model):
    """One version of a call's form. Published revisions are never edited again."""

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="revisions"
    )
    number = models.PositiveIntegerField(_("révision"))
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("révision du formulaire")
        verbose_name_plural = _("révisions du formulaire")
        ordering = ["call", "number"]
        constraints = [
            models.UniqueConstraint(fields=["call", "number"], name="form_revision_unique")
        ]

    def __str__(self):
        return f"{self.call} — r{self.number}"

    @property
    def is_published(self):
        return self.published_at is not None


class Section(models.Model):
    revision = models.ForeignKey(
        FormRevision, verbose_name=_("révision"), on_delete=models.CASCADE, related_name="sections"
    )
    order = models.PositiveIntegerField(_("ordre"), default=0)
    title = models.CharField(_("titre"), max_length=200)
    description = models.TextField(_("consigne"), blank=True)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["revision", "order", "pk"]

    def __str__(self):
        return self.title


class Question(models.Model):
    class Kind(models.TextChoices):
        SHORT_TEXT = "short_text", _("Texte court")
        LONG_TEXT = "long_text", _("Texte long")
        SINGLE_CHOICE = "single_choice", _("Choix unique")
        MULTIPLE_CHOICE = "multiple_choice", _("Choix multiples")
        NUMBER = "number", _("Nombre")
        DATE = "date", _("Date")
        EMAIL = "email", _("Adresse e-mail")
        URL = "url", _("Adresse web")
        PHONE = "phone", _("Téléphone")
        YES_NO = "yes_no", _("Oui / non")
        ADDRESS = "address", _("Adresse postale")
        COMMUNE_RANKING = "commune_ranking", _("Communes souhaitées, par ordre de préférence")
        DOCUMENT = "document", _("Pièce justificative")

    section = models.ForeignKey(
        Section, verbose_name=_("section"), on_delete=models.CASCADE, related_name="questions"
    )
    # Stable across revisions: answers are stored under this key.
    key = models.SlugField(_("clé"), max_length=60)
    order = models.PositiveIntegerField(_("ordre"), default=0)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    label = models.CharField(_("intitulé"), max_length=300)
    help_text = models.TextField(_("aide"), blank=True)
    required = models.BooleanField(_("obligatoire"), default=True)
    # Kind-specific settings: max_length, max_chars, choices, min, max, unit,
    # accepted (document types), max_size_mb, multiple (several files), max_ranked.
    config = models.JSONField(_("réglages"), default=dict, blank=True)
    # Shown only when the answer to `condition_key` equals `condition_value`.
    condition_key = models.SlugField(_("condition : question"), max_length=60, blank=True)
    condition_value = models.CharField(_("condition : réponse"), max_length=200, blank=True)
    template_file = models.FileField(
        _("modèle à télécharger"), upload_to="calls/templates/", blank=True
    )

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["section", "order", "pk"]

    def __str__(self):
        return self.label


class Application(TimeStampedModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Brouillon")
        SUBMITTED = "submitted", _("Déposé")
        CORRECTION_REQUESTED = "correction_requested", _("Correction demandée")
        COMPLETE = "complete", _("Complet")
        INADMISSIBLE = "inadmissible", _("Irrecevable")
        WITHDRAWN = "withdrawn", _("Retiré")

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.PROTECT, related_name="applications"
    )
    organisation = models.ForeignKey(
        "accounts.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    revision = models.ForeignKey(
        FormRevision, verbose_name=_("révision du formulaire"), on_delete=models.PROTECT
    )
    reference = models.CharField(_("numéro de dossier"), max_length=24, unique=True)
    status = models.CharField(
        _("état"), max_length=30, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    answers = models.JSONField(_("réponses"), default=dict, blank=True)
    # key -> {"v": version that last changed it, "by": user id, "at": ISO time}
    answers_meta = models.JSONField(default=dict, blank=True)
    # Bumped by every save: the autosave's optimistic lock.
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    submitted_at = models.DateTimeField(_("déposé le"), null=True, blank=True)

    workflow = Workflow(
        field="status",
        transitions=[
            Transition(Status.DRAFT, Status.SUBMITTED, _("Déposer"), "calls.submit_application"),
            Transition(
                Status.CORRECTION_REQUESTED,
                Status.SUBMITTED,
                _("Déposer à nouveau"),
                "calls.submit_application",
            ),
            Transition(
                Status.SUBMITTED,
                Status.CORRECTION_REQUESTED,
                _("Demander une correction"),
                "calls.examine_application",
                note_required=True,
            ),
            Transition(
                Status.SUBMITTED,
                Status.COMPLETE,
                _("Déclarer complet"),
                "calls.examine_application",
            ),
            Transition(
                Status.SUBMITTED,
                Status.INADMISSIBLE,
                _("Déclarer irrecevable"),
                "calls.examine_application",
                note_required=True,
            ),
            Transition(Status.DRAFT, Status.WITHDRAWN, _("Retirer"), "calls.withdraw_application"),
            Transition(
                Status.SUBMITTED, Status.WITHDRAWN, _("Retirer"), "calls.withdraw_application"
            ),
        ],
    )

    class Meta:
        verbose_name = _("candidature")
        verbose_name_plural = _("candidatures")
        ordering = ["-created_at"]
        constraints = [
            # One live application per organisation and call; a withdrawn one may be followed by another.
            models.UniqueConstraint(
                fields=["call", "organisation"],
                condition=~Q(status="withdrawn"),
                name="application_one_live_per_organisation",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(status="withdrawn") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["call", "status"]),
            # The staff list's default order: the newest 50 without sorting the whole call.
            models.Index(fields=["call", "-created_at", "-id"], name="application_call_newest"),
            # The staff's « À faire »: the longest-waiting submitted files, without a sort.
            models.Index(fields=["status", "submitted_at", "id"], name="application_waiting"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.organisation}"

    def get_absolute_url(self):
        return reverse("calls:application", kwargs={"pk": self.pk})


class Submission(models.Model):
    """What was submitted, each time: kept whole so two versions can be compared."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("candidature"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    number = models.PositiveIntegerField(_("dépôt n°"))
    revision = models.ForeignKey(FormRevision, on_delete=models.PROTECT)
    submitted_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    answers = models.JSONField(default=dict)
    # [{"key", "name", "size", "sha256", "document_id"}]
    documents = models.JSONField(default=list)
    # What the acknowledgement of receipt shows, frozen at submission (names of the
    # organisation, the call and the person of that day, labels and answers): see receipts.py.
    receipt = models.JSONField(default=dict, editable=False)

    class Meta:
        verbose_name = _("dépôt")
        verbose_name_plural = _("dépôts")
        ordering = ["application", "number"]
        constraints = [
            models.UniqueConstraint(fields=["application", "number"], name="submission_unique")
        ]

    def __str__(self):
        return f"{self.application.reference} #{self.number}"


def document_path(document, filename):
    # The stored name never reuses what the applicant typed: only the id and an extension.
    return f"applications/{document.application_id}/{document.question_key}/{filename}"


class Document(models.Model):
    application = models.ForeignKey(
        Application,
        verbose_name=_("candidature"),
        on_delete=models.CASCADE,
        related_name="documents",
    )
    question_key = models.SlugField(max_length=60)
    file = models.FileField(upload_to=document_path)
    name = models.CharField(_("nom du fichier"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(_("taille"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("déposé le"), default=timezone.now)
    # Replaced or removed before submission; kept while a submission refers to it.
    removed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["application", "question_key", "uploaded_at"]
        indexes = [models.Index(fields=["application", "question_key", "removed_at"])]

    def __str__(self):
        return self.name


class CorrectionRequest(models.Model):
    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="correction_requests"
    )
    message = models.TextField(_("ce qui manque ou doit être corrigé"))
    due_at = models.DateTimeField(_("à corriger avant le"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Set by staff once the new deposit answers the request (or when they ask again,
    # or declare the file complete): a new deposit alone does not resolve it.
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("demande de correction")
        verbose_name_plural = _("demandes de correction")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.application.reference}: {self.message[:60]}"


class RequestedDocument(models.Model):
    """A document a correction request asks for that the form did not have (a Kbis…).

    Its files are `Document` rows under `document_key`, which holds a dot so that it
    can never be the key of a question (keys are slugs).
    """

    correction = models.ForeignKey(
        CorrectionRequest, on_delete=models.CASCADE, related_name="requested_documents"
    )
    label = models.CharField(_("pièce demandée"), max_length=200)
    help_text = models.CharField(_("précisions"), max_length=1000, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("pièce demandée en correction")
        verbose_name_plural = _("pièces demandées en correction")
        ordering = ["correction", "order", "pk"]

    KEY_PREFIX = "correction."

    def __str__(self):
        return self.label

    @property
    def document_key(self):
        return f"{self.KEY_PREFIX}{self.pk}"


class Reminder(models.Model):
    """A deadline reminder already sent for a draft, so each one goes out once."""

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        constraints = [
            models.UniqueConstraint(fields=["application", "days_before"], name="reminder_once")
        ]

    def __str__(self):
        return f"{self.application.reference} J-{self.days_before}"


class DeletionNotice(models.Model):
    """The e-mail telling a draft's members it will be deleted (`services.retention`), sent once.

    A draft never submitted is deleted only NOTICE_DAYS after this notice.
    """

    application = models.OneToOneField(
        Application, on_delete=models.CASCADE, related_name="deletion_notice"
    )
    sent_at = models.DateTimeField(_("suppression annoncée le"), default=timezone.now)

    class Meta:
        verbose_name = _("annonce de suppression")
        verbose_name_plural = _("annonces de suppression")

    def __str__(self):
        return f"{self.application.reference} ({self.sent_at:%Y-%m-%d})"


# Labels and private notes ----------------------------------------------------
# Staff sort a call's applications with labels of their own and keep private
# notes on each one. Neither is ever shown to applicants. Operations live in
# services/labels.py, views in views/labels.py.

# Each colour: (background, text). Every pair passes WCAG AA for normal text
# (contrast ratio ≥ 4.5:1, checked by the tests); qmi/css/calls-labels.css uses them.
LABEL_PALETTE = {
    "blue": ("#dbeafe", "#1e3a8a"),
    "green": ("#dcfce7", "#14532d"),
    "yellow": ("#fef9c3", "#713f12"),
    "orange": ("#ffedd5", "#7c2d12"),
    "red": ("#fee2e2", "#7f1d1d"),
    "purple": ("#f3e8ff", "#581c87"),
    "pink": ("#fce7f3", "#831843"),
    "grey": ("#f1f5f9", "#1e293b"),
}


class Label(models.Model):
    class Colour(models.TextChoices):
        BLUE = "blue", _("Bleu")
        GREEN = "green", _("Vert")
        YELLOW = "yellow", _("Jaune")
        ORANGE = "orange", _("Orange")
        RED = "red", _("Rouge")
        PURPLE = "purple", _("Violet")
        PINK = "pink", _("Rose")
        GREY = "grey", _("Gris")

    call = models.ForeignKey(
        Call, verbose_name=_("appel"), on_delete=models.CASCADE, related_name="labels"
    )
    name = models.CharField(_("nom"), max_length=60)
    colour = models.CharField(
        _("couleur"), max_length=20, choices=Colour.choices, default=Colour.BLUE
    )
    created_at = models.DateTimeField(_("créée le"), default=timezone.now)
    applications = models.ManyToManyField(
        Application,
        through="ApplicationLabel",
        related_name="labels",
        verbose_name=_("candidatures"),
        blank=True,
    )

    class Meta:
        verbose_name = _("étiquette")
        verbose_name_plural = _("étiquettes")
        ordering = ["call", "name", "pk"]
        constraints = [models.UniqueConstraint(fields=["call", "name"], name="label_unique_name")]

    def __str__(self):
        return self.name


class ApplicationLabel(models.Model):
    """A label put on an application: who put it there, and when."""

    application = models.ForeignKey(
        Application, on_delete=models.CASCADE, related_name="label_links"
    )
    label = models.ForeignKey(Label, on_delete=models.CASCADE, related_name="links")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("ajoutée par"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    added_at = models.DateTimeField(_("ajoutée le"), default=timezone.now)

    class Meta:
        verbose_name = _("étiquette d'une candidature")
        verbose_name_plural = _("étiquettes des candidatures")
        constraints = [
            models.UniqueConstraint(
                fields=["application", "label"], name="application_label_unique"
            )
        ]
        indexes = [models.Index(fields=["label", "application"], name="application_label_by_label")]

    def __str__(self):
        return f"{self.application_id} — {self.label_id}"


class StaffNote(models.Model):
    """A private note of the operator's staff on an application: never shown to applicants."""

    application = models.ForeignKey(
        Application,
        verbose_name=_("candidature"),
        on_delete=models.CASCADE,
        related_name="staff_notes",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auteur"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    body = models.TextField(_("note"))
    created_at = models.DateTimeField(_("écrite le"), default=timezone.now)

    class Meta:
        verbose_name = _("note privée")
        verbose_name_plural = _("notes privées")
        ordering = ["application", "-created_at", "-pk"]

    def __str__(self):
        return self.body[:80]
