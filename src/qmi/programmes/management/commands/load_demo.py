"""Demo data: the real programme, its two editions and ten communes, plus fictional people.

Facts come from docs/domain.md (press releases of the Métropole and Paris&Co).
Every person and every organisation that is not in those sources is marked
`is_demo` and shown as « démo » in the interface. Idempotent: a second run
changes nothing, whatever people did in the demo meanwhile. The loader finds its
rows by keys people cannot duplicate (an organisation's `demo_key`, a commune, an
e-mail address, a slug), never by a name.
"""

import datetime

from allauth.account.models import EmailAddress
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qmi.accounts.models import Membership, Organisation, User
from qmi.accounts.second_factor import mark_second_factor
from qmi.programmes import services
from qmi.programmes.models import (
    Challenge,
    Commune,
    CommuneRole,
    Edition,
    EditionCommune,
    Phase,
    Programme,
    Stage,
    Theme,
)

DEMO_PASSWORD = "demo-qmi-2026"
D = datetime.date

EDITIONS = [
    {
        "number": 1,
        "slug": "qmi-1",
        "title": "Quartiers Métropolitains d'Innovation — 1re édition",
        "stage": Stage.CLOSED,
        "summary": (
            "Lancée en novembre 2022 après le vote du Conseil métropolitain du 21 octobre 2022. "
            "Quatre communes choisies en mars 2023 ; 30 solutions accueillies depuis juin 2023, "
            "18 pilotes déployés, 83 % de satisfaction chez les expérimentateurs. "
            "L'appel à expérimenter a reçu plus de 360 marques d'intérêt et 170 candidatures, "
            "dont près de 21 % internationales. Clôture le 13 février 2025 à Aulnay-sous-Bois."
        ),
        "phases": [
            (
                Stage.EXPRESSION_OF_INTEREST,
                D(2022, 11, 9),
                D(2023, 1, 31),
                "Appel à manifestation d'intérêt ouvert aux communes d'octobre 2022 à janvier 2023 "
                "(jour de clôture non publié).",
            ),
            (
                Stage.CALL_FOR_PROJECTS,
                D(2023, 2, 1),
                D(2023, 4, 9),
                "Appel à expérimenter ouvert en février 2023, clos le 9 avril 2023. "
                "Les quatre communes ont été désignées en mars 2023.",
            ),
            (
                Stage.EXPERIMENTER_SELECTION,
                D(2023, 4, 10),
                D(2023, 5, 31),
                "Analyse des candidatures, auditions et jury avec les communes.",
            ),
            (
                Stage.EXPERIMENTATION,
                D(2023, 6, 1),
                D(2024, 12, 31),
                "30 solutions accueillies dans les quatre communes depuis juin 2023.",
            ),
            (
                Stage.EVALUATION,
                D(2025, 1, 1),
                D(2025, 2, 13),
                "Évaluation des solutions et bilan ; clôture le 13 février 2025 à Aulnay-sous-Bois.",
            ),
        ],
        "communes": [
            ("93005", "Centre-Gare", "espaces-publics"),
            ("92048", "Meudon-la-Forêt", "mobilites"),
            ("93051", "Mont d'Est", "economie-circulaire"),
            ("92071", "Blagis", "climat"),
        ],
    },
    {
        "number": 2,
        "slug": "qmi-2",
        "title": "Quartiers Métropolitains d'Innovation — 2e édition",
        "stage": Stage.EVALUATION,
        "summary": (
            "Renouvelée par le Conseil de la Métropole le 12 octobre 2023. L'appel à "
            "manifestation d'intérêt a suscité l'intérêt de 22 communes et 8 candidatures ; "
            "le Bureau du 6 février 2024 a retenu six communes, en deux vagues."
        ),
        "phases": [
            (
                Stage.EXPRESSION_OF_INTEREST,
                D(2023, 10, 23),
                D(2024, 1, 12),
                "Deux webinaires d'information : le 14 novembre 2023 de 9 h à 10 h et le "
                "23 novembre 2023 de 12 h 30 à 13 h 30.",
            ),
            (
                Stage.COMMUNE_SELECTION,
                D(2024, 1, 13),
                D(2024, 2, 6),
                "Choix de six communes par le Bureau de la Métropole du 6 février 2024.",
            ),
            (
                Stage.FRAMING,
                D(2024, 2, 7),
                D(2024, 5, 12),
                "Conventions avec les communes, diagnostic territorial avec l'Institut Paris Région, "
                "réécriture des défis.",
            ),
            (
                Stage.CALL_FOR_PROJECTS,
                D(2024, 5, 13),
                D(2024, 6, 16),
                "Première vague pour Aubervilliers, Athis-Mons et Fontenay-sous-Bois.",
            ),
            (
                Stage.EXPERIMENTER_SELECTION,
                D(2024, 6, 17),
                D(2024, 9, 30),
                "19 lauréats de la première vague connus en septembre 2024.",
            ),
            (
                Stage.EXPERIMENTATION,
                D(2024, 10, 1),
                D(2025, 12, 31),
                "Seconde vague pour Argenteuil, Issy-les-Moulineaux et Sucy-en-Brie : appel à "
                "expérimenter du 20 janvier au 23 février 2025, 6 à 8 projets par commune.",
            ),
            (
                Stage.EVALUATION,
                D(2026, 1, 1),
                D(2026, 2, 28),
                "Évaluation des solutions et rapport d'évaluation par commune.",
            ),
        ],
        "communes": [
            ("95018", "Porte Saint-Germain", None),
            ("91027", "", None),
            ("93001", "", None),
            ("94033", "", None),
            ("92040", "", None),
            ("94071", "", None),
        ],
    },
]

# Challenges of the 1st edition: theme and district are public; the wording is a
# summary written for the demo, not the official text of the challenge.
CHALLENGES = {
    "93005": (
        "Espaces publics et services urbains à Centre-Gare",
        "Tester dans le quartier Centre-Gare des solutions pour l'espace public et les "
        "services urbains, par exemple des revêtements perméables issus du recyclage.",
    ),
    "92048": (
        "Flux, mobilités et logistique à Meudon-la-Forêt",
        "Tester à Meudon-la-Forêt des solutions de mobilité et de logistique urbaine, par "
        "exemple des vélos cargos pour les professionnels.",
    ),
    "93051": (
        "Économie circulaire au Mont d'Est",
        "Tester au Mont d'Est des solutions d'économie circulaire, par exemple la réduction "
        "des emballages de la vente à emporter.",
    ),
    "92071": (
        "Adaptation au changement climatique aux Blagis",
        "Tester aux Blagis des solutions contre les îlots de chaleur, par exemple du "
        "mobilier de végétalisation issu de l'économie circulaire.",
    ),
}

# A fictional edition whose calendar follows the day `make run` first ran, so the demo
# always has a call open to communes and one open to experimenters, each with an
# information session, in an edition whose current stage matches today.
DEMO_EDITION = {
    "number": 99,
    "slug": "demo",
    "title": "Édition de démonstration (fictive)",
    "summary": (
        "Édition fictive, pour essayer la plateforme : son calendrier part du jour où la "
        "démonstration a été installée. Ses communes ont été désignées ; son appel à "
        "expérimenter est ouvert, et un appel à manifestation d'intérêt recrute une seconde "
        "vague de communes. Rien de ce qui y est déposé ne sera examiné."
    ),
    "communes": [
        ("93055", "Quatre-Chemins (fictif)"),
        ("94041", "Ivry-Port (fictif)"),
        ("94028", "Mont-Mesly (fictif)"),
        ("92024", "Entrée de ville (fictif)"),
    ],
}


def demo_phases(anchor):
    """The demo edition's dated phases around `anchor` (the day the demo was first loaded)."""

    def day(offset):
        return anchor + datetime.timedelta(days=offset)

    return [
        (
            Stage.EXPRESSION_OF_INTEREST,
            day(-120),
            day(-61),
            "Première vague de communes (fictive).",
        ),
        (Stage.COMMUNE_SELECTION, day(-60), day(-41), "Désignation des communes (fictive)."),
        (Stage.FRAMING, day(-40), day(-2), "Conventions et diagnostics (fictifs)."),
        (Stage.CALL_FOR_PROJECTS, day(-1), day(45), "Appel à expérimenter ouvert (fictif)."),
        (Stage.EXPERIMENTER_SELECTION, day(46), day(90), "Auditions et jury (fictifs)."),
        (Stage.EXPERIMENTATION, day(91), day(630), "Dix-huit mois d'expérimentation (fictifs)."),
        (Stage.EVALUATION, day(631), day(720), "Évaluation et essaimage (fictifs)."),
    ]


PEOPLE = [
    # email, name, organisation key, membership role, superuser
    ("operateur@demo.qmi.example", "Camille Martin (démo)", "parisandco", "admin", False),
    ("metropole@demo.qmi.example", "Dominique Bernard (démo)", "mgp", "member", False),
    ("agent.sceaux@demo.qmi.example", "Lou Petit (démo)", "92071", "admin", False),
    ("agent.argenteuil@demo.qmi.example", "Sacha Durand (démo)", "95018", "admin", False),
    ("experimentateur@demo.qmi.example", "Alix Moreau (démo)", "startup", "admin", False),
    ("expert@demo.qmi.example", "Noa Laurent (démo)", "partner", "admin", False),
    ("support@demo.qmi.example", "Support technique (démo)", None, None, True),
]

ROLES = [
    ("agent.sceaux@demo.qmi.example", 1, "92071", CommuneRole.Role.AGENT_REFERENT),
    ("agent.argenteuil@demo.qmi.example", 2, "95018", CommuneRole.Role.AGENT_REFERENT),
]


class Command(BaseCommand):
    help = "Charge les données de démonstration (idempotent) et affiche les comptes de démo."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="N'affiche pas les comptes."
        )

    @transaction.atomic
    def handle(self, *args, **options):
        call_command("load_reference", stdout=self.stdout)
        programme, _ = Programme.objects.update_or_create(
            slug="qmi",
            defaults={
                "name": "Quartiers Métropolitains d'Innovation",
                "short_name": "QMI",
                "name_en": "Metropolitan Innovation Neighbourhoods",
                "summary_en": (
                    "The urban experimentation programme of the Métropole du Grand Paris, run "
                    "by Paris&Co. In each edition, communes apply to host an innovation "
                    "neighbourhood and set it a challenge; a common call for projects invites "
                    "start-ups, non-profits, SMEs, large companies, cooperatives and designers "
                    "to test their prototypes in real conditions for about 18 months, followed "
                    "each month by the commune's technical committee, then evaluated and helped "
                    "to spread across the metropolis."
                ),
                "summary": (
                    "Le programme d'expérimentation urbaine de la Métropole du Grand Paris, opéré "
                    "par Paris&Co. À chaque édition, des communes candidatent pour accueillir un "
                    "quartier d'innovation et y définissent un défi ; un appel à expérimenter "
                    "commun invite startups, associations, PME, grands groupes, coopératives et "
                    "designers à y tester leurs prototypes en conditions réelles pendant environ "
                    "18 mois, suivis chaque mois par le comité technique de la commune, puis "
                    "évalués et aidés à essaimer dans la métropole."
                ),
            },
        )
        organisations = self._organisations()
        people = self._people(organisations)
        # No session here: the command acts as the operator's staff on purpose (see second_factor).
        staff = mark_second_factor(people["operateur@demo.qmi.example"])
        themes = {theme.slug: theme for theme in Theme.objects.all()}
        for spec in EDITIONS:
            edition, _ = Edition.objects.update_or_create(
                programme=programme,
                number=spec["number"],
                defaults={
                    "slug": spec["slug"],
                    "title": spec["title"],
                    "summary": spec["summary"],
                    "stage": spec["stage"],
                },
            )
            for kind, starts_on, ends_on, description in spec["phases"]:
                Phase.objects.update_or_create(
                    edition=edition,
                    kind=kind,
                    defaults={
                        "starts_on": starts_on,
                        "ends_on": ends_on,
                        "description": description,
                    },
                )
            for insee, district, theme_slug in spec["communes"]:
                participation, _ = EditionCommune.objects.update_or_create(
                    edition=edition,
                    commune=Commune.objects.get(insee=insee),
                    defaults={"district": district},
                )
                has_challenge = Challenge.objects.filter(edition_commune=participation).exists()
                if insee in CHALLENGES and spec["number"] == 1 and not has_challenge:
                    title, statement = CHALLENGES[insee]
                    services.rewrite_challenge(
                        edition_commune=participation,
                        by=staff,
                        theme=themes[theme_slug],
                        title=title,
                        statement=statement,
                    )
        for email, number, insee, role in ROLES:
            CommuneRole.objects.get_or_create(
                edition_commune=EditionCommune.objects.get(
                    edition__number=number, commune__insee=insee
                ),
                user=people[email],
                role=role,
            )
        self._demo_edition(programme)
        call_command("load_demo_calls", stdout=self.stdout)
        call_command("load_demo_applications", stdout=self.stdout)
        call_command("load_demo_review", stdout=self.stdout)
        call_command("load_demo_allocation", stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS("Données de démonstration chargées."))
        if not options["quiet_logins"]:
            self.print_logins()

    def _demo_edition(self, programme):
        """Created once; later runs leave its stage and dates as people changed them."""
        edition = Edition.objects.filter(slug=DEMO_EDITION["slug"]).first()
        if edition is not None:
            return edition
        edition = Edition.objects.create(
            programme=programme,
            number=DEMO_EDITION["number"],
            slug=DEMO_EDITION["slug"],
            title=DEMO_EDITION["title"],
            summary=DEMO_EDITION["summary"],
            stage=Stage.CALL_FOR_PROJECTS,
        )
        for kind, starts_on, ends_on, description in demo_phases(timezone.localdate()):
            Phase.objects.create(
                edition=edition,
                kind=kind,
                starts_on=starts_on,
                ends_on=ends_on,
                description=description,
            )
        for insee, district in DEMO_EDITION["communes"]:
            EditionCommune.objects.create(
                edition=edition, commune=Commune.objects.get(insee=insee), district=district
            )
        return edition

    def _organisations(self):
        specs = {
            "parisandco": {"name": "Paris&Co", "kind": Organisation.Kind.OPERATOR},
            "mgp": {
                "name": "Métropole du Grand Paris",
                "kind": Organisation.Kind.METROPOLIS,
                "siret": "200054781",
            },
            "startup": {
                "name": "Rue Fraîche (startup fictive)",
                "kind": Organisation.Kind.EXPERIMENTER,
                "legal_form": Organisation.LegalForm.STARTUP,
                "is_demo": True,
                "description": "Organisation fictive de démonstration.",
            },
            "partner": {
                "name": "Fondation Ville Durable (partenaire fictif)",
                "kind": Organisation.Kind.PARTNER,
                "is_demo": True,
                "description": "Organisation fictive de démonstration.",
            },
        }
        result = {key: self._demo_organisation(key, fields) for key, fields in specs.items()}
        communes = {insee for spec in EDITIONS for insee, _, _ in spec["communes"]}
        for commune in Commune.objects.filter(insee__in=communes):
            result[commune.insee], _ = Organisation.objects.update_or_create(
                commune=commune,
                defaults={
                    "name": f"Ville de {commune.name}"
                    if commune.name[0] not in "AEIOUÉ"
                    else f"Ville d'{commune.name}",
                    "kind": Organisation.Kind.COMMUNE,
                    "siret": commune.siren,
                },
            )
        return result

    def _demo_organisation(self, key, fields):
        """The organisation the demo knows as `key`, created or set back to its spec."""
        if not Organisation.objects.filter(demo_key=key).exists():
            # A database loaded before organisations had a demo key: the loader's row is
            # the oldest of that name and kind; it gets the key once and for all.
            earlier = (
                Organisation.objects.filter(
                    demo_key__isnull=True, name=fields["name"], kind=fields["kind"]
                )
                .order_by("pk")
                .first()
            )
            if earlier is not None:
                earlier.demo_key = key
                earlier.save(update_fields=["demo_key"])
        organisation, _ = Organisation.objects.update_or_create(demo_key=key, defaults=fields)
        return organisation

    def _people(self, organisations):
        people = {}
        for email, name, org_key, role, superuser in PEOPLE:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email,
                    DEMO_PASSWORD,
                    full_name=name,
                    is_demo=True,
                    is_staff=superuser,
                    is_superuser=superuser,
                )
            EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"verified": True, "primary": True}
            )
            if org_key:
                Membership.objects.get_or_create(
                    user=user, organisation=organisations[org_key], defaults={"role": role}
                )
            people[email] = user
        return people

    def print_logins(self):
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe pour tous : {DEMO_PASSWORD})")
        labels = {
            "operateur@demo.qmi.example": "Opérateur (Paris&Co) — espace de gestion",
            "metropole@demo.qmi.example": "Métropole du Grand Paris — espace de gestion",
            "agent.sceaux@demo.qmi.example": "Agent référent de Sceaux (1re édition)",
            "agent.argenteuil@demo.qmi.example": "Agent référent d'Argenteuil (2e édition)",
            "experimentateur@demo.qmi.example": "Expérimentateur (startup fictive)",
            "expert@demo.qmi.example": "Expert d'un partenaire (fictif)",
            "porteur.ombre-douce@demo.qmi.example": (
                "Porteur d'un dossier de l'appel « le jury délibère » (fictif)"
            ),
            "support@demo.qmi.example": "Support technique — administration Django (/admin/)",
        }
        for email, label in labels.items():
            self.stdout.write(f"  {email:<38} {label}")
