"""Factories for the tests: real rows in the test database, nothing mocked."""

import datetime
import hashlib

import factory
from allauth.account.models import EmailAddress
from django.core.files.base import ContentFile
from django.utils import timezone

from qmi.accounts.models import Invitation, Membership, Organisation, User
from qmi.mail.models import Notification
from qmi.programmes.models import (
    Challenge,
    ChallengeVersion,
    Commune,
    CommuneRole,
    Edition,
    EditionCommune,
    Phase,
    Programme,
    Sector,
    Stage,
    Theme,
)

PASSWORD = "mot-de-passe-de-test-42"

SQUARE_NEAR_SCEAUX = {
    "type": "Polygon",
    "coordinates": [[[2.28, 48.77], [2.30, 48.77], [2.30, 48.785], [2.28, 48.785], [2.28, 48.77]]],
}


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"personne{n}@exemple.fr")
    full_name = factory.Sequence(lambda n: f"Personne {n}")

    @factory.post_generation
    def password(obj, create, extracted, **kwargs):
        obj.set_password(extracted or PASSWORD)
        if create:
            obj.save()
            EmailAddress.objects.get_or_create(
                user=obj, email=obj.email, defaults={"verified": True, "primary": True}
            )


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune
        django_get_or_create = ("insee",)

    insee = factory.Sequence(lambda n: f"9{n:04d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    slug = factory.Sequence(lambda n: f"commune-{n}")
    departement = "92"
    departement_name = "Hauts-de-Seine"
    ept_name = "Vallée Sud-Grand Paris"
    population = 20000
    geometry = factory.LazyFunction(lambda: SQUARE_NEAR_SCEAUX)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    kind = Organisation.Kind.EXPERIMENTER
    legal_form = factory.LazyAttribute(
        lambda o: Organisation.LegalForm.STARTUP if o.kind == Organisation.Kind.EXPERIMENTER else ""
    )
    commune = factory.LazyAttribute(
        lambda o: CommuneFactory() if o.kind == Organisation.Kind.COMMUNE else None
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.MEMBER


class InvitationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Invitation

    organisation = factory.SubFactory(OrganisationFactory)
    email = factory.Sequence(lambda n: f"invite{n}@exemple.fr")
    role = Membership.Role.MEMBER
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=14))


class ThemeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Theme
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"theme-{n}")
    name = factory.Sequence(lambda n: f"Thème {n}")


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("slug",)

    slug = "qmi"
    name = "Quartiers Métropolitains d'Innovation"
    short_name = "QMI"


class EditionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Edition

    programme = factory.SubFactory(ProgrammeFactory)
    number = factory.Sequence(lambda n: n + 1)
    slug = factory.Sequence(lambda n: f"edition-{n + 1}")
    title = factory.Sequence(lambda n: f"Édition {n + 1}")
    stage = Stage.PREPARATION


class PhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Phase

    edition = factory.SubFactory(EditionFactory)
    kind = Stage.EXPRESSION_OF_INTEREST
    starts_on = datetime.date(2023, 10, 23)
    ends_on = datetime.date(2024, 1, 12)


class EditionCommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EditionCommune

    edition = factory.SubFactory(EditionFactory)
    commune = factory.SubFactory(CommuneFactory)
    district = "Quartier de la gare"


class ChallengeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Challenge
        skip_postgeneration_save = True

    edition_commune = factory.SubFactory(EditionCommuneFactory)
    theme = factory.SubFactory(ThemeFactory)
    title = "Adapter le quartier à la chaleur"
    statement = "Des solutions pour rafraîchir les espaces publics."
    version = 1

    @factory.post_generation
    def first_version(obj, create, extracted, **kwargs):
        if create:
            ChallengeVersion.objects.create(
                challenge=obj, number=1, theme=obj.theme, title=obj.title, statement=obj.statement
            )


class CommuneRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CommuneRole

    edition_commune = factory.SubFactory(EditionCommuneFactory)
    user = factory.SubFactory(UserFactory)
    role = CommuneRole.Role.AGENT_REFERENT


def staff_user(**kwargs):
    """A Paris&Co member: operator staff."""
    user = UserFactory(**kwargs)
    MembershipFactory(
        user=user,
        organisation=OrganisationFactory(name="Paris&Co", kind=Organisation.Kind.OPERATOR),
        role=Membership.Role.ADMIN,
    )
    return user


def metropolis_user(**kwargs):
    """A member of the Métropole's innovation team."""
    user = UserFactory(**kwargs)
    MembershipFactory(
        user=user,
        organisation=OrganisationFactory(
            name="Métropole du Grand Paris", kind=Organisation.Kind.METROPOLIS
        ),
        role=Membership.Role.ADMIN,
    )
    return user


def commune_member(commune, role=Membership.Role.ADMIN, **kwargs):
    """A member of the commune's organisation (created if missing)."""
    user = UserFactory(**kwargs)
    organisation = Organisation.objects.filter(commune=commune).first() or OrganisationFactory(
        name=f"Ville de {commune.name}", kind=Organisation.Kind.COMMUNE, commune=commune
    )
    MembershipFactory(user=user, organisation=organisation, role=role)
    return user


# Calls -----------------------------------------------------------------------

from qmi.calls.models import (  # noqa: E402
    Application,
    ApplicationLabel,
    Call,
    CorrectionRequest,
    Document,
    FaqEntry,
    FormRevision,
    Label,
    Question,
    Section,
    StaffNote,
    Submission,
)
from qmi.calls.receipts import build_receipt  # noqa: E402


class CallFactory(factory.django.DjangoModelFactory):
    """A published call open from yesterday to next month, with a published empty revision."""

    class Meta:
        model = Call
        skip_postgeneration_save = True

    edition = factory.SubFactory(EditionFactory)
    kind = Call.Kind.EXPRESSION_OF_INTEREST
    title = factory.Sequence(lambda n: f"Appel {n}")
    slug = factory.Sequence(lambda n: f"appel-{n}")
    eligible_kinds = factory.LazyFunction(lambda: ["commune", "experimenter"])
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))
    status = Call.Status.PUBLISHED
    reference_prefix = factory.Sequence(lambda n: f"AP{n}")

    @factory.post_generation
    def revision(obj, create, extracted, **kwargs):
        if create and not obj.revisions.exists():
            FormRevision.objects.create(call=obj, number=1, published_at=timezone.now())


def add_question(call, key, kind=Question.Kind.SHORT_TEXT, *, section=None, **fields):
    """Add a question to the call's current revision (a section is created if needed)."""
    revision = call.current_revision
    section = (
        section
        or revision.sections.first()
        or Section.objects.create(revision=revision, order=1, title="Le projet")
    )
    fields.setdefault("label", key.replace("-", " ").capitalize())
    return Question.objects.create(
        section=section, key=key, kind=kind, order=section.questions.count() + 1, **fields
    )


class ApplicationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Application

    call = factory.SubFactory(CallFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    revision = factory.LazyAttribute(lambda o: o.call.current_revision)
    reference = factory.Sequence(lambda n: f"DOS-{n:05d}")
    status = Application.Status.DRAFT


class DocumentFactory(factory.django.DjangoModelFactory):
    """A document of an application, stored as a real file holding `content`."""

    class Meta:
        model = Document

    class Params:
        content = b"%PDF-1.4 test"

    application = factory.SubFactory(ApplicationFactory)
    question_key = "lettre"
    name = "lettre.pdf"
    content_type = "application/pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="stored.pdf"))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())


class SubmissionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Submission
        skip_postgeneration_save = True

    application = factory.SubFactory(
        ApplicationFactory,
        status=Application.Status.SUBMITTED,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    number = factory.Sequence(lambda n: n + 1)
    revision = factory.LazyAttribute(lambda o: o.application.revision)

    @factory.post_generation
    def receipt(self, create, extracted, **kwargs):
        # As submit_application does: the receipt is frozen from what is true now.
        self.receipt = extracted or build_receipt(application=self.application, submission=self)
        if create:
            self.save(update_fields=["receipt"])


class FaqEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FaqEntry

    call = factory.SubFactory(CallFactory)
    question = factory.Sequence(lambda n: f"Question {n} ?")
    answer = "Réponse."


class LabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Label

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Étiquette {n}")
    colour = Label.Colour.BLUE


class StaffNoteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffNote

    application = factory.SubFactory(ApplicationFactory)
    author = factory.LazyFunction(staff_user)
    body = "Note interne."


class ApplicationLabelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ApplicationLabel

    application = factory.SubFactory(ApplicationFactory)
    label = factory.SubFactory(LabelFactory, call=factory.SelfAttribute("..application.call"))


class CorrectionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CorrectionRequest

    application = factory.SubFactory(
        ApplicationFactory,
        status=Application.Status.CORRECTION_REQUESTED,
        submitted_at=factory.LazyFunction(timezone.now),
    )
    message = "Il manque la lettre du maire."
    due_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))


# Shared services: events and messaging --------------------------------------------

from qmi.events.models import Event, Registration  # noqa: E402
from qmi.messaging.models import Message, MessageAttachment, Thread  # noqa: E402


def information_session(call=None, **fields):
    """An information session of `call` (an event about it), in five days by default."""
    starts_at = fields.pop("starts_at", None) or timezone.now() + datetime.timedelta(days=5)
    fields.setdefault("ends_at", starts_at + datetime.timedelta(hours=1))
    fields.setdefault("title", "Réunion de lancement")
    return Event.objects.create(
        kind=Event.Kind.INFORMATION_SESSION,
        about=call or CallFactory(),
        starts_at=starts_at,
        **fields,
    )


class RegistrationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Registration

    event = factory.LazyFunction(information_session)
    name = factory.Sequence(lambda n: f"Participant {n}")
    email = factory.Sequence(lambda n: f"participant{n}@example.org")


class ThreadFactory(factory.django.DjangoModelFactory):
    """The one thread about an application (its organisation is the applicant side)."""

    class Meta:
        model = Thread

    class Params:
        application = factory.SubFactory(ApplicationFactory)

    subject = factory.SelfAttribute("application")
    organisation = factory.LazyAttribute(lambda o: o.application.organisation)
    is_sole = True
    title = factory.Sequence(lambda n: f"Échange {n}")


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    thread = factory.SubFactory(ThreadFactory)
    author = factory.SubFactory(UserFactory)
    body = "Bonjour."


class MessageAttachmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MessageAttachment

    class Params:
        content = b"%PDF-1.4 devis"

    message = factory.SubFactory(MessageFactory)
    name = "devis.pdf"
    content_type = "application/pdf"
    file = factory.LazyAttribute(lambda o: ContentFile(o.content, name="devis.pdf"))
    size = factory.LazyAttribute(lambda o: len(o.content))
    sha256 = factory.LazyAttribute(lambda o: hashlib.sha256(o.content).hexdigest())


# Core and reference data -------------------------------------------------------------


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory(UserFactory)
    subject = factory.Sequence(lambda n: f"Notification {n}")
    body = "…"


class SectorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sector

    edition_commune = factory.SubFactory(EditionCommuneFactory)
    name = factory.Sequence(lambda n: f"Secteur {n}")
    geometry = factory.LazyFunction(lambda: dict(SQUARE_NEAR_SCEAUX))
    area_hectares = 12


from qmi.review.models import Assignment as ReviewAssignment  # noqa: E402
from qmi.review.models import Criterion, Juror, Review  # noqa: E402
from qmi.review.models import Phase as ReviewPhase  # noqa: E402


class ReviewPhaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReviewPhase

    call = factory.SubFactory(CallFactory)
    title = "Lecture des dossiers"
    order = factory.Sequence(lambda n: n + 1)
    status = ReviewPhase.Status.OPEN


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    phase = factory.SubFactory(ReviewPhaseFactory)
    label = factory.Sequence(lambda n: f"Critère {n}")
    order = factory.Sequence(lambda n: n + 1)


class JurorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Juror

    call = factory.SubFactory(CallFactory)
    user = factory.SubFactory(UserFactory)
    kind = Juror.Kind.EXPERT


def review_of(phase, application, juror=None):
    """A draft review of `application` by `juror` (a new expert by default) in `phase`."""
    juror = juror or JurorFactory(call=phase.call)
    assignment = ReviewAssignment.objects.create(
        phase=phase, juror=juror, application=application, source=ReviewAssignment.Source.MANUAL
    )
    return Review.objects.create(assignment=assignment)
