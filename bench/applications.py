"""One call with many applications, on top of the demo data: shared by the benchmarks.

`bench/calls.py` (server time, in-process) and `bench/http_load.py` (over HTTP) both
measure pages against the same generated data: import this module once Django is set
up (it imports the models), after `load_demo`.
"""

from django.utils import timezone

from qmi.accounts.models import Membership, Organisation, User
from qmi.calls.models import Application, Call, FormRevision, Question, Section
from qmi.programmes.models import Edition

APPLICANT = "experimentateur@demo.qmi.example"
CALL_SLUG = "appel-de-mesure"


def add_call_with_applications(count):
    """A published call of the 2nd edition with `count` applications, and the applicant's draft.

    A quarter of the applications in each status (draft, submitted, complete, correction
    requested), each from its own organisation. The demo applicant's organisation gets a
    draft on it ("BENCH-MINE") plus a draft on each of five other calls, like a real one.
    Returns (call, the applicant's draft).
    """
    now = timezone.now()
    call = Call.objects.create(
        edition=Edition.objects.get(number=2),
        kind=Call.Kind.PROJECTS,
        title="Appel de mesure",
        slug=CALL_SLUG,
        eligible_kinds=["experimenter"],
        opens_at=now - timezone.timedelta(days=1),
        closes_at=now + timezone.timedelta(days=30),
        status=Call.Status.PUBLISHED,
        reference_prefix="BENCH",
    )
    revision = FormRevision.objects.create(call=call, number=1, published_at=now)
    section = Section.objects.create(revision=revision, order=1, title="Le projet")
    for order, key in enumerate(["titre", "resume", "budget", "site-web"], start=1):
        Question.objects.create(
            section=section, key=key, order=order, label=key, kind=Question.Kind.SHORT_TEXT
        )
    organisations = Organisation.objects.bulk_create(
        Organisation(
            name=f"Structure {n:05d}", kind="experimenter", legal_form="startup", is_demo=True
        )
        for n in range(count)
    )
    statuses = ["draft", "submitted", "complete", "correction_requested"]
    Application.objects.bulk_create(
        (
            Application(
                call=call,
                organisation=organisation,
                revision=revision,
                reference=f"BENCH-{n:05d}",
                status=statuses[n % 4],
                submitted_at=None if n % 4 == 0 else now,
                answers={"titre": f"Projet {n}", "resume": "Un prototype " * 20, "budget": str(n)},
            )
            for n, organisation in enumerate(organisations)
        ),
        batch_size=1000,
    )
    applicant = User.objects.get(email=APPLICANT)
    mine = Organisation.objects.filter(memberships__user=applicant).first()
    for extra in range(5):
        other_call = Call.objects.create(
            edition=call.edition,
            kind=Call.Kind.PROJECTS,
            title=f"Autre appel {extra}",
            slug=f"autre-appel-{extra}",
            eligible_kinds=["experimenter"],
            opens_at=now - timezone.timedelta(days=1),
            closes_at=now + timezone.timedelta(days=30),
            status=Call.Status.PUBLISHED,
            reference_prefix=f"O{extra}",
        )
        other_revision = FormRevision.objects.create(call=other_call, number=1, published_at=now)
        Application.objects.create(
            call=other_call, organisation=mine, revision=other_revision, reference=f"O{extra}-0001"
        )
    draft = Application.objects.create(
        call=call, organisation=mine, revision=revision, reference="BENCH-MINE"
    )
    assert Membership.objects.filter(user=applicant, organisation=mine).exists()
    return call, draft
