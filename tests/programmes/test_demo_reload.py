"""Loading the demo again after people used it: no error, the same demo rows."""

import io

import pytest
from django.core.management import call_command

from qmi.accounts import services as accounts
from qmi.accounts.models import Membership, Organisation, User
from qmi.calls.models import Application
from qmi.review.management.commands.load_demo_review import PROJECTS
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=False)

STARTUP = "Rue Fraîche (startup fictive)"


def load():
    call_command("load_demo", "--quiet-logins", stdout=io.StringIO())


def demo_rows():
    return {
        "organisations": sorted(
            Organisation.objects.filter(demo_key__isnull=False).values_list(
                "demo_key", "pk", "name", "kind", "siret", "is_demo"
            )
        ),
        "communes": sorted(
            Organisation.objects.filter(kind="commune").values_list("pk", "commune_id", "name")
        ),
        "applications": sorted(Application.objects.values_list("pk", "organisation_id", "status")),
        "demo_memberships": sorted(
            Membership.objects.filter(user__is_demo=True).values_list(
                "user__email", "organisation_id", "role"
            )
        ),
    }


def people_act_in_the_demo():
    """What people plausibly did between two `make run`: organisations named like the demo's."""
    startup_person = User.objects.get(email="experimentateur@demo.qmi.example")
    # The demo's experimenter creates a second organisation, with the very same name.
    accounts.create_organisation(
        by=startup_person,
        name=STARTUP,
        kind=Organisation.Kind.EXPERIMENTER,
        legal_form=Organisation.LegalForm.STARTUP,
    )
    # Someone else registers organisations named like the operator and the Métropole.
    stranger = UserFactory()
    accounts.create_organisation(by=stranger, name="Paris&Co", kind=Organisation.Kind.PARTNER)
    accounts.create_organisation(
        by=stranger,
        name="Métropole du Grand Paris",
        kind=Organisation.Kind.PARTNER,
        siret="200054781",
    )
    # The demo's partner is renamed by its administrator.
    partner = Organisation.objects.get(demo_key="partner")
    accounts.update_organisation(
        organisation=partner,
        by=User.objects.get(email="expert@demo.qmi.example"),
        name="Fondation renommée",
    )


def test_a_second_load_after_someone_made_namesake_organisations_does_not_fail():
    load()
    organisations = Organisation.objects.count()
    applications = sorted(Application.objects.values_list("pk", "organisation_id", "status"))
    people_act_in_the_demo_without_keys()

    load()  # was: MultipleObjectsReturned

    assert Organisation.objects.count() == organisations + 2
    assert Organisation.objects.filter(name=STARTUP).count() == 2
    assert sorted(Application.objects.values_list("pk", "organisation_id", "status")) == (
        applications
    )


def test_loading_the_demo_again_after_people_used_it_keeps_the_same_demo_rows():
    load()
    before = demo_rows()
    assert {key for key, *_ in before["organisations"]} == {
        "parisandco",
        "mgp",
        "startup",
        "partner",
        *(f"jury-{key}" for key, _name in PROJECTS),
    }
    people_act_in_the_demo()
    user_made = set(Organisation.objects.filter(demo_key__isnull=True).exclude(kind="commune"))

    load()

    after = demo_rows()
    assert after["organisations"] == before["organisations"]  # the rename is set back
    assert after["communes"] == before["communes"]
    assert after["applications"] == before["applications"]
    # The demo people keep their memberships (the new organisation adds one).
    assert set(before["demo_memberships"]) <= set(after["demo_memberships"])
    # What people made is still there, untouched.
    assert set(Organisation.objects.filter(demo_key__isnull=True).exclude(kind="commune")) == (
        user_made
    )
    assert Organisation.objects.filter(name=STARTUP).count() == 2


def test_a_database_loaded_before_demo_keys_gets_them_on_the_demo_s_own_rows():
    load()
    keyed = dict(Organisation.objects.filter(demo_key__isnull=False).values_list("demo_key", "pk"))
    Organisation.objects.update(demo_key=None)  # as it was before the key existed
    people_act_in_the_demo_without_keys()
    applications = sorted(Application.objects.values_list("pk", "organisation_id"))

    load()

    assert (
        dict(Organisation.objects.filter(demo_key__isnull=False).values_list("demo_key", "pk"))
        == keyed
    )
    assert sorted(Application.objects.values_list("pk", "organisation_id")) == applications


def people_act_in_the_demo_without_keys():
    startup_person = User.objects.get(email="experimentateur@demo.qmi.example")
    accounts.create_organisation(
        by=startup_person,
        name=STARTUP,
        kind=Organisation.Kind.EXPERIMENTER,
        legal_form=Organisation.LegalForm.STARTUP,
    )
    accounts.create_organisation(by=UserFactory(), name="Paris&Co", kind=Organisation.Kind.PARTNER)
