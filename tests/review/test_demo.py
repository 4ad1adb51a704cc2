"""The demo shows a call whose jury is deliberating, right after `make run`."""

import io

import pytest
from django.core.management import call_command
from django.urls import reverse

from qmi.accounts.models import User
from qmi.portal.queries import landing_url_for
from qmi.programmes.management.commands.load_demo import DEMO_PASSWORD
from qmi.review.models import Criterion, Juror, Phase, Review

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo():
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())


def test_a_call_in_deliberation_with_reviews_from_several_jurors(demo):
    phase = Phase.objects.get(call__slug="demo-appel-en-jury", order=1)
    assert phase.status == Phase.Status.OPEN
    submitted = Review.objects.filter(assignment__phase=phase, status=Review.Status.SUBMITTED)
    assert submitted.values("assignment__juror").distinct().count() == 3
    assert Review.objects.filter(assignment__phase=phase, status=Review.Status.DRAFT).exists()
    assert all(juror.assignments.count() <= juror.capacity for juror in Juror.objects.all())
    # Each file is read twice, nobody reads their own organisation's.
    assert all(
        application.review_assignments.count() == 2 for application in phase.call.applications.all()
    )


def test_the_ami_five_criteria_and_the_projects_grid(demo):
    ami = Criterion.objects.filter(phase__call__slug="qmi-2-ami")
    assert ami.count() == 5
    assert ami.filter(label__startswith="Diversité des partenaires locaux").exists()
    projects = Criterion.objects.filter(phase__call__slug="qmi-2-appel-a-experimenter")
    assert projects.filter(label="Faisabilité d'un test en 18 mois", weight=2).exists()


def test_loading_twice_changes_nothing(demo):
    before = (Review.objects.count(), Criterion.objects.count(), Phase.objects.count())
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())
    assert (Review.objects.count(), Criterion.objects.count(), Phase.objects.count()) == before


def test_the_expert_lands_on_their_queue_and_staff_on_the_ranking(demo, client):
    expert = User.objects.get(email="expert@demo.qmi.example")
    assert landing_url_for(expert) == reverse("review:queue")
    client.force_login(expert)
    assert "évaluations déposées" in client.get(reverse("review:queue")).content.decode()


def test_an_applicant_of_the_call_in_deliberation_logs_in_with_the_demo_password(demo, client):
    holder = User.objects.get(email="porteur.ombre-douce@demo.qmi.example")
    assert client.login(username=holder.email, password=DEMO_PASSWORD)
    mine = holder.memberships.get().organisation.applications.get(call__slug="demo-appel-en-jury")
    assert client.get(reverse("calls:application", args=[mine.pk])).status_code == 200
