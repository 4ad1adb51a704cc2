"""Demo review: the 2nd edition's grids, and a fictional call whose jury is deliberating.

Right after `make run`, staff see a call for projects closed to submissions with eight
fictional complete files, a jury of three (the operator, a commune agent, a partner's
expert) assigned by the solver, most reviews submitted and a few still to do, and the
ranking they produce; the expert's home is their queue. The AMI's five criteria and the
call for projects' grid are set on the 2nd edition's real calls, in preparation.
Everything named here that is not in the programme's documents is fictional. Idempotent.
"""

import datetime
import zlib

from allauth.account.models import EmailAddress
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from qmi.accounts.models import Membership, Organisation, User
from qmi.accounts.second_factor import mark_second_factor
from qmi.calls.management.commands.load_demo_applications import fill
from qmi.calls.management.commands.load_demo_calls import DEMO_CALLS, demo_call
from qmi.calls.models import Application, Call, Question
from qmi.calls.queries import questions_of
from qmi.calls.services import applications, calls, examination
from qmi.programmes.management.commands.load_demo import DEMO_PASSWORD
from qmi.programmes.models import Edition, Theme
from qmi.review.models import Juror, Phase, Review
from qmi.review.services import grid, jury, scores

JURY_SLUG = "demo-appel-en-jury"

# The AMI's five criteria (domain.md), each on 0–5 with the same weight.
AMI_GRID = [
    "Pertinence du défi et du secteur proposés pour expérimenter",
    "Cohérence entre les politiques publiques de la commune et la démarche expérimentale",
    "Capacité à mobiliser les ressources nécessaires (espace public, services techniques, partenaires)",
    "Disponibilité des équipes de la commune pour suivre le programme",
    "Diversité des partenaires locaux qui soutiennent la démarche",
]
# The call for projects' grid: (label, weight, help).
PROJECTS_GRID = [
    ("Pertinence au regard du défi de la commune", 2, "La solution répond-elle au défi posé ?"),
    ("Caractère innovant", 1, "Prototype non encore commercialisé, approche nouvelle."),
    ("Faisabilité d'un test en 18 mois", 2, "Moyens, calendrier, autorisations."),
    ("Impact attendu", 1, "Pour les habitants et l'espace public."),
    ("Équipe", 1, "Compétences et disponibilité de l'équipe."),
]
LEVELS = {"0": "Absent", "1": "Très insuffisant", "3": "Satisfaisant", "5": "Excellent"}
# Fictional project holders (key, organisation name).
PROJECTS = [
    ("ombre-douce", "Ombre Douce (fictif)"),
    ("bancs-frais", "Bancs Frais (fictif)"),
    ("rue-calme", "Rue Calme (fictif)"),
    ("sol-vivant", "Sol Vivant (fictif)"),
    ("lumiere-sobre", "Lumière Sobre (fictif)"),
    ("cour-oasis", "Cour Oasis (fictif)"),
    ("velo-partage", "Vélo Partagé (fictif)"),
    ("eau-de-pluie", "Eau de Pluie (fictif)"),
]
# Sixteen readings (eight files, two each) for seventeen places: everyone reads.
JURORS = [
    ("operateur@demo.qmi.example", Juror.Kind.STAFF, 6),
    ("agent.argenteuil@demo.qmi.example", Juror.Kind.COMMUNE, 5),
    ("expert@demo.qmi.example", Juror.Kind.EXPERT, 6),
]
# Reviews the expert leaves to do, so their queue shows work.
EXPERT_PENDING = 2


def _spec():
    spec, _dates = DEMO_CALLS[1]
    return {
        **spec,
        "slug": JURY_SLUG,
        "title": "Appel à expérimenter de démonstration : le jury délibère (fictif)",
        "title_en": "Demonstration call for projects: the jury deliberates (fictional)",
        "presentation": (
            "<p><strong>Appel fictif, pour la démonstration de la plateforme.</strong> Clos "
            "aux candidatures : son jury fictif évalue les huit dossiers reçus.</p>"
        ),
        "presentation_en": (
            "<p><strong>A fictional call, to try the platform.</strong> Closed to "
            "applications: its fictional jury is reviewing the eight files received.</p>"
        ),
        "reference_prefix": "DEMOJ",
    }


def _score(juror, application, criterion):
    """The same fictional score at every run, from 1 to 5."""
    return 1 + zlib.crc32(f"{juror.pk}-{application.reference}-{criterion.order}".encode()) % 5


class Command(BaseCommand):
    help = "Charge les grilles de la 2e édition et un jury de démonstration en délibération."

    def handle(self, *args, **options):
        staff = mark_second_factor(User.objects.get(email="operateur@demo.qmi.example"))
        for slug, spec in (("qmi-2-ami", "ami"), ("qmi-2-appel-a-experimenter", "projects")):
            call = Call.objects.filter(slug=slug).first()
            if call is not None and not call.review_phases.exists():
                self._grid(call, spec, staff, status=Phase.Status.PREPARING)
        self._restore_keys()
        if Call.objects.filter(slug=JURY_SLUG, review_phases__assignments__isnull=False).exists():
            self.stdout.write("Jury de démonstration déjà chargé.")
            return
        with transaction.atomic():
            call = self._jury_call(staff)
        self.stdout.write(self.style.SUCCESS(f"Jury de démonstration chargé : {call.title}."))

    def _restore_keys(self):
        """A database loaded before demo keys existed: the jury's files keep their rows."""
        for key, name in PROJECTS:
            if Organisation.objects.filter(demo_key=f"jury-{key}").exists():
                continue
            found = (
                Organisation.objects.filter(name=name, applications__call__slug=JURY_SLUG)
                .order_by("pk")
                .first()
            )
            if found is not None:
                Organisation.objects.filter(pk=found.pk).update(demo_key=f"jury-{key}")

    def _grid(self, call, spec, staff, *, status):
        title = "Analyse des candidatures" if spec == "ami" else "Lecture des dossiers"
        phase = Phase.objects.create(call=call, title=title, order=1, reviews_per_application=3)
        rows = [(label, 1, "") for label in AMI_GRID] if spec == "ami" else PROJECTS_GRID
        for label, weight, help_text in rows:
            grid.save_criterion(
                phase=phase,
                by=staff,
                label=label,
                weight=str(weight),
                scale_min="0",
                scale_max="5",
                help_text=help_text,
                level_labels=LEVELS,
                required=True,
            )
        if status != phase.status:
            Phase.objects.filter(pk=phase.pk).update(status=status)
            phase.refresh_from_db()
        return phase

    def _jury_call(self, staff):
        edition = Edition.objects.filter(slug="demo").first() or Edition.objects.get(
            programme__slug="qmi", number=2
        )
        call = demo_call(edition, _spec(), -40, 1, (-30, 10, 0, "Réunion d'information (fictive)"))
        files = [self._file(call, key, name, staff) for key, name in PROJECTS]
        calls.move_call(call=call, target=Call.Status.CLOSED, by=staff, note="Démonstration.")
        Call.objects.filter(pk=call.pk).update(
            closes_at=timezone.now() - datetime.timedelta(hours=1)
        )
        phase = self._grid(call, "projects", staff, status=Phase.Status.OPEN)
        Phase.objects.filter(pk=phase.pk).update(
            reviews_per_application=2, closes_at=timezone.now() + datetime.timedelta(days=10)
        )
        phase.refresh_from_db()
        themes = list(Theme.objects.order_by("name")[:3])
        for number, (email, kind, capacity) in enumerate(JURORS):
            jury.add_juror(
                call=call,
                user=User.objects.get(email=email),
                kind=kind,
                capacity=capacity,
                themes=themes[number : number + 1],
                by=staff,
            )
        jury.assign_automatically(phase=phase, by=staff)
        self._reviews(phase, files)
        Phase.objects.create(
            call=call, title="Délibération", order=2, scoring=False, status=Phase.Status.PREPARING
        )
        return call

    def _file(self, call, key, name, staff):
        organisation, _ = Organisation.objects.get_or_create(
            demo_key=f"jury-{key}",
            defaults={
                "name": name,
                "kind": Organisation.Kind.EXPERIMENTER,
                "legal_form": Organisation.LegalForm.STARTUP,
                "is_demo": True,
                "description": "Organisation fictive de démonstration.",
            },
        )
        person, created = User.objects.get_or_create(
            email=f"porteur.{key}@demo.qmi.example",
            defaults={"full_name": f"Porteur {name}", "is_demo": True},
        )
        if created:
            # The demo's password, so anyone can see a file's decision as its applicant.
            person.set_password(DEMO_PASSWORD)
            person.save()
        EmailAddress.objects.get_or_create(
            user=person, email=person.email, defaults={"verified": True, "primary": True}
        )
        Membership.objects.get_or_create(
            user=person, organisation=organisation, defaults={"role": Membership.Role.ADMIN}
        )
        existing = Application.objects.filter(call=call, organisation=organisation).first()
        if existing is not None:
            return existing
        application, _ = applications.start_application(
            call=call, organisation=organisation, by=person
        )
        application = fill(application, person)
        rankings = [
            q.key
            for q in questions_of(application.revision)
            if q.kind == Question.Kind.COMMUNE_RANKING
        ]
        choices = applications.ranking_choices(call)
        if rankings and choices:
            shift = zlib.crc32(key.encode()) % len(choices)
            rotated = (choices[shift:] + choices[:shift])[:3]
            application = applications.autosave(
                application=application,
                by=person,
                base_version=application.version,
                changes=dict.fromkeys(rankings, rotated),
            )
        applications.submit_application(application=application, by=person)
        examination.mark_complete(application=application, by=staff)
        return application

    def _reviews(self, phase, files):
        criteria = list(phase.criteria.all())
        pending = 0
        for review in (
            Review.objects.filter(assignment__phase=phase)
            .select_related("assignment__juror__user", "assignment__application")
            .order_by("assignment__juror_id", "assignment__application__reference")
        ):
            juror = mark_second_factor(review.assignment.juror.user)
            application = review.assignment.application
            posted = {
                str(criterion.pk): {"value": str(_score(juror, application, criterion))}
                for criterion in criteria
            }
            is_expert = review.assignment.juror.kind == Juror.Kind.EXPERT
            if is_expert and pending < EXPERT_PENDING:
                pending += 1
                if pending == 1:  # one begun, one not touched
                    first = dict(list(posted.items())[:2])
                    scores.save_review(review=review, by=juror, scores=first)
                continue
            scores.save_review(
                review=review,
                by=juror,
                scores=posted,
                comment="Appréciation de démonstration (fictive).",
            )
            scores.submit_review(review=review, by=juror)
