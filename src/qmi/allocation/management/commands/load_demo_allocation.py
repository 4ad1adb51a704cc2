"""Demo allocation: the two waves of the 2nd edition's call for projects, split across communes.

Facts come from docs/domain.md: the first wave (Aubervilliers, Athis-Mons,
Fontenay-sous-Bois; call 13 May → 16 Jun 2024, 19 laureates known in September 2024)
and the second (Argenteuil, Issy-les-Moulineaux, Sucy-en-Brie; call 20 Jan → 23 Feb
2025, 6 to 8 projects each, 24 in total), where Houelcomdesign and Ostrea went to
Argenteuil. Every other laureate, every file's text and every commune's wishes are
fictional: their organisations are marked `is_demo` and named « (fictif) ».

Right after `make run`, staff find the first wave published (placements, experiments
opened « En cadrage », letters held in the outbox) and the second one still open:
wishes in, most laureates' answers in, one run to explore, decisions staged but not
published. Argenteuil's agent referent ranks its laureates; the demo's startup, a
laureate of the second wave, still has to confirm its communes.

Everything goes through the services, as the people would. Created once, in one
transaction; a later run sees the second wave's allocation (one query) and changes nothing.
"""

import datetime
from contextlib import contextmanager

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qmi.accounts.models import Membership, Organisation, User
from qmi.accounts.second_factor import mark_second_factor
from qmi.calls.management.commands.load_demo_applications import fill
from qmi.calls.management.commands.load_demo_calls import (
    CALLS,
    PROJECTS_FORM,
    create_form,
    paris,
    save_spec,
)
from qmi.calls.models import Call
from qmi.calls.services import applications, examination
from qmi.core import versions
from qmi.programmes.management.commands.load_demo import DEMO_PASSWORD
from qmi.programmes.models import Edition, EditionCommune
from qmi.review.services.decisions import stage_decision
from qmi.review.services.publication import publish_decisions

from ...models import Allocation, AllocationCommune, LaureateRanking, Run
from ...services import preferences, publication, runs

WAVE1_SLUG = "qmi-2-appel-a-experimenter"
WAVE2_SLUG = "qmi-2-appel-a-experimenter-vague-2"
OPERATOR = "operateur@demo.qmi.example"
ARGENTEUIL_AGENT = "agent.argenteuil@demo.qmi.example"
STARTUP_PERSON = "experimentateur@demo.qmi.example"

COMMUNES = {
    "AUB": "93001",  # Aubervilliers
    "ATH": "91027",  # Athis-Mons
    "FON": "94033",  # Fontenay-sous-Bois
    "ARG": "95018",  # Argenteuil
    "ISS": "92040",  # Issy-les-Moulineaux
    "SUC": "94071",  # Sucy-en-Brie
}

FICTIONAL = (
    "Organisation fictive, créée pour la démonstration de la plateforme : ni elle ni son "
    "dossier n'existent."
)
REAL = (
    "Lauréat de la seconde vague de la 2e édition, accueilli à Argenteuil (communiqués de la "
    "Métropole). Le texte de son dossier sur cette plateforme est écrit pour la démonstration."
)
DEMO_TEXT = " (Texte de démonstration.)"

LF = Organisation.LegalForm
STRUCTURE = {
    LF.STARTUP: "Startup",
    LF.ASSOCIATION: "Association",
    LF.SME: "PME",
    LF.COOPERATIVE: "Coopérative",
    LF.DESIGNER: "Designer ou collectif",
}
PUBLIC = "Espaces publics et services urbains"
CLIMATE = "Adaptation au changement climatique"
MOBILITY = "Flux, mobilités et logistique"
SHOPS = "Animation locale et commerces"
WORKS = "Renouvellement urbain et chantiers"
HOUSING = "Habitat et transformation des usages"
CIRCULAR = "Économie circulaire"
SPORT = "Sport en ville"

SELECTED, WAITING, NOT_SELECTED = "selected", "waiting_list", "not_selected"


def project(key, name, form, solution, description, themes, ranking, outcome=SELECTED):
    return {
        "key": key,
        "name": name,
        "legal_form": form,
        "solution": solution,
        "description": description,
        "themes": themes,
        "ranking": ranking,
        "outcome": outcome,
    }


# The first wave: 19 laureates, 3 on the waiting list, 3 not selected (all fictional).
WAVE1 = [
    project("canopee-mobile", "Canopée Mobile (fictif)", LF.STARTUP,
            "Îlots de fraîcheur démontables",
            "Des ombrières végétalisées montées en une journée sur une place minérale, "
            "déplacées selon les saisons.",
            [CLIMATE, PUBLIC], ["AUB", "FON"]),
    project("pave-filtrant", "Pavé Filtrant (fictif)", LF.SME,
            "Pavés drainants en béton recyclé",
            "Un pavage perméable fabriqué à partir de gravats locaux, testé sur un parvis "
            "d'école.",
            [PUBLIC, CIRCULAR], ["AUB", "ATH", "FON"]),
    project("compost-et-cie", "Compost & Cie (fictif)", LF.ASSOCIATION,
            "Composteurs de quartier suivis en ligne",
            "Des composteurs partagés en pied d'immeuble, dont le remplissage est suivi par "
            "capteur pour organiser les collectes.",
            [CIRCULAR], ["FON", "AUB"]),
    project("cargo-commun", "Cargo Commun (fictif)", LF.COOPERATIVE,
            "Vélos-cargos partagés entre commerçants",
            "Une flotte de vélos-cargos réservables à l'heure par les commerçants d'une rue.",
            [MOBILITY, SHOPS], ["AUB"]),
    project("boutique-tournante", "Boutique Tournante (fictif)", LF.STARTUP,
            "Local commercial vacant en boutique tournante",
            "Un local vacant confié chaque mois à un nouveau créateur du quartier.",
            [SHOPS], ["AUB", "ATH"]),
    project("chantier-tranquille", "Chantier Tranquille (fictif)", LF.STARTUP,
            "Capteurs de bruit et de poussière de chantier",
            "Des capteurs en limite de chantier qui alertent l'entreprise avant que la gêne "
            "des riverains ne dépasse les seuils convenus.",
            [WORKS], ["ATH", "AUB", "FON"]),
    project("toits-partages", "Toits Partagés (fictif)", LF.ASSOCIATION,
            "Potagers sur les toits des bailleurs",
            "Des potagers cultivés par les locataires sur les toits-terrasses d'un bailleur "
            "social.",
            [HOUSING, CLIMATE], ["AUB", "FON"]),
    project("agres-connectes", "Agrès Connectés (fictif)", LF.STARTUP,
            "Agrès de plein air avec programmes guidés",
            "Des agrès de rue dont les exercices sont expliqués par un code à scanner, pour "
            "tous les âges.",
            [SPORT], ["ATH", "AUB"]),
    project("nuit-claire", "Nuit Claire (fictif)", LF.SME,
            "Éclairage public à détection de présence",
            "Des lampadaires qui baissent l'intensité la nuit et la remontent au passage des "
            "piétons et des cyclistes.",
            [PUBLIC], ["ATH"]),
    project("recyclerie-mobile", "Recyclerie Mobile (fictif)", LF.ASSOCIATION,
            "Recyclerie itinérante",
            "Un camion-atelier qui collecte, répare et revend des objets au pied des "
            "immeubles, une semaine par quartier.",
            [CIRCULAR], ["ATH", "FON", "AUB"]),
    project("consigne-colis", "Consigne Colis (fictif)", LF.STARTUP,
            "Consigne de colis mutualisée",
            "Des casiers partagés par tous les transporteurs dans un commerce de proximité, "
            "pour moins de camionnettes en double file.",
            [MOBILITY], ["AUB", "ATH"]),
    project("halle-vivante", "Halle Vivante (fictif)", LF.COOPERATIVE,
            "Animation des marchés en soirée",
            "Des marchés du soir avec producteurs locaux et animations, pour faire vivre une "
            "halle peu fréquentée.",
            [SHOPS], ["ATH", "FON"]),
    project("materiaux-en-boucle", "Matériaux en Boucle (fictif)", LF.STARTUP,
            "Plateforme de réemploi des matériaux de chantier",
            "Une plateforme qui met en relation les chantiers de démolition et de "
            "construction d'un même secteur pour réemployer les matériaux.",
            [WORKS, CIRCULAR], ["ATH", "AUB"]),
    project("preau-vert", "Préau Vert (fictif)", LF.SME,
            "Désimperméabilisation des cours d'école",
            "Des cours d'école débitumées et plantées avec les élèves, suivies par des "
            "mesures de température.",
            [CLIMATE], ["FON", "ATH"]),
    project("logement-modulable", "Logement Modulable (fictif)", LF.DESIGNER,
            "Cloisons mobiles pour logements sociaux",
            "Des cloisons démontables qui adaptent un logement à l'arrivée ou au départ d'un "
            "enfant, sans travaux.",
            [HOUSING], ["FON"]),
    project("parcours-actif", "Parcours Actif (fictif)", LF.ASSOCIATION,
            "Parcours sportif balisé dans la ville",
            "Un parcours de course et de marche balisé au sol, reliant parcs et équipements "
            "sportifs.",
            [SPORT, PUBLIC], ["FON", "ATH", "AUB"]),
    project("borne-soleil", "Borne Soleil (fictif)", LF.STARTUP,
            "Mobilier urbain solaire",
            "Des bancs équipés d'un panneau solaire pour recharger téléphones et fauteuils "
            "roulants électriques.",
            [PUBLIC], ["AUB", "FON"]),
    project("goutte-a-goutte", "Goutte à Goutte (fictif)", LF.SME,
            "Récupération de l'eau de pluie pour l'arrosage",
            "Des cuves enterrées sous les trottoirs qui arrosent les arbres d'alignement avec "
            "l'eau des toitures voisines.",
            [CLIMATE], ["FON", "AUB"]),
    project("micro-foret", "Micro-Forêt (fictif)", LF.ASSOCIATION,
            "Micro-forêts sur délaissés urbains",
            "Des plantations denses d'essences locales sur des délaissés de voirie, avec les "
            "habitants.",
            [CLIMATE], ["FON", "ATH"]),
    project("ruche-urbaine", "Ruche Urbaine (fictif)", LF.ASSOCIATION,
            "Ruchers pédagogiques", "Des ruchers sur les toits d'équipements publics, "
            "ouverts aux écoles.", [CLIMATE], ["AUB", "FON"], WAITING),
    project("signaletique-inclusive", "Signalétique Inclusive (fictif)", LF.DESIGNER,
            "Signalétique lisible par tous", "Une signalétique en facile à lire et à "
            "comprendre, avec pictogrammes et relief.", [PUBLIC], ["ATH"], WAITING),
    project("marche-circulaire", "Marché Circulaire (fictif)", LF.COOPERATIVE,
            "Marché de seconde main", "Un marché mensuel de seconde main et de réparation.",
            [CIRCULAR, SHOPS], ["FON", "AUB"], WAITING),
    project("drone-livreur", "Drone Livreur (fictif)", LF.STARTUP,
            "Livraison de médicaments par drone", "Des livraisons par drone entre "
            "pharmacies.", [MOBILITY], ["ATH", "AUB"], NOT_SELECTED),
    project("ville-capteurs", "Ville Capteurs (fictif)", LF.SME,
            "Capteurs urbains tout-en-un", "Un boîtier unique pour mesurer bruit, air et "
            "affluence.", [PUBLIC], ["AUB"], NOT_SELECTED),
    project("kiosque-numerique", "Kiosque Numérique (fictif)", LF.STARTUP,
            "Kiosque d'information interactif", "Un écran tactile d'information municipale "
            "en pied d'immeuble.", [PUBLIC], ["FON"], NOT_SELECTED),
]  # fmt: skip

# Each commune's wishes: [(laureate key, rank given)]; Fontenay-sous-Bois gives ties.
WAVE1_WISHES = {
    "AUB": [
        ("canopee-mobile", 1), ("pave-filtrant", 2), ("cargo-commun", 3),
        ("boutique-tournante", 4), ("toits-partages", 5), ("compost-et-cie", 6),
        ("chantier-tranquille", 7), ("consigne-colis", 8), ("borne-soleil", 9),
    ],
    "ATH": [
        ("agres-connectes", 1), ("nuit-claire", 2), ("materiaux-en-boucle", 3),
        ("recyclerie-mobile", 4), ("halle-vivante", 5), ("consigne-colis", 6),
        ("chantier-tranquille", 7), ("preau-vert", 8),
    ],
    "FON": [
        ("preau-vert", 1), ("micro-foret", 1), ("logement-modulable", 2),
        ("goutte-a-goutte", 2), ("parcours-actif", 3), ("borne-soleil", 4),
        ("compost-et-cie", 5), ("canopee-mobile", 6), ("halle-vivante", 7),
        ("recyclerie-mobile", 8),
    ],
}  # fmt: skip
# Laureates who revised their ranking in the window (the others confirmed it).
WAVE1_REVISED = {"recyclerie-mobile": ["ATH", "AUB"]}

# The second wave: Houelcomdesign and Ostrea (domain.md), the demo's startup and 21
# fictional laureates, 2 on the waiting list. "startup" is the demo's « Rue Fraîche ».
WAVE2 = [
    project("houelcomdesign", "Houelcomdesign", LF.DESIGNER,
            "Borne de sécurité multilingue pour les chantiers",
            "Une borne installée à l'entrée des chantiers qui présente les consignes de "
            "sécurité dans la langue de chaque compagnon." + DEMO_TEXT,
            [WORKS], ["ARG"]),
    project("ostrea", "Ostrea", LF.STARTUP,
            "Matériau de construction à base de coquillages",
            "Un matériau pour le mobilier et l'aménagement fabriqué à partir de coquilles "
            "d'huîtres et de coquillages recyclés." + DEMO_TEXT,
            [CIRCULAR, WORKS], ["ARG", "SUC"]),
    project("passerelle-chantier", "Passerelle Chantier (fictif)", LF.ASSOCIATION,
            "Information des riverains d'un chantier",
            "Une permanence mobile et une lettre illustrée qui expliquent chaque phase des "
            "travaux aux habitants.",
            [WORKS], ["ARG", "ISS"]),
    project("liant-vert", "Liant Vert (fictif)", LF.STARTUP,
            "Liant bas carbone pour les trottoirs",
            "Un liant à base de terre crue et de résidus agricoles pour les cheminements "
            "piétons.",
            [WORKS, CLIMATE], ["ARG", "SUC"]),
    project("trottoir-malin", "Trottoir Malin (fictif)", LF.SME,
            "Trottoir modulable selon les heures",
            "Des plots amovibles qui élargissent le trottoir aux heures de sortie d'école.",
            [PUBLIC, MOBILITY], ["ISS", "ARG"]),
    project("ressourcerie-du-val", "Ressourcerie du Val (fictif)", LF.ASSOCIATION,
            "Ressourcerie de quartier en renouvellement urbain",
            "Une ressourcerie installée dans un rez-de-chaussée vacant, qui récupère le "
            "mobilier des logements démolis.",
            [CIRCULAR, WORKS], ["ARG"]),
    project("jardins-suspendus", "Jardins Suspendus (fictif)", LF.DESIGNER,
            "Jardinières suspendues aux palissades de chantier",
            "Des palissades de chantier végétalisées et entretenues par un chantier "
            "d'insertion.",
            [WORKS, CLIMATE], ["ARG", "SUC", "ISS"]),
    project("mediation-mobile", "Médiation Mobile (fictif)", LF.COOPERATIVE,
            "Triporteur de médiation de quartier",
            "Un triporteur qui accueille les questions des habitants sur les projets "
            "urbains, au pied des immeubles.",
            [PUBLIC], ["SUC", "ARG"]),
    project("navette-douce", "Navette Douce (fictif)", LF.STARTUP,
            "Navette électrique à la demande",
            "Une navette électrique de six places réservable par téléphone pour les "
            "personnes âgées.",
            [MOBILITY], ["ISS", "SUC"]),
    project("ilot-frais", "Îlot Frais (fictif)", LF.SME,
            "Brumisateurs économes en eau",
            "Des brumisateurs déclenchés par la température et la présence, alimentés par "
            "l'eau de pluie.",
            [CLIMATE], ["ISS"]),
    project("vitrine-partagee", "Vitrine Partagée (fictif)", LF.STARTUP,
            "Vitrine commune des commerçants",
            "Une vitrine en ligne et en boutique qui regroupe l'offre des commerçants d'une "
            "rue.",
            [SHOPS], ["ISS", "ARG"]),
    project("sentier-sportif", "Sentier Sportif (fictif)", LF.ASSOCIATION,
            "Sentier sportif entre les parcs",
            "Un sentier balisé avec ateliers de renforcement musculaire, reliant deux parcs.",
            [SPORT], ["ISS", "SUC"]),
    project("fresque-vivante", "Fresque Vivante (fictif)", LF.DESIGNER,
            "Fresques participatives sur les murs pignons",
            "Des fresques peintes avec les habitants, accompagnées d'un parcours de visite.",
            [SHOPS, PUBLIC], ["ISS"]),
    project("capteur-citoyen", "Capteur Citoyen (fictif)", LF.ASSOCIATION,
            "Mesure citoyenne de la qualité de l'air",
            "Des capteurs prêtés aux habitants, dont les mesures sont publiées sur une "
            "carte ouverte.",
            [CLIMATE, PUBLIC], ["ISS", "ARG", "SUC"]),
    project("logistique-fluviale", "Logistique Fluviale (fictif)", LF.SME,
            "Livraisons urbaines par la Seine",
            "Des livraisons de colis par barge jusqu'à un quai, puis en vélo-cargo.",
            [MOBILITY], ["ISS", "ARG"]),
    project("mur-vegetal", "Mur Végétal (fictif)", LF.STARTUP,
            "Murs végétaux sans arrosage",
            "Des murs végétalisés d'espèces locales, arrosés seulement par la pluie.",
            [CLIMATE], ["SUC", "ISS"]),
    project("startup", "", LF.STARTUP,
            "Rue fraîche : ombrage et sols clairs",
            "Des voiles d'ombrage et un revêtement clair pour rafraîchir une rue "
            "commerçante l'été.",
            [CLIMATE, SHOPS], ["SUC", "ISS"]),
    project("marche-nomade", "Marché Nomade (fictif)", LF.COOPERATIVE,
            "Marché itinérant de producteurs",
            "Un marché de producteurs qui s'installe chaque semaine dans un quartier "
            "différent.",
            [SHOPS], ["SUC", "ISS"]),
    project("tiers-lieu-modulaire", "Tiers-Lieu Modulaire (fictif)", LF.DESIGNER,
            "Tiers-lieu en modules de réemploi",
            "Un tiers-lieu monté en modules de réemploi sur une friche, démontable en deux "
            "jours.",
            [HOUSING, CIRCULAR], ["SUC", "ARG"]),
    project("pedibus-connecte", "Pédibus Connecté (fictif)", LF.ASSOCIATION,
            "Pédibus organisé par application",
            "Des trajets à pied vers l'école accompagnés par des parents, organisés sur "
            "une application simple.",
            [MOBILITY], ["SUC"]),
    project("terrain-d-avenir", "Terrain d'Avenir (fictif)", LF.ASSOCIATION,
            "Terrain multisport éphémère",
            "Un terrain multisport démontable installé sur un parking peu utilisé le "
            "week-end.",
            [SPORT], ["SUC", "ISS"]),
    project("humus-urbain", "Humus Urbain (fictif)", LF.STARTUP,
            "Compost des restaurants pour les parcs",
            "La collecte à vélo des déchets de cuisine des restaurants, compostés pour les "
            "espaces verts de la ville.",
            [CIRCULAR], ["SUC", "ARG"]),
    project("abri-solaire", "Abri Solaire (fictif)", LF.SME,
            "Abri de bus solaire et rafraîchi",
            "Un abri de bus couvert de panneaux solaires qui ventile et éclaire l'attente.",
            [MOBILITY, CLIMATE], ["SUC", "ISS"]),
    project("roue-libre", "Roue Libre (fictif)", LF.ASSOCIATION,
            "Atelier vélo solidaire",
            "Un atelier de réparation de vélos où les habitants apprennent à entretenir le "
            "leur.",
            [MOBILITY, CIRCULAR], ["SUC", "ARG"]),
    project("bancs-bavards", "Bancs Bavards (fictif)", LF.DESIGNER,
            "Bancs qui invitent à la conversation", "Des bancs en vis-à-vis pour rompre "
            "l'isolement.", [PUBLIC], ["SUC", "ISS"], WAITING),
    project("lumiere-de-quartier", "Lumière de Quartier (fictif)", LF.SME,
            "Éclairage festif économe", "Des illuminations à faible consommation pour les "
            "rues commerçantes.", [SHOPS], ["ARG", "ISS"], WAITING),
]  # fmt: skip

WAVE2_WISHES = {
    "ARG": [
        ("houelcomdesign", 1), ("ostrea", 2), ("ressourcerie-du-val", 3),
        ("passerelle-chantier", 4), ("liant-vert", 5), ("jardins-suspendus", 6),
        ("mediation-mobile", 7), ("trottoir-malin", 8), ("roue-libre", 9),
        ("capteur-citoyen", 10),
    ],
    "ISS": [
        ("navette-douce", 1), ("ilot-frais", 2), ("logistique-fluviale", 3),
        ("trottoir-malin", 4), ("vitrine-partagee", 5), ("capteur-citoyen", 6),
        ("sentier-sportif", 7), ("fresque-vivante", 8), ("mur-vegetal", 9),
    ],
    "SUC": [
        ("startup", 1), ("pedibus-connecte", 2), ("marche-nomade", 3),
        ("mur-vegetal", 4), ("abri-solaire", 5), ("terrain-d-avenir", 6),
        ("humus-urbain", 7), ("tiers-lieu-modulaire", 8), ("liant-vert", 9),
    ],
}  # fmt: skip
# In the open window: one laureate revised its ranking, the demo's startup has not answered.
WAVE2_REVISED = {"mur-vegetal": ["ISS", "SUC"]}
WAVE2_UNANSWERED = {"startup"}

WAVE2_SPEC = {
    **CALLS[1],
    "slug": WAVE2_SLUG,
    "title": "Appel à expérimenter — QMI 2, seconde vague",
    "presentation": (
        "<p>Seconde vague de l'appel à expérimenter de la 2e édition, pour Argenteuil, "
        "Issy-les-Moulineaux et Sucy-en-Brie : 6 à 8 projets par commune, 24 au total. "
        "Startups, associations, PME, grands groupes, coopératives et designers, français ou "
        "étrangers, y proposent des solutions au stade du prototype, pas encore "
        "commercialisées, à tester en conditions réelles dans un quartier d'innovation.</p>"
    ),
    "opens_at": paris(2025, 1, 20, 0, 0),
    "closes_at": paris(2025, 2, 23, 23, 59, 59),
    "reference_prefix": "AAE2V2",
    "form": PROJECTS_FORM,
}

WAVE1_DATES = {
    "submitted": paris(2024, 6, 10, 14, 0),
    "decisions": paris(2024, 9, 20, 10, 0),
    "opened": paris(2024, 9, 20, 11, 0),
    "answered": paris(2024, 9, 25, 16, 0),
    "wishes": paris(2024, 9, 27, 17, 0),
    "closes": paris(2024, 9, 30, 18, 0),
    "run": paris(2024, 10, 1, 10, 0),
    "staged": paris(2024, 10, 2, 15, 0),
    "published": paris(2024, 10, 8, 10, 0),
}
# The first deposit of each wave; the next ones follow three hours apart.
WAVE2_SUBMITTED = paris(2025, 1, 31, 11, 0)
WINDOW_DAYS = 10

RATIONALES = {
    SELECTED: "Retenu par le jury avec les communes (motivation de démonstration).",
    WAITING: "Sur liste d'attente : projet solide, moins prioritaire pour les communes "
    "(motivation de démonstration).",
    NOT_SELECTED: "Non retenu : solution déjà commercialisée ou peu adaptée aux défis "
    "(motivation de démonstration).",
}
WAVE1_RATIONALE = (
    "Répartition du comité du 2 octobre 2024 : chaque lauréat est placé dans une commune qu'il "
    "a classée et qui l'a souhaité ; chaque commune accueille 6 ou 7 projets "
    "(motivation de démonstration)."
)


@contextmanager
def bumped_once():
    """Each cache version the load changes, bumped once at its end rather than at every save.

    Every save of a watched model bumps its version now and again on commit: a few
    thousand writes to the database cache for the hundreds of rows made here, most of the
    load's time. Nothing reads a kept value in between, so once afterwards is enough.
    """
    names = set()
    bump = versions.bump
    versions.bump = names.add
    try:
        yield
    finally:
        versions.bump = bump
        for name in sorted(names):
            bump(name)


class Command(BaseCommand):
    help = "Charge les répartitions de démonstration des deux vagues de la 2e édition."

    def handle(self, *args, **options):
        if Allocation.objects.filter(call__slug=WAVE2_SLUG).exists():
            self.stdout.write("Répartitions de démonstration déjà chargées : rien à changer.")
            return
        with bumped_once(), transaction.atomic():
            summary = self._load()
        self.stdout.write(self.style.SUCCESS(summary))

    def _load(self):
        staff = mark_second_factor(User.objects.get(email=OPERATOR))
        self.staff = staff
        self.edition = Edition.objects.get(programme__slug="qmi", number=2)
        self.communes = {
            code: EditionCommune.objects.select_related("commune").get(
                edition=self.edition, commune__insee=insee
            )
            for code, insee in COMMUNES.items()
        }
        self.password = make_password(DEMO_PASSWORD)
        parts = []
        wave1 = Call.objects.get(slug=WAVE1_SLUG)
        if wave1.applications.exists() or Allocation.objects.filter(call=wave1).exists():
            parts.append("1re vague laissée telle quelle (des dossiers y existent déjà)")
        else:
            placed = self._wave1(wave1)
            parts.append(f"1re vague publiée ({placed} lauréats placés)")
        run = self._wave2()
        parts.append(
            f"2de vague en préparation (24 lauréats, calcul n° {run.number} : "
            f"{run.get_status_display().lower()})"
        )
        return "Répartitions de démonstration chargées : " + ", ".join(parts) + "."

    # Files -----------------------------------------------------------------------------

    def _organisation(self, spec):
        if spec["key"] == "startup":
            return Organisation.objects.get(demo_key="startup"), User.objects.get(
                email=STARTUP_PERSON
            )
        real = not spec["name"].endswith("(fictif)")
        organisation = Organisation.objects.create(
            name=spec["name"],
            kind=Organisation.Kind.EXPERIMENTER,
            legal_form=spec["legal_form"],
            is_demo=not real,
            description=REAL if real else FICTIONAL,
        )
        short = spec["name"].removesuffix(" (fictif)")
        email = f"porteur.{spec['key']}@demo.qmi.example"
        person = User.objects.filter(email=email).first() or User.objects.create(
            email=email, full_name=f"Porteur {short} (démo)", is_demo=True, password=self.password
        )
        EmailAddress.objects.get_or_create(
            user=person, email=email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.create(
            user=person, organisation=organisation, role=Membership.Role.ADMIN
        )
        return organisation, person

    def _file(self, call, spec, submitted_at):
        """A complete file, made as its team and the operator would, dated `submitted_at`."""
        organisation, person = self._organisation(spec)
        application, _created = applications.start_application(
            call=call, organisation=organisation, by=person, now=submitted_at
        )
        application = fill(application, person)
        application = applications.autosave(
            application=application,
            by=person,
            base_version=application.version,
            changes={
                "structure-type": STRUCTURE[spec["legal_form"]],
                "structure-presentation": organisation.description or FICTIONAL,
                "contact-nom": f"{person.full_name}, fondateur·rice",
                "contact-email": person.email,
                "solution-nom": spec["solution"],
                "solution-description": spec["description"],
                "solution-themes": spec["themes"],
                "solution-maturite": "Prototype",
                "deja-commercialisee": "no",
                "communes-souhaitees": [str(self.communes[c].pk) for c in spec["ranking"]],
            },
        )
        applications.submit_application(application=application, by=person, now=submitted_at)
        application = examination.mark_complete(application=application, by=self.staff)
        stage_decision(
            application=application,
            outcome=spec["outcome"],
            rationale=RATIONALES[spec["outcome"]],
            by=self.staff,
        )
        return application, person

    def _files(self, call, specs, submitted_at):
        """{key: (application, person)}, the call reopened for the time of the deposits."""
        Call.objects.filter(pk=call.pk).update(status=Call.Status.PUBLISHED)
        call.refresh_from_db()
        files = {}
        for number, spec in enumerate(specs):
            moment = submitted_at + datetime.timedelta(hours=3 * number)
            files[spec["key"]] = self._file(call, spec, moment)
        Call.objects.filter(pk=call.pk).update(status=Call.Status.CLOSED)
        call.refresh_from_db()
        return files

    # Preferences -----------------------------------------------------------------------

    def _open(self, call, bounds, closes_at):
        allocation = preferences.open_allocation(
            call=call,
            by=self.staff,
            closes_at=closes_at,
            communes=[(self.communes[code], *bounds) for code in self._codes(call)],
        )
        return allocation, {
            c.edition_commune_id: c for c in AllocationCommune.objects.filter(allocation=allocation)
        }

    def _codes(self, call):
        return ["AUB", "ATH", "FON"] if call.slug == WAVE1_SLUG else ["ARG", "ISS", "SUC"]

    def _answers(self, allocation, specs, files, revised, unanswered=()):
        for spec in specs:
            if spec["outcome"] != SELECTED or spec["key"] in unanswered:
                continue
            application, person = files[spec["key"]]
            ranking = revised.get(spec["key"], spec["ranking"])
            preferences.answer_ranking(
                allocation=allocation,
                application=application,
                by=person,
                ranking=[self.communes[code].pk for code in ranking],
            )

    def _wishes(self, communes, wishes, files, by=None):
        for code, ranks in wishes.items():
            preferences.save_wishes(
                commune=communes[self.communes[code].pk],
                by=(by or {}).get(code, self.staff),
                ranks={files[key][0].pk: rank for key, rank in ranks},
            )

    # The two waves ---------------------------------------------------------------------

    def _wave1(self, call):
        dates = WAVE1_DATES
        files = self._files(call, WAVE1, dates["submitted"])
        publish_decisions(call=call, by=self.staff, now=dates["decisions"])
        # The window was in the past: opened for the loader, then set back to its real end.
        allocation, communes = self._open(call, (6, 7), timezone.now() + datetime.timedelta(days=1))
        self._answers(allocation, WAVE1, files, WAVE1_REVISED)
        self._wishes(communes, WAVE1_WISHES, files)
        Allocation.objects.filter(pk=allocation.pk).update(
            closes_at=dates["closes"], created_at=dates["opened"], updated_at=dates["opened"]
        )
        LaureateRanking.objects.filter(allocation=allocation).update(answered_at=dates["answered"])
        AllocationCommune.objects.filter(allocation=allocation).update(
            wishes_saved_at=dates["wishes"]
        )
        run = runs.start_run(allocation=allocation, by=self.staff, background=False)
        Run.objects.filter(pk=run.pk).update(
            created_at=dates["run"], finished_at=dates["run"] + datetime.timedelta(seconds=2)
        )
        publication.stage_run(run=run, rationale=WAVE1_RATIONALE, by=self.staff)
        Allocation.objects.filter(pk=allocation.pk).update(staged_at=dates["staged"])
        publication.publish_allocation(allocation=allocation, by=self.staff, now=dates["published"])
        # The letters stay held in the outbox, for staff to read before they leave.
        return allocation.placements.count()

    def _wave2(self):
        call = save_spec(self.edition, WAVE2_SPEC, dates={})
        create_form(call, WAVE2_SPEC["form"], published_at=WAVE2_SPEC["opens_at"])
        files = self._files(call, WAVE2, WAVE2_SUBMITTED)
        # The selection is announced (a laureate answers once it knows), the allocation open.
        publish_decisions(call=call, by=self.staff)
        closes_at = (timezone.now() + datetime.timedelta(days=WINDOW_DAYS)).replace(microsecond=0)
        allocation, communes = self._open(call, (6, 8), closes_at)
        self._answers(allocation, WAVE2, files, WAVE2_REVISED, WAVE2_UNANSWERED)
        agent = User.objects.get(email=ARGENTEUIL_AGENT)
        self._wishes(communes, WAVE2_WISHES, files, by={"ARG": agent})
        return runs.start_run(allocation=allocation, by=self.staff, background=False)
