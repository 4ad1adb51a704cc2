"""Decision letters: a template per outcome, its placeholders filled per file, then a PDF.

Placeholders are words in square brackets (« [organisation] »), replaced by plain
text: a template is never run as code, so staff can write anything in it. The
filled text is stored on the decision when the decisions are published, and the
PDF is drawn from that stored text (like the acknowledgements of receipt), so a
letter says the same thing forever.
"""

import re

from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qmi.calls.models import Call
from qmi.calls.pdf import PLATFORM_NAME

from .models import Decision

PLACEHOLDER = re.compile(r"\[([^\[\]\n]{1,40})\]")

# The placeholders a template may use, and what each is replaced with.
PLACEHOLDERS = {
    "organisation": gettext_lazy("le nom de l'organisation candidate"),
    "dossier": gettext_lazy("le numéro du dossier"),
    "appel": gettext_lazy("le titre de l'appel"),
    "édition": gettext_lazy("le titre de l'édition"),
    "décision": gettext_lazy("la décision (« Retenu », « Liste d'attente », « Non retenu »)"),
    "motivation": gettext_lazy("la motivation de la décision, telle que l'équipe l'a écrite"),
    "date": gettext_lazy("la date de publication des décisions"),
}

MAX_SUBJECT = 200
MAX_BODY = 10000

_DEFAULTS = {
    Decision.Outcome.SELECTED: (
        gettext_lazy("Votre candidature à « [appel] » est retenue"),
        gettext_lazy(
            "Madame, Monsieur,\n\n"
            "Nous avons le plaisir de vous informer que le dossier [dossier] déposé par "
            "[organisation] en réponse à « [appel] » est retenu par le comité de sélection.\n\n"
            "L'équipe du programme vous contactera dans les prochains jours pour organiser "
            "la suite : convention, interlocuteurs et calendrier.\n\n"
            "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."
        ),
    ),
    Decision.Outcome.WAITING_LIST: (
        gettext_lazy("Votre candidature à « [appel] » est sur liste d'attente"),
        gettext_lazy(
            "Madame, Monsieur,\n\n"
            "Le comité de sélection a placé le dossier [dossier] déposé par [organisation] "
            "en réponse à « [appel] » sur liste d'attente. Si une place se libère, l'équipe "
            "du programme vous contactera.\n\n"
            "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."
        ),
    ),
    Decision.Outcome.NOT_SELECTED: (
        gettext_lazy("Votre candidature à « [appel] » n'est pas retenue"),
        gettext_lazy(
            "Madame, Monsieur,\n\n"
            "Nous vous remercions de l'intérêt que [organisation] porte au programme. "
            "Après examen, le comité de sélection n'a pas retenu le dossier [dossier] "
            "déposé en réponse à « [appel] ».\n\n"
            "L'équipe du programme reste à votre disposition pour en parler.\n\n"
            "Nous vous prions d'agréer, Madame, Monsieur, nos salutations distinguées."
        ),
    ),
}


def default_template(outcome):
    """(subject, body) the platform proposes until staff write their own."""
    subject, body = _DEFAULTS[outcome]
    return str(subject), str(body)


def templates_of(call):
    """{outcome: (subject, body)} for a call: its own templates, else the defaults."""
    own = {t.outcome: (t.subject, t.body) for t in call.letter_templates.all()}
    return {outcome: own.get(outcome) or default_template(outcome) for outcome in Decision.Outcome}


def check(text, field):
    """Refuse a placeholder the platform cannot fill, naming it and the known ones."""
    unknown = sorted({name for name in PLACEHOLDER.findall(text) if name not in PLACEHOLDERS})
    if unknown:
        raise ValidationError(
            {
                field: _("Champ inconnu : %(unknown)s. Champs possibles : %(known)s.")
                % {
                    "unknown": ", ".join(f"[{name}]" for name in unknown),
                    "known": ", ".join(f"[{name}]" for name in PLACEHOLDERS),
                }
            }
        )


def errors(subject, body, check=check):
    """{field: message} of a letter's subject and body (lengths, placeholders); {} when fine.

    `check(text, field)` refuses the placeholders a kind of letter cannot fill (the
    allocation's letters pass their own).
    """
    found = {}
    if not subject:
        found["subject"] = _("Donnez un objet au courrier.")
    elif len(subject) > MAX_SUBJECT:
        found["subject"] = _("L'objet tient en 200 caractères au plus.")
    if not body:
        found["body"] = _("Écrivez le texte du courrier.")
    elif len(body) > MAX_BODY:
        found["body"] = _("Le courrier tient en 10 000 caractères au plus.")
    for field, text in (("subject", subject), ("body", body)):
        if field not in found:
            try:
                check(text, field)
            except ValidationError as error:
                found.update(error.message_dict)
    return found


def values_for(decision, published_at):
    application = decision.application
    call = application.call
    return {
        "organisation": application.organisation.name,
        "dossier": application.reference,
        "appel": call.title,
        "édition": call.edition.title,
        "décision": decision.get_outcome_display(),
        "motivation": decision.rationale,
        "date": date_format(timezone.localtime(published_at), "j F Y"),
    }


def fill(text, values):
    return PLACEHOLDER.sub(lambda match: str(values.get(match.group(1), match.group(0))), text)


def no_fetch(url, *args, **kwargs):
    # Nothing in a letter or a juror's PDF is fetched from elsewhere (no tracking, no SSRF).
    raise ValueError(f"refused to fetch {url}")


def letter_pdf(decision):
    """The published letter as a PDF (bytes), from the text stored at publication."""
    # WeasyPrint loads Pango and its fonts on import: only a PDF request pays for it.
    from weasyprint import CSS, HTML  # noqa: PLC0415

    application = decision.application
    context = {
        "platform": PLATFORM_NAME,
        "decision": decision,
        "application": application,
        "call": application.call,
        "kind": Call.Kind(application.call.kind).label,
        "published_at": timezone.localtime(decision.published_at),
        "paragraphs": [p.strip() for p in decision.letter_body.split("\n\n") if p.strip()],
    }
    html = render_to_string("review/pdf/letter.html", context)
    css = render_to_string("review/pdf/letter.css")
    return HTML(string=html, url_fetcher=no_fetch).write_pdf(
        stylesheets=[CSS(string=css, url_fetcher=no_fetch)]
    )
