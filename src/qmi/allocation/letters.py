"""The letters of a published allocation: one per laureate, one per commune.

Filled at publication and stored (Placement.letter_*, AllocationCommune.letter_*), so a
letter says the same thing forever; the PDF is drawn from the stored text on request.
"""

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.calls.pdf import PLATFORM_NAME
from qmi.review.letters import PLACEHOLDER, fill, no_fetch

from .models import LetterTemplate

# The placeholders each letter may use, and what each is replaced with.
PLACEHOLDERS = {
    LetterTemplate.Recipient.LAUREATE: {
        "organisation": gettext_lazy("le nom de l'organisation lauréate"),
        "dossier": gettext_lazy("le numéro du dossier"),
        "appel": gettext_lazy("le titre de l'appel"),
        "commune": gettext_lazy("la commune où le projet expérimentera"),
        "date": gettext_lazy("la date de publication de la répartition"),
    },
    LetterTemplate.Recipient.COMMUNE: {
        "commune": gettext_lazy("le nom de la commune"),
        "appel": gettext_lazy("le titre de l'appel"),
        "nombre": gettext_lazy("le nombre de projets qu'elle accueille"),
        "projets": gettext_lazy("la liste de ses projets, un par ligne (numéro et organisation)"),
        "date": gettext_lazy("la date de publication de la répartition"),
    },
}

LAUREATE = (
    gettext_lazy("Votre projet expérimentera à [commune]"),
    gettext_lazy(
        "Madame, Monsieur,\n\n"
        "À l'issue de la répartition des lauréats de « [appel] », le projet [dossier] porté par "
        "[organisation] expérimentera à [commune].\n\n"
        "Votre expérimentation est ouverte sur la plateforme, en cadrage : l'équipe du programme "
        "et les référents de la commune vous y retrouvent pour préparer la convention, les "
        "sites et le calendrier.\n\n"
        "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."
    ),
)
COMMUNE = (
    gettext_lazy("Les projets qui expérimenteront à [commune]"),
    gettext_lazy(
        "Madame, Monsieur,\n\n"
        "À l'issue de la répartition des lauréats de « [appel] », [commune] accueillera "
        "[nombre] projets :\n\n[projets]\n\n"
        "Chaque expérimentation est ouverte sur la plateforme, en cadrage, avec ses porteurs "
        "et vos référents.\n\n"
        "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."
    ),
)


def templates_of(allocation):
    """{recipient: (subject, body)}: the allocation's own templates, else the defaults."""
    own = {t.recipient: (t.subject, t.body) for t in allocation.letter_templates.all()}
    defaults = {
        LetterTemplate.Recipient.LAUREATE: LAUREATE,
        LetterTemplate.Recipient.COMMUNE: COMMUNE,
    }
    return {
        recipient: own.get(recipient) or (str(subject), str(body))
        for recipient, (subject, body) in defaults.items()
    }


def check(text, field, recipient):
    """Refuse a placeholder the platform cannot fill, naming it and the known ones."""
    known = PLACEHOLDERS[recipient]
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in known})
    if unknown:
        raise ValidationError(
            {
                field: _("Champ inconnu : %(unknown)s. Champs possibles : %(known)s.")
                % {
                    "unknown": ", ".join(f"[{name}]" for name in unknown),
                    "known": ", ".join(f"[{name}]" for name in known),
                }
            }
        )


def laureate_letter(placement, published_at, template=LAUREATE):
    application = placement.application
    values = {
        "organisation": application.organisation.name,
        "dossier": application.reference,
        "appel": application.call.title,
        "commune": str(placement.commune),
        "date": date_format(timezone.localtime(published_at), "j F Y"),
    }
    subject, body = template
    return fill(str(subject), values)[:300], fill(str(body), values)


def commune_letter(commune, placements, call, published_at, template=COMMUNE):
    values = {
        "commune": str(commune),
        "appel": call.title,
        "nombre": str(len(placements)),
        "projets": "\n".join(
            f"– {p.application.reference} : {p.application.organisation.name}" for p in placements
        ),
        "date": date_format(timezone.localtime(published_at), "j F Y"),
    }
    subject, body = template
    return fill(str(subject), values)[:300], fill(str(body), values)


def letter_pdf(*, subject, body, recipient, reference, call, published_at):
    """A stored letter as a PDF (bytes)."""
    # WeasyPrint loads Pango and its fonts on import: only a PDF request pays for it.
    from weasyprint import CSS, HTML  # noqa: PLC0415

    context = {
        "platform": PLATFORM_NAME,
        "subject": subject,
        "recipient": recipient,
        "reference": reference,
        "call": call,
        "kind": _("Répartition des lauréats"),
        "published_at": timezone.localtime(published_at),
        "paragraphs": [p.strip() for p in body.split("\n\n") if p.strip()],
    }
    html = render_to_string("allocation/pdf/letter.html", context)
    css = render_to_string("review/pdf/letter.css")
    return HTML(string=html, url_fetcher=no_fetch).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=no_fetch)]
    )
