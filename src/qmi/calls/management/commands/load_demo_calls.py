"""Demo calls: the two real calls of the 2nd edition, and one fictional open call to try applying.

Facts (dates, webinars, file contents, criteria, contact address) come from
docs/domain.md and the 2nd edition's call for expressions of interest; the
questions' wording is written for the demo. Run after `load_demo` (it needs the
2nd edition). Idempotent: a second run changes nothing, and the fictional
call's dates, set from the first run's date, are never moved.
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from qmi.calls.html import clean_html
from qmi.calls.models import Call, FormRevision, Question, Section
from qmi.events.models import Event
from qmi.events.queries import events_about
from qmi.programmes.management.commands.load_reference import THEMES
from qmi.programmes.models import Edition

K = Question.Kind


def paris(*args):
    """A wall-clock time in the platform's zone (settings.TIME_ZONE, Europe/Paris)."""
    return timezone.make_aware(datetime.datetime(*args))


def q(key, kind, label, *, required=True, help_text="", condition=None, **config):
    return {
        "key": key,
        "kind": kind,
        "label": label,
        "required": required,
        "help_text": help_text,
        "config": config,
        "condition": condition,
    }


THEME_NAMES = [name for _slug, name in THEMES]

AMI_FORM = [
    (
        "La commune",
        "Les personnes qui porteront la candidature et suivront le programme.",
        [
            q("maire", K.SHORT_TEXT, "Nom du maire ou de la maire", max_length=150),
            q(
                "elu-referent",
                K.SHORT_TEXT,
                "Élu·e référent·e : nom et délégation",
                max_length=200,
                help_text="L'élu·e qui portera le programme au sein du conseil municipal.",
            ),
            q("agent-referent", K.SHORT_TEXT, "Agent référent : nom et fonction", max_length=200),
            q("agent-referent-email", K.EMAIL, "Adresse e-mail de l'agent référent"),
            q("agent-referent-telephone", K.PHONE, "Téléphone de l'agent référent"),
        ],
    ),
    (
        "Le projet",
        "Vos motivations et les moyens que la commune peut engager.",
        [
            q("motivations", K.LONG_TEXT, "Vos motivations", max_chars=3000),
            q(
                "coherence-politiques",
                K.LONG_TEXT,
                "Cohérence entre les politiques publiques de la commune et la démarche expérimentale",
                max_chars=3000,
            ),
            q(
                "moyens",
                K.LONG_TEXT,
                "Ressources que la commune peut mobiliser",
                max_chars=3000,
                help_text=(
                    "Par exemple : mise à disposition d'espace public, soutien des services techniques, "
                    "mobilisation d'acteurs partenaires de la commune."
                ),
            ),
            q(
                "disponibilite-equipes",
                K.LONG_TEXT,
                "Disponibilité des équipes de la commune pour suivre le programme",
                max_chars=3000,
            ),
            q(
                "partenaires-locaux",
                K.LONG_TEXT,
                "Partenaires locaux qui soutiennent la démarche",
                max_chars=3000,
                help_text="Bailleurs, associations, collectifs, opérateurs d'équipements, écoles…",
            ),
        ],
    ),
    (
        "Le secteur proposé",
        "Le secteur retenu sera le périmètre de déploiement privilégié des expérimentations, "
        "nommé « quartier d'innovation ».",
        [
            q("secteur-nom", K.SHORT_TEXT, "Nom du secteur", max_length=150),
            q("secteur-description", K.LONG_TEXT, "Description du secteur", max_chars=3000),
            q(
                "secteur-theme",
                K.SINGLE_CHOICE,
                "Défi urbain prioritaire visé",
                choices=THEME_NAMES,
            ),
        ],
    ),
    (
        "Pièces",
        "Seuls les dossiers complets sont examinés.",
        [
            q(
                "lettre-maire",
                K.DOCUMENT,
                "Lettre d'engagement du maire",
                help_text="Elle fait état de la candidature de la commune à l'appel à manifestation d'intérêt.",
                accepted=["pdf"],
                max_size_mb=10,
                multiple=False,
            ),
            q(
                "formulaire-complete",
                K.DOCUMENT,
                "Formulaire complété",
                help_text="Des informations sur vous, votre projet et vos motivations.",
                accepted=["pdf", "text"],
                max_size_mb=10,
                multiple=False,
            ),
            q(
                "fiche-secteur",
                K.DOCUMENT,
                "Fiche de présentation du ou des secteurs proposés",
                accepted=["pdf"],
                max_size_mb=20,
                multiple=False,
            ),
            q(
                "lettres-soutien",
                K.DOCUMENT,
                "Lettres de soutien des partenaires locaux",
                help_text="Bailleurs, associations, collectifs, opérateurs d'équipements, écoles…",
                accepted=["pdf"],
                max_size_mb=10,
                multiple=True,
            ),
        ],
    ),
]

PROJECTS_FORM = [
    (
        "La structure",
        "La structure qui porte la solution.",
        [
            q(
                "structure-type",
                K.SINGLE_CHOICE,
                "Type de structure",
                choices=[
                    "Startup",
                    "Association",
                    "PME",
                    "Grand groupe",
                    "Coopérative",
                    "Designer ou collectif",
                    "Autre",
                ],
            ),
            q(
                "structure-presentation",
                K.LONG_TEXT,
                "Présentation de la structure",
                max_chars=2000,
            ),
            q("structure-effectif", K.NUMBER, "Effectif", min=0, unit="personnes"),
            q(
                "contact-nom",
                K.SHORT_TEXT,
                "Personne à contacter : nom et fonction",
                max_length=200,
            ),
            q("contact-email", K.EMAIL, "Adresse e-mail de la personne à contacter"),
            q("contact-telephone", K.PHONE, "Téléphone de la personne à contacter"),
        ],
    ),
    (
        "La solution",
        "Les solutions attendues sont des prototypes, pas encore commercialisés.",
        [
            q("solution-nom", K.SHORT_TEXT, "Nom de la solution", max_length=150),
            q("solution-description", K.LONG_TEXT, "Description de la solution", max_chars=3000),
            q(
                "solution-themes",
                K.MULTIPLE_CHOICE,
                "Défis urbains prioritaires concernés",
                choices=THEME_NAMES,
            ),
            q(
                "solution-maturite",
                K.SINGLE_CHOICE,
                "Stade de maturité",
                choices=[
                    "Idée",
                    "Prototype",
                    "Pilote déjà testé en conditions réelles",
                    "Produit fini",
                ],
            ),
            q("deja-commercialisee", K.YES_NO, "La solution est-elle déjà commercialisée ?"),
            q(
                "commercialisation",
                K.LONG_TEXT,
                "Depuis quand et où la solution est-elle commercialisée ? Qu'apporterait l'expérimentation ?",
                max_chars=2000,
                condition=("deja-commercialisee", "yes"),
            ),
        ],
    ),
    (
        "Les communes souhaitées",
        "Les lauréats sont répartis entre les communes selon leurs intérêts mutuels.",
        [
            q(
                "communes-souhaitees",
                K.COMMUNE_RANKING,
                "Communes où vous souhaitez expérimenter, par ordre de préférence",
                max_ranked=3,
            ),
        ],
    ),
    (
        "Pièces",
        "",
        [
            q(
                "presentation",
                K.DOCUMENT,
                "Présentation de la solution (support de présentation)",
                accepted=["pdf"],
                max_size_mb=20,
                multiple=False,
            ),
            q(
                "kbis-statuts",
                K.DOCUMENT,
                "Extrait Kbis ou statuts de la structure",
                accepted=["pdf"],
                max_size_mb=10,
                multiple=False,
            ),
            q(
                "video",
                K.URL,
                "Lien vers une vidéo de présentation",
                required=False,
                help_text="Facultatif : une vidéo en ligne (YouTube, Vimeo, PeerTube…).",
            ),
        ],
    ),
]

AMI_CRITERIA = """Les candidatures des communes sont étudiées sur la base des critères suivants :
- la pertinence du défi (et du secteur associé) proposé pour expérimenter ;
- la cohérence entre les politiques publiques de la commune et la démarche expérimentale proposée ;
- la capacité à mobiliser les ressources nécessaires au déploiement des solutions (mise à disposition d'espace public, soutien des services techniques, mobilisation d'acteurs partenaires de la commune…) ;
- la disponibilité des équipes de la commune nécessaires au suivi du programme ;
- la diversité des partenaires locaux proposés par la commune, qui soutiennent la démarche.
Les conditions d'éligibilité de chaque candidature sont vérifiées. Seuls les dossiers complets sont examinés."""

PROJECTS_CRITERIA = """Les solutions proposées doivent être au stade du prototype et ne pas être encore commercialisées.
Les candidatures sont analysées, puis auditionnées par un jury associant les communes ; les lauréats sont répartis entre les communes selon leurs intérêts mutuels (6 à 8 projets par commune)."""

CALLS = [
    {
        "slug": "qmi-2-ami",
        "kind": Call.Kind.EXPRESSION_OF_INTEREST,
        "title": "Appel à manifestation d'intérêt — Quartiers Métropolitains d'Innovation 2",
        "presentation": (
            "<p>La Métropole du Grand Paris invite ses communes à candidater pour accueillir un "
            "quartier d'innovation : un secteur de leur territoire où des solutions urbaines "
            "innovantes seront testées en conditions réelles pendant environ 18 mois.</p>"
            "<p>Le dossier comprend la lettre d'engagement du maire, un formulaire complété, une "
            "fiche de présentation du ou des secteurs proposés et les lettres de soutien des "
            "partenaires locaux. Deux webinaires d'information sont organisés en novembre ; "
            "inscription par e-mail à inno-num@metropolegrandparis.fr.</p>"
        ),
        "eligible_kinds": ["commune"],
        "opens_at": paris(2023, 10, 23, 0, 0),
        "closes_at": paris(2024, 1, 12, 23, 59, 59),
        "contact_name": "Métropole du Grand Paris — innovation numérique",
        "contact_email": "inno-num@metropolegrandparis.fr",
        "criteria": AMI_CRITERIA,
        "status": Call.Status.CLOSED,
        "reference_prefix": "AMI2",
        "form": AMI_FORM,
        "sessions": [
            ("Webinaire d'information", paris(2023, 11, 14, 9, 0), paris(2023, 11, 14, 10, 0)),
            ("Webinaire d'information", paris(2023, 11, 23, 12, 30), paris(2023, 11, 23, 13, 30)),
        ],
    },
    {
        "slug": "qmi-2-appel-a-experimenter",
        "kind": Call.Kind.PROJECTS,
        "title": "Appel à expérimenter — Quartiers Métropolitains d'Innovation 2",
        "presentation": (
            "<p>Un appel à expérimenter commun aux communes lauréates de la 2e édition invite "
            "startups, associations, PME, grands groupes, coopératives et designers, français ou "
            "étrangers, à proposer des solutions au stade du prototype, pas encore "
            "commercialisées, à tester en conditions réelles dans un quartier d'innovation.</p>"
            "<p>Première vague : Aubervilliers, Athis-Mons et Fontenay-sous-Bois.</p>"
        ),
        "eligible_kinds": ["experimenter"],
        "opens_at": paris(2024, 5, 13, 0, 0),
        "closes_at": paris(2024, 6, 16, 23, 59, 59),
        "contact_name": "",
        "contact_email": "",
        "criteria": PROJECTS_CRITERIA,
        "status": Call.Status.CLOSED,
        "reference_prefix": "AAE2",
        "form": PROJECTS_FORM,
        "sessions": [],
    },
]

DEMO_SLUG = "demo-appel-fictif"
DEMO_PROJECTS_SLUG = "demo-appel-a-experimenter"
# The fictional edition's open calls (see programmes' load_demo: DEMO_EDITION). Their dates
# and information sessions follow the day they were first loaded: (opens, closes, session).
DEMO_CALLS = [
    (
        {
            "slug": DEMO_SLUG,
            "kind": Call.Kind.EXPRESSION_OF_INTEREST,
            "title": "AMI de démonstration : seconde vague de communes (fictif)",
            "presentation": (
                "<p><strong>Appel fictif, pour la démonstration de la plateforme.</strong> Il "
                "n'engage ni la Métropole du Grand Paris ni Paris&amp;Co : aucun dossier déposé "
                "ici ne sera examiné.</p>"
                "<p>Il reprend le formulaire de l'appel à manifestation d'intérêt de la 2e édition "
                "pour que vous puissiez essayer de candidater au nom d'une commune : remplir le "
                "formulaire (enregistré automatiquement), déposer des pièces, déposer le dossier.</p>"
            ),
            "eligible_kinds": ["commune"],
            "contact_name": "",
            "contact_email": "",
            "criteria": "Appel fictif : les critères sont ceux de l'appel à manifestation d'intérêt de la 2e édition.",
            "status": Call.Status.PUBLISHED,
            "reference_prefix": "DEMO",
            "form": AMI_FORM,
        },
        (-1, 60, (7, 10, 0, "Webinaire d'information pour les communes (fictif)")),
    ),
    (
        {
            "slug": DEMO_PROJECTS_SLUG,
            "kind": Call.Kind.PROJECTS,
            "title": "Appel à expérimenter de démonstration (fictif)",
            "title_en": "Demonstration call for projects (fictional)",
            "presentation_en": (
                "<p><strong>A fictional call, to try the platform.</strong> No file submitted "
                "here will be examined.</p>"
                "<p>It uses the form of the 2nd edition's call for projects: start-ups, "
                "non-profits and companies, from France or abroad, can try applying and rank "
                "the communes where they would like to experiment.</p>"
            ),
            "presentation": (
                "<p><strong>Appel fictif, pour la démonstration de la plateforme.</strong> Aucun "
                "dossier déposé ici ne sera examiné.</p>"
                "<p>Il reprend le formulaire de l'appel à expérimenter de la 2e édition : startups, "
                "associations et entreprises peuvent y essayer de candidater et classer les "
                "communes où elles souhaitent expérimenter.</p>"
            ),
            "eligible_kinds": ["experimenter"],
            "contact_name": "",
            "contact_email": "",
            "criteria": "Appel fictif : les critères sont ceux de l'appel à expérimenter de la 2e édition.",
            "status": Call.Status.PUBLISHED,
            "reference_prefix": "DEMOX",
            "form": PROJECTS_FORM,
        },
        (-1, 45, (10, 12, 30, "Réunion d'information pour les expérimentateurs (fictive)")),
    ),
]


class Command(BaseCommand):
    help = "Charge les appels de la 2e édition et un appel de démonstration fictif (idempotent)."

    @transaction.atomic
    def handle(self, *args, **options):
        edition = Edition.objects.filter(programme__slug="qmi", number=2).first()
        if edition is None:
            raise CommandError("La 2e édition manque : lancez d'abord « manage.py load_demo ».")
        for spec in CALLS:
            call = save_spec(edition, spec, dates={})
            # The facts may be corrected later: dates and texts follow the spec.
            create_form(call, spec["form"], published_at=spec["opens_at"])
            for title, starts_at, ends_at in spec["sessions"]:
                if not events_about(call).filter(starts_at=starts_at).exists():
                    Event.objects.create(
                        kind=Event.Kind.INFORMATION_SESSION,
                        about=call,
                        title=title,
                        starts_at=starts_at,
                        ends_at=ends_at,
                    )
        demo_edition = Edition.objects.filter(slug="demo").first() or edition
        for spec, (opens, closes, session) in DEMO_CALLS:
            demo_call(demo_edition, spec, opens, closes, session)
        self.stdout.write(self.style.SUCCESS("Appels de démonstration chargés."))


def demo_call(edition, spec, opens, closes, session):
    """A fictional call open around the day it was first loaded, with its session.

    Its dates and session are set once; later runs keep what people changed.
    """
    call = Call.objects.filter(slug=spec["slug"]).first()
    dates = {}
    if call is None:
        now = timezone.now().replace(microsecond=0)
        dates = {
            "opens_at": now + datetime.timedelta(days=opens),
            "closes_at": now + datetime.timedelta(days=closes),
        }
    else:
        dates = {"opens_at": call.opens_at, "closes_at": call.closes_at}
    call = save_spec(edition, spec, dates=dates)
    create_form(call, spec["form"], published_at=call.opens_at)
    if not events_about(call).exists():
        days, hour, minute, title = session
        day = timezone.localdate() + datetime.timedelta(days=days)
        starts_at = paris(day.year, day.month, day.day, hour, minute)
        Event.objects.create(
            kind=Event.Kind.INFORMATION_SESSION,
            about=call,
            title=title,
            starts_at=starts_at,
            ends_at=starts_at + datetime.timedelta(hours=1),
            link="https://visio.demo.qmi.example/reunion-fictive",
        )
    return call


def save_spec(edition, spec, *, dates):
    fields = {
        name: spec[name]
        for name in [
            "kind",
            "title",
            "eligible_kinds",
            "contact_name",
            "contact_email",
            "criteria",
            "status",
            "reference_prefix",
        ]
    }
    fields["presentation"] = clean_html(spec["presentation"])
    for name in ("title_en", "criteria_en"):
        fields[name] = spec.get(name, "")
    fields["presentation_en"] = clean_html(spec.get("presentation_en", ""))
    fields["opens_at"] = dates.get("opens_at", spec.get("opens_at"))
    fields["closes_at"] = dates.get("closes_at", spec.get("closes_at"))
    call = Call.objects.filter(slug=spec["slug"]).first()
    if call is None:
        return Call.objects.create(edition=edition, slug=spec["slug"], **fields)
    changed = [name for name, value in fields.items() if getattr(call, name) != value]
    if call.edition_id != edition.pk:
        call.edition = edition
        changed.append("edition")
    for name in changed:
        if name != "edition":
            setattr(call, name, fields[name])
    if changed:
        call.save()
    return call


def create_form(call, sections, *, published_at):
    """Create the published form once; a call that already has one keeps it as it is."""
    if call.revisions.exists():
        return
    revision = FormRevision.objects.create(call=call, number=1, published_at=published_at)
    for s_order, (title, description, questions) in enumerate(sections, start=1):
        section = Section.objects.create(
            revision=revision, order=s_order, title=title, description=description
        )
        for q_order, spec in enumerate(questions, start=1):
            condition_key, condition_value = spec["condition"] or ("", "")
            Question.objects.create(
                section=section,
                order=q_order,
                key=spec["key"],
                kind=spec["kind"],
                label=spec["label"],
                help_text=spec["help_text"],
                required=spec["required"],
                config=spec["config"],
                condition_key=condition_key,
                condition_value=condition_value,
            )
