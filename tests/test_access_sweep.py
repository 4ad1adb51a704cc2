"""Every route that names an object, asked for by people who have no business seeing it.

The sweep walks the URL resolver, so a route added later is swept too; if the sweep cannot
build its URL (a keyword it does not know), it fails and says which route to add to the table.
Each route answers an anonymous visitor with the login redirect (or 404) and an outsider (a
startup member and a commune agent, neither linked to the objects) with 404, never 200, 403
or 500; so does a staff member whose session lacks the second factor, when it is required.
Routes public by design are listed in PUBLIC with a reason; staff pages (paths under
`gestion/`) are found in the resolver, not listed by hand.
"""

import datetime
import re
from urllib.parse import urlsplit

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from qmi.accounts.models import Organisation
from qmi.allocation import queries as allocation_queries
from qmi.allocation.models import (
    Allocation,
    AllocationCommune,
    PairRule,
    PendingChange,
    Placement,
    Run,
)
from qmi.calls.models import (
    Application,
    Call,
    CorrectionRequest,
    Question,
    RequestedDocument,
    Section,
)
from qmi.core.models import AuditEntry
from qmi.events.models import Event
from qmi.experiments.models import Experiment
from qmi.programmes.models import Stage
from qmi.review.models import Audition, Decision, JurorInvitation
from tests.factories import (
    ApplicationFactory,
    CallFactory,
    ChallengeFactory,
    CommuneFactory,
    CommuneRoleFactory,
    CriterionFactory,
    DocumentFactory,
    EditionCommuneFactory,
    EditionFactory,
    FaqEntryFactory,
    InvitationFactory,
    JurorFactory,
    LabelFactory,
    MembershipFactory,
    MessageAttachmentFactory,
    MessageFactory,
    NotificationFactory,
    OrganisationFactory,
    PhaseFactory,
    RegistrationFactory,
    ReviewPhaseFactory,
    StaffNoteFactory,
    SubmissionFactory,
    ThreadFactory,
    add_question,
    commune_member,
    information_session,
    metropolis_user,
    review_of,
    staff_user,
)
from tests.utils import member_of

pytestmark = pytest.mark.django_db

LOGIN_PATHS = {"/compte/login/", "/admin/login/"}
# Cancelling an audition's slot removes its calendar file, which the applicant's check reads.
DELETING = ("supprimer", "retirer", "revoquer", "annuler")

# Routes anyone may open, by path pattern (paths stay; names may move): name, then why.
# Their answers must still not be a 500.
PUBLIC = {
    "editions/<slug:slug>/": "showcase:edition, public page of a public edition",
    "editions/<slug:slug>/communes/<slug:commune>/": "showcase:edition_commune, its communes",
    "appels/<slug:slug>/": "calls:call, public page of a published call",
    "appels/<slug:slug>/modeles/<int:question_pk>/": "calls:template_file, a form template",
    "appels/<slug:slug>/candidater/": "calls:apply, any eligible organisation may apply",
    "appels/<slug:slug>/question/": "calls:call_question, anyone signed in may ask",
    "appels/<slug:slug>/reunions/<int:session_pk>/inscription/": "calls:session_register",
    "appels/<slug:slug>/reunions/<int:session_pk>/inscription/confirmee/": "its confirmation",
    "appels/<slug:slug>/reunions/<int:session_pk>/invitation.ics": "calls:session_ics, public",
    "invitations/<str:token>/": "accounts:invitation, the token is the secret",
    "jury/invitations/<str:token>/": "review:invitation, an expert's; the token is the secret",
    "inscriptions/<str:token>/confirmer/": "events:confirm, the e-mailed token is the secret",
    "compte/^confirm-email/(?P<key>[-:\\w]+)/$": "allauth, the e-mail key is the secret",
    "compte/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$": "allauth, reset key",
}

# Public whatever the state of the objects; the others are public only for a published call
# and a public edition: the sweep also runs on a draft call and a hidden edition.
PUBLIC_IN_ANY_STATE = {
    "invitations/<str:token>/",
    "jury/invitations/<str:token>/",
    "inscriptions/<str:token>/confirmer/",
    "compte/^confirm-email/(?P<key>[-:\\w]+)/$",
    "compte/^password/reset/key/(?P<uidb36>[0-9A-Za-z]+)-(?P<key>.+)/$",
}

# The object each URL keyword names. A (path prefix, keyword) entry wins over the keyword's
# default; the longest matching prefix wins. Names are world attributes (see `world`).
BY_PREFIX = {
    ("organisations/", "pk"): "organisation",
    ("gestion/editions/", "pk"): "edition",
    ("gestion/communes/", "pk"): "participation",
    ("espace/commune/", "pk"): "participation",
    ("candidatures/", "pk"): "application",
    ("gestion/candidatures/", "pk"): "application",
    ("gestion/appels/", "pk"): "call",
    ("messages/", "pk"): "thread",
    ("messages/pieces/", "pk"): "attachment",
    ("gestion/messages/", "pk"): "thread",
    ("notifications/", "pk"): "notification",
    ("editions/", "slug"): "edition.slug",
    ("gestion/pages/", "slug"): "site_page_slug",
    ("candidatures/", "number"): "submission.number",
    ("inscriptions/", "token"): "registration.token",
    ("admin/", "object_id"): "organisation",
    ("admin/", "id"): "staff",
    ("admin/", "url"): "app_label",  # the admin's catch-all
    ("gestion/appels/<int:pk>/evaluation/", "phase_pk"): "review_phase",
    ("jury/", "pk"): "review",
    ("jury/", "phase_pk"): "review_phase",
    ("jury/invitations/", "token"): "juror_invitation.token",
    ("gestion/appels/<int:pk>/evaluation/", "invitation_pk"): "juror_invitation",
    ("jury/auditions/", "pk"): "audition",
    ("experimentations/", "pk"): "experiment",
    ("gestion/appels/<int:pk>/repartition/", "pk"): "projects_call",
    ("gestion/repartitions/", "pk"): "allocation",
    ("gestion/repartitions/calculs/", "pk"): "run",
    ("repartitions/", "pk"): "allocation",
    ("repartitions/", "application_pk"): "laureate",
    ("repartitions/communes/", "pk"): "allocation_commune",
    ("repartitions/communes/", "document_pk"): "laureate_document",
    ("repartitions/placements/", "pk"): "placement",
    ("gestion/experimentations/", "pk"): "experiment",
}
BY_KEYWORD = {
    "slug": "call.slug",
    "commune": "participation.commune.slug",
    "invitation_pk": "invitation",
    "membership_pk": "membership",
    "token": "invitation.token",
    "phase_pk": "phase",
    "role_pk": "commune_role",
    "question_pk": "question",
    "section_pk": "section",
    "number": "section_number",
    "document_pk": "document",
    "key": "document.question_key",
    "requested_pk": "requested_document",
    "session_pk": "session",
    "faq_pk": "faq",
    "label_pk": "label",
    "criterion_pk": "criterion",
    "juror_pk": "juror",
    "assignment_pk": "review.assignment",
    "audition_pk": "audition",
    "application_pk": "application",
    "note_pk": "note",
    "commune_pk": "allocation_commune",
    "rule_pk": "pair_rule",
    "placement_pk": "placement",
    "change_pk": "pending_change",
    "content_type": "application_type",
    "object_id": "application",
    "content_type_id": "organisation_type",
    # allauth's and the admin's regex routes
    "uidb36": "uidb36",
    "app_label": "app_label",
}


def routes(resolver=None, prefix="", namespace=""):
    """(path, name, keywords) for every route, namespaces included."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from routes(pattern, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name or ''}" if namespace else (pattern.name or "")
            keywords = list(pattern.pattern.regex.groupindex)
            yield prefix + str(pattern.pattern), name, keywords


ALL_ROUTES = list(routes())
STAFF_ROUTES = [route for route in ALL_ROUTES if route[0].startswith("gestion/")]
OBJECT_ROUTES = [route for route in ALL_ROUTES if route[2] and not route[0].startswith("gestion/")]


class World:
    """Objects of organisation A (a commune) and of the edition, and two outsiders.

    `published=False` makes the same world with a draft call and a hidden edition.
    """

    def __init__(self, published=True):
        self.published = published
        self.public = set(PUBLIC) if published else PUBLIC_IN_ANY_STATE
        # Past the communes' selection, so its communes' public pages exist.
        self.edition = EditionFactory(
            slug="edition-balayage", is_public=published, stage=Stage.FRAMING
        )
        self.phase = PhaseFactory(edition=self.edition, kind=Stage.EXPRESSION_OF_INTEREST)
        commune = CommuneFactory()
        self.participation = EditionCommuneFactory(edition=self.edition, commune=commune)
        ChallengeFactory(edition_commune=self.participation)
        agent = commune_member(commune)
        self.organisation = Organisation.objects.get(commune=commune)
        self.membership = self.organisation.memberships.get(user=agent)
        self.commune_role = CommuneRoleFactory(edition_commune=self.participation, user=agent)
        self.invitation = InvitationFactory(organisation=self.organisation, invited_by=agent)

        self.call = CallFactory(
            edition=self.edition, status=Call.Status.PUBLISHED if published else Call.Status.DRAFT
        )
        self.question = add_question(
            self.call, "lettre", Question.Kind.DOCUMENT, label="Lettre du maire"
        )
        self.question.template_file.save("modele.pdf", ContentFile(b"%PDF-1.4 modele"))
        self.section = Section.objects.get(pk=self.question.section_id)
        self.section_number = 1
        self.session = information_session(self.call)
        self.registration = RegistrationFactory(event=self.session)  # pending: its link works
        self.faq = FaqEntryFactory(call=self.call)
        self.label = LabelFactory(call=self.call)

        self.application = ApplicationFactory(
            call=self.call,
            organisation=self.organisation,
            status=Application.Status.SUBMITTED,
            submitted_at=timezone.now(),
        )
        self.document = DocumentFactory(application=self.application)
        self.requested_document = RequestedDocument.objects.create(
            correction=CorrectionRequest.objects.create(
                application=self.application,
                message="Il manque le Kbis.",
                due_at=timezone.now() + datetime.timedelta(days=7),
            ),
            label="Extrait Kbis",
        )
        self.submission = SubmissionFactory(application=self.application, number=1)
        self.thread = ThreadFactory(application=self.application)
        self.attachment = MessageAttachmentFactory(
            message=MessageFactory(thread=self.thread, author=agent)
        )
        self.note = StaffNoteFactory(application=self.application)
        # Open to all files, so its jurors' list of files exists too.
        self.review_phase = ReviewPhaseFactory(call=self.call, scope="all")
        self.criterion = CriterionFactory(phase=self.review_phase)
        self.juror = JurorFactory(call=self.call)
        self.review = review_of(self.review_phase, self.application, self.juror)
        # An expert invited to the jury by e-mail, not yet on it.
        self.juror_invitation = JurorInvitation.objects.create(
            call=self.call,
            email="experte@exemple.fr",
            full_name="Eva Experte",
            expires_at=timezone.now() + datetime.timedelta(days=14),
        )
        # An audition with its slot: the applicant's calendar file, the panel's notes.
        starts = timezone.now() + datetime.timedelta(days=10)
        self.audition = Audition.objects.create(
            application=self.application,
            status=Audition.Status.INVITED,
            phase=self.review_phase,
            event=Event.objects.create(
                kind=Event.Kind.AUDITION,
                about=self.application,
                title="Audition",
                starts_at=starts,
                ends_at=starts + datetime.timedelta(minutes=30),
                location="Salle 2",
            ),
        )
        self.audition.panel.add(self.juror)
        # A published decision: its letter is the applicant's to download.
        Decision.objects.create(
            application=self.application,
            outcome=Decision.Outcome.WAITING_LIST,
            rationale="Projet solide, budget à préciser.",
            published_at=timezone.now(),
            letter_subject="Votre candidature",
            letter_body="Madame, Monsieur,\n\nVotre dossier est sur liste d'attente.",
        )
        # The experiment of organisation A's file in its commune (no placement needed).
        self.experiment = Experiment.objects.create(
            edition=self.edition,
            application=self.application,
            organisation=self.organisation,
            edition_commune=self.participation,
            title="Expérimentation balayée",
        )
        self._allocation()
        self.notification = NotificationFactory(recipient=agent)
        self.application_type = ContentType.objects.get_for_model(Application)
        self.organisation_type = ContentType.objects.get_for_model(Organisation)
        self.site_page_slug = "mentions-legales"
        self.uidb36 = "1"
        self.app_label = "calls"
        self.staff = staff_user()

        other_commune = CommuneFactory()
        other_participation = EditionCommuneFactory(edition=self.edition, commune=other_commune)
        self.commune_outsider = commune_member(other_commune)
        CommuneRoleFactory(edition_commune=other_participation, user=self.commune_outsider)
        startup = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
        self.startup_outsider = member_of(startup)
        MembershipFactory(organisation=startup)  # a colleague, so the startup looks real

    def _allocation(self):
        """A call for projects of the edition whose laureate (another startup) listed commune A,
        its allocation (published), a run, a committee rule, a placement and a staged change."""
        now = timezone.now()
        self.projects_call = CallFactory(
            edition=self.edition,
            kind=Call.Kind.PROJECTS,
            status=Call.Status.PUBLISHED if self.published else Call.Status.DRAFT,
        )
        add_question(self.projects_call, "communes", Question.Kind.COMMUNE_RANKING)
        laureate_org = OrganisationFactory(kind=Organisation.Kind.EXPERIMENTER)
        self.laureate_member = member_of(laureate_org)
        self.laureate = ApplicationFactory(
            call=self.projects_call,
            organisation=laureate_org,
            status=Application.Status.COMPLETE,
            submitted_at=now,
            answers={"communes": [str(self.participation.pk)]},
        )
        self.laureate_document = DocumentFactory(application=self.laureate)
        Decision.objects.create(
            application=self.laureate,
            outcome=Decision.Outcome.SELECTED,
            rationale="Retenu.",
            published_at=now,
        )
        self.allocation = Allocation.objects.create(
            call=self.projects_call, closes_at=now + datetime.timedelta(days=7)
        )
        self.allocation_commune = AllocationCommune.objects.create(
            allocation=self.allocation,
            edition_commune=self.participation,
            minimum=0,
            maximum=2,
            letter_subject="Les projets de la commune",
            letter_body="Madame, Monsieur,\n\nUn projet.",
        )
        self.pair_rule = PairRule.objects.create(
            allocation=self.allocation,
            application=self.laureate,
            commune=self.allocation_commune,
            kind=PairRule.Kind.PIN,
            note="Le comité.",
        )
        snapshot = allocation_queries.snapshot(self.allocation)
        self.run = Run.objects.create(
            allocation=self.allocation,
            number=1,
            status=Run.Status.OPTIMAL,
            snapshot=snapshot,
            input_hash=allocation_queries.digest(snapshot),
            result={"placements": [], "communes": [], "summary": {}},
            objective=0,
        )
        self.placement = Placement.objects.create(
            allocation=self.allocation,
            application=self.laureate,
            commune=self.allocation_commune,
            letter_subject="Votre projet",
            letter_body="Madame, Monsieur,\n\nVotre projet.",
        )
        self.pending_change = PendingChange.objects.create(
            allocation=self.allocation,
            kind=PendingChange.Kind.MOVE,
            application=self.laureate,
            commune=self.allocation_commune,
            rationale="Changement.",
        )
        Allocation.objects.filter(pk=self.allocation.pk).update(published_at=now)

    def value(self, path):
        obj = self
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj.pk if hasattr(obj, "pk") else obj


@pytest.fixture(params=[True, False], ids=["published", "unpublished"])
def world(request):
    return World(published=request.param)


def object_for(path, keyword):
    """The world attribute a route's keyword names, or None when the table does not say."""
    matches = [(p, k) for (p, k) in BY_PREFIX if k == keyword and path.startswith(p)]
    if matches:
        return BY_PREFIX[max(matches, key=lambda match: len(match[0]))]
    return BY_KEYWORD.get(keyword)


def url_for(world, path, name, keywords):
    kwargs = {}
    for keyword in keywords:
        attribute = object_for(path, keyword)
        assert attribute, (
            f"The access sweep cannot build a URL for {name or '(unnamed)'} ({path}): add "
            f"({path.split('<')[0]!r}, {keyword!r}) to BY_PREFIX or {keyword!r} to BY_KEYWORD."
        )
        kwargs[keyword] = world.value(attribute)
    return build(path, kwargs)


def build(path, kwargs):
    """The URL of a route from its pattern text (works for unnamed and regex routes too)."""
    url = path.replace("^", "").replace("$", "")
    for keyword, value in kwargs.items():
        url = _fill_group(url, keyword, str(value))
        for converter in ("", "int:", "slug:", "str:", "path:", "uuid:"):
            url = url.replace(f"<{converter}{keyword}>", str(value))
    assert "<" not in url and "(?P" not in url, f"unbuilt URL {url} from {path}"
    return "/" + url


def _fill_group(url, keyword, value):
    """Replace a regex group `(?P<keyword>…)` (allauth's and the admin's routes) by `value`."""
    start = url.find(f"(?P<{keyword}>")
    if start < 0:
        return url
    depth = 0
    for end, char in enumerate(url[start:], start):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0:
            return url[:start] + value + url[end + 1 :]
    raise AssertionError(f"unbalanced group in {url}")


def ask(client, url):
    """GET, or POST when the view accepts only POST (with a valid move, for the move views)."""
    response = client.get(url)
    if response.status_code == 405:
        response = client.post(url, {"direction": "down"})
    return response


def is_login_redirect(response):
    return response.status_code == 302 and urlsplit(response["Location"]).path in LOGIN_PATHS


def test_every_route_with_a_keyword_can_be_built():
    world = World()
    """A route added later without a table entry fails here, naming the entry to add."""
    for path, name, keywords in ALL_ROUTES:
        if keywords and path not in PUBLIC:
            url_for(world, path, name, keywords)


def test_public_allow_list_names_existing_routes():
    paths = {path for path, _name, _keywords in ALL_ROUTES}
    assert set(PUBLIC) <= paths, f"stale PUBLIC entries: {set(PUBLIC) - paths}"
    assert not [path for path in PUBLIC if path.startswith("gestion/")], "staff pages are private"
    assert set(PUBLIC) >= PUBLIC_IN_ANY_STATE


def is_second_factor_redirect(response):
    """To TOTP set-up, or to allauth's MFA re-authentication (which comes back with `next`)."""
    targets = {reverse("mfa_activate_totp"), reverse("mfa_reauthenticate")}
    return response.status_code == 302 and urlsplit(response["Location"]).path in targets


def _sweep(client, world, swept, *, anonymous, second_factor_pending=False):
    leaks = []
    for path, name, keywords in swept:
        url = url_for(world, path, name, keywords)
        response = ask(client, url)
        status = response.status_code
        if path in world.public:
            if status >= 500:
                leaks.append(f"{status} {url} ({name})")
            continue
        staff_page = path.startswith("gestion/")
        if anonymous:
            ok = is_login_redirect(response) or (status == 404 and not staff_page)
        else:
            ok = status == 404 or (is_login_redirect(response) and not staff_page)
        if second_factor_pending:
            ok = ok or is_second_factor_redirect(response)
        if not ok:
            where = f" -> {response['Location']}" if status in (301, 302) else ""
            leaks.append(f"{status}{where} {response.request['REQUEST_METHOD']} {url} ({name})")
    return leaks


def test_anonymous_visitor_gets_the_login_page_or_404(client, world):
    leaks = _sweep(client, world, OBJECT_ROUTES + STAFF_ROUTES, anonymous=True)
    assert not leaks, "Anonymous visitor not sent to the login page:\n" + "\n".join(leaks)


@pytest.mark.parametrize("outsider", ["startup_outsider", "commune_outsider"])
def test_unrelated_member_gets_404(client, world, outsider):
    client.force_login(getattr(world, outsider))
    leaks = _sweep(client, world, OBJECT_ROUTES + STAFF_ROUTES, anonymous=False)
    assert not leaks, f"Routes open to the {outsider.replace('_', ' ')}:\n" + "\n".join(leaks)


@pytest.mark.parametrize(
    ("superuser", "has_totp"),
    [(False, False), (False, True), (True, False)],
    ids=["staff without TOTP", "staff with TOTP, password session", "superuser without TOTP"],
)
def test_staff_without_a_verified_second_factor_gets_nothing(
    client, world, settings, superuser, has_totp
):
    """With the second factor required, a staff member whose session lacks it is an outsider.

    Every object route and every staff page answers 404, the login redirect (the admin's), or
    the way to the second factor (TOTP set-up, or a TOTP code when TOTP is set up); never 200.
    Public pages are skipped as for everyone; the person's own account pages name no object
    (they are not in OBJECT_ROUTES), and the object routes name only organisation A's objects.
    """
    settings.QMI_STAFF_MFA_REQUIRED = True
    if superuser:  # the admin and Django's superuser short-cut too
        world.staff.is_superuser = world.staff.is_staff = True
        world.staff.save()
    if has_totp:
        TOTP.activate(world.staff, generate_totp_secret())
    client.force_login(world.staff)
    swept = OBJECT_ROUTES + STAFF_ROUTES
    leaks = _sweep(client, world, swept, anonymous=False, second_factor_pending=True)
    assert not leaks, "Routes open to staff without the second factor:\n" + "\n".join(leaks)


def test_staff_routes_are_found_in_the_resolver():
    """The staff sweep covers the back office; an empty list would make it vacuous."""
    names = {name for _path, name, _keywords in STAFF_ROUTES}
    assert {"portal:backoffice", "calls:backoffice_application", "portal:audit"} <= names


def test_the_world_is_real_staff_and_owner_reach_the_pages(client):
    """Controls for the sweep: its URLs name real objects, so a 404 above is a refusal."""
    world = World()
    checks = [(world.staff, route) for route in STAFF_ROUTES if route[2]] + [
        (world.membership.user, route)
        for route in OBJECT_ROUTES
        if not route[1].startswith("admin:")
    ]
    # Deleting pages go last, so they do not remove what the other pages show.
    checks.sort(key=lambda check: any(word in check[1][0] for word in DELETING))
    missing = []
    for user, (path, name, keywords) in checks:
        if path.startswith("jury/"):  # a juror's pages are the juror's, not the applicant's
            user = world.juror.user
        if path.startswith(("repartitions/<int:pk>/dossiers/", "repartitions/placements/")):
            user = world.laureate_member  # a laureate's pages are its team's, not the commune's
        client.force_login(user)
        url = url_for(world, path, name, keywords)
        if ask(client, url).status_code == 404:
            missing.append(url)
    assert not missing, "404 for those who may see the object:\n" + "\n".join(missing)


def links_to_tools(html):
    """Links and form actions of a page that lead to an operator's tool (not a decision)."""
    found = []
    for target in re.findall(r'(?:href|action|formaction)="(/[^"?#]*)', html):
        try:
            match = resolve(target)
        except Resolver404:
            continue
        name = f"{match.namespace}:{match.url_name}" if match.namespace else match.url_name
        if getattr(match.func, "staff_permission", None) and name not in METROPOLIS_DECISIONS:
            found.append(target)
    return found


# The Métropole's own decisions: selecting the communes and announcing it (see programmes.rules),
# and preparing and publishing the decisions of a call (its Bureau selects the AMI's communes;
# review.rules: the AMI's are published by the Métropole, the call for projects' by the operator).
METROPOLIS_DECISIONS = {
    "programmes:commune_add",
    "programmes:edition_move",
    "review:decisions",
    "review:publish",
    "review:letters",
    "review:outbox",
}


def test_the_metropolis_reads_the_back_office_but_not_the_operator_s_tools(client):
    """Every staff page either reads (200 for the Métropole's team) or is an operator's tool.

    An operator's tool (a view declaring `backoffice_required(permission=…)`) answers the
    Métropole with a 403 page that says why, for GET and POST alike, and changes nothing;
    the Métropole's own decisions stay open. The sweep reads the resolver, so a tool added
    later without its permission shows up here as a page the Métropole can post to.
    """
    world = World()
    client.force_login(metropolis_user())
    audit_before = AuditEntry.objects.count()
    wrong, tools = [], []
    for path, name, keywords in STAFF_ROUTES:
        url = url_for(world, path, name, keywords)
        tool = getattr(resolve(url).func, "staff_permission", None)
        if tool and name not in METROPOLIS_DECISIONS:
            tools.append(name)
            for response in (client.get(url), client.post(url, {"direction": "down"})):
                if response.status_code != 403 or "fait partie des outils" not in (
                    response.content.decode()
                ):
                    wrong.append(
                        f"{response.status_code} {response.request['REQUEST_METHOD']} {url}"
                    )
        else:
            response = client.get(url)
            if response.status_code not in (200, 405):
                wrong.append(f"{response.status_code} GET {url} (a page to read)")
            elif response.status_code == 200 and "html" in response["Content-Type"]:
                wrong += [
                    f"{url} links to the tool {target}"
                    for target in links_to_tools(response.content.decode())
                ]
    assert not wrong, "The Métropole's team and the operator's tools:\n" + "\n".join(wrong)
    assert AuditEntry.objects.count() == audit_before
    assert {"calls:note_add", "calls:export_zip", "calls:builder"} <= set(tools)
