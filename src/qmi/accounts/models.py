"""People, the organisations they belong to, and invitations to join them."""

import secrets

from django.conf import settings
from django.contrib.auth.models import (
    AbstractBaseUser,
    BaseUserManager,
    PermissionsMixin,
    _user_has_module_perms,
    _user_has_perm,
)
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from qmi.core.models import TimeStampedModel


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person; they log in with their e-mail address."""

    email = models.EmailField(_("adresse e-mail"), unique=True)
    full_name = models.CharField(_("nom complet"), max_length=150, blank=True)
    language = models.CharField(
        _("langue"), max_length=8, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    # Django admin access for support staff; unrelated to being operator staff.
    is_staff = models.BooleanField(_("accès à l'administration technique"), default=False)
    is_active = models.BooleanField(_("actif"), default=True)
    is_demo = models.BooleanField(_("compte de démonstration"), default=False)
    date_joined = models.DateTimeField(_("inscrit le"), default=timezone.now)
    # Where sign-up started (a call's "Je candidate"): the first log-in after the e-mail
    # is verified returns there, even from another browser (see accounts.adapter).
    return_to = models.CharField(
        _("page d'origine de l'inscription"),
        max_length=500,
        blank=True,
        default="",
        db_default="",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("personne")
        verbose_name_plural = _("personnes")
        ordering = ["email"]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def has_perm(self, perm, obj=None):
        """Django lets an active superuser pass every check; here only with the second factor.

        Without it (see `second_factor`), a superuser's permissions are asked of the rules
        like anyone's, where the superuser's staff role gives nothing either.
        """
        if self.is_active and self.is_superuser and self._second_factor_satisfied():
            return True
        return _user_has_perm(self, perm, obj)

    def has_module_perms(self, app_label):
        if self.is_active and self.is_superuser and self._second_factor_satisfied():
            return True
        return _user_has_module_perms(self, app_label)

    def _second_factor_satisfied(self):
        from .second_factor import second_factor_satisfied  # noqa: PLC0415 — it reads allauth, which needs this model

        return second_factor_satisfied(self)


class Organisation(TimeStampedModel):
    class Kind(models.TextChoices):
        OPERATOR = "operator", _("Opérateur")
        METROPOLIS = "metropolis", _("Métropole")
        COMMUNE = "commune", _("Commune")
        EXPERIMENTER = "experimenter", _("Expérimentateur")
        PARTNER = "partner", _("Partenaire")
        EPT = "ept", _("Établissement public territorial")
        PUBLIC_BODY = "public_body", _("Autre organisme public")

    class LegalForm(models.TextChoices):
        STARTUP = "startup", _("Startup")
        ASSOCIATION = "association", _("Association")
        SME = "sme", _("PME")
        LARGE_COMPANY = "large_company", _("Grande entreprise")
        COOPERATIVE = "cooperative", _("Coopérative")
        DESIGNER = "designer", _("Designer")
        OTHER = "other", _("Autre")

    # Kinds whose members run the programme: they reach the back office.
    STAFF_KINDS = (Kind.OPERATOR, Kind.METROPOLIS)
    # Kinds a person may create for themselves; the others are set up by operator staff.
    SELF_SERVICE_KINDS = (Kind.EXPERIMENTER, Kind.PARTNER)

    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    legal_form = models.CharField(
        _("forme juridique"), max_length=20, choices=LegalForm.choices, blank=True
    )
    country = CountryField(_("pays"), default="FR")
    siret = models.CharField(
        _("SIREN ou SIRET"),
        max_length=14,
        blank=True,
        help_text=_("9 ou 14 chiffres, pour les organisations françaises."),
    )
    commune = models.OneToOneField(
        "programmes.Commune",
        verbose_name=_("commune"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    is_demo = models.BooleanField(_("donnée de démonstration"), default=False)
    # The demo loader's own key for the organisations it creates ("parisandco",
    # "startup"…): names can be duplicated or changed by people, this key cannot.
    demo_key = models.SlugField(
        _("clé de démonstration"), max_length=40, unique=True, null=True, blank=True, editable=False
    )

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="commune", commune__isnull=False)
                | (~Q(kind="commune") & Q(commune__isnull=True)),
                name="organisation_commune_iff_commune_kind",
            ),
            models.CheckConstraint(
                condition=Q(kind="experimenter") | Q(legal_form=""),
                name="organisation_legal_form_only_for_experimenters",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def is_staff_kind(self):
        return self.kind in self.STAFF_KINDS


class Membership(TimeStampedModel):
    class Role(models.TextChoices):
        ADMIN = "admin", _("Administrateur")
        MEMBER = "member", _("Membre")

    user = models.ForeignKey(
        User, verbose_name=_("personne"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="memberships",
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices, default=Role.MEMBER)

    class Meta:
        verbose_name = _("appartenance")
        verbose_name_plural = _("appartenances")
        ordering = ["organisation__name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique")
        ]

    def __str__(self):
        return f"{self.user} — {self.organisation} ({self.get_role_display()})"


def new_invitation_token():
    return secrets.token_urlsafe(32)


class Invitation(TimeStampedModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("En attente")
        ACCEPTED = "accepted", _("Acceptée")
        REVOKED = "revoked", _("Révoquée")
        EXPIRED = "expired", _("Expirée")

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("adresse e-mail"))
    role = models.CharField(
        _("rôle"), max_length=10, choices=Membership.Role.choices, default=Membership.Role.MEMBER
    )
    token = models.CharField(max_length=64, unique=True, default=new_invitation_token)
    invited_by = models.ForeignKey(
        User, verbose_name=_("invité par"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    expires_at = models.DateTimeField(_("expire le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.email} → {self.organisation}"

    @property
    def status(self):
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.expires_at <= timezone.now():
            return self.Status.EXPIRED
        return self.Status.PENDING

    def get_status_display(self):
        return self.Status(self.status).label
