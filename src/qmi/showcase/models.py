"""The public site's own pages: what a French public service must publish (legal notice…).

They live here, beside the public site that shows them, rather than in `core`:
their words (publisher, host, personal data, accessibility) are this platform's,
and `core` knows no domain word. The back office edits them through `services`.
"""

from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class SitePage(models.Model):
    """One page of the footer; its body is HTML sanitised when saved (`calls.html.clean_html`)."""

    class Slug(models.TextChoices):
        LEGAL_NOTICE = "mentions-legales", _("Mentions légales")
        PERSONAL_DATA = "donnees-personnelles", _("Données personnelles")
        ACCESSIBILITY = "accessibilite", _("Déclaration d'accessibilité")

    slug = models.SlugField(_("adresse"), max_length=40, unique=True, choices=Slug.choices)
    title = models.CharField(_("titre"), max_length=200)
    body = models.TextField(
        _("texte"),
        help_text=_(
            "En HTML simple : paragraphes <p>, intertitres <h2> et <h3>, listes <ul> <ol> <li>, "
            "<strong>, <em>, liens <a href>. Le reste est retiré à l'enregistrement."
        ),
    )
    updated_at = models.DateTimeField(_("mis à jour le"), auto_now=True)

    class Meta:
        verbose_name = _("page du site")
        verbose_name_plural = _("pages du site")
        ordering = ["slug"]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse(f"showcase:{self.slug}")
