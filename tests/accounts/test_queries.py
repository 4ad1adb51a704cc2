"""Lists run a fixed number of queries, whatever the number of rows."""

import pytest
from django.urls import reverse

from qmi.accounts import services
from qmi.accounts.backends import PEOPLE
from qmi.accounts.models import Membership, Organisation
from qmi.core import versions
from tests.factories import InvitationFactory, MembershipFactory, OrganisationFactory, UserFactory
from tests.utils import assert_constant_queries

pytestmark = pytest.mark.django_db


def add_organisations(count):
    for index in range(count):
        organisation = OrganisationFactory(
            name=f"Org {index:02d}", kind=Organisation.Kind.PARTNER, legal_form="", is_demo=True
        )
        MembershipFactory.create_batch(2, organisation=organisation)


def test_backoffice_organisations_list_query_count_does_not_grow(staff_client):
    add_organisations(2)
    large = assert_constant_queries(
        staff_client,
        reverse("accounts:backoffice_organisations"),
        grow=lambda: add_organisations(18),
        warm=False,
    )
    # the 20 and the staff's Paris&Co
    assert len(large.response.context["page"].object_list) == 21


def add_members(organisation, count, by):
    for _ in range(count):
        membership = MembershipFactory(organisation=organisation, user=UserFactory(is_demo=True))
        services.change_member_role(membership=membership, role=Membership.Role.ADMIN, by=by)
        InvitationFactory(organisation=organisation, invited_by=by)


@pytest.mark.parametrize("as_staff", [False, True])
def test_organisation_members_list_query_count_does_not_grow(client, staff, as_staff):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    organisation = admin.organisation
    viewer = staff if as_staff else admin.user
    client.force_login(viewer)
    url = reverse("accounts:organisation", kwargs={"pk": organisation.pk})
    add_members(organisation, 1, admin.user)
    assert_constant_queries(
        client, url, grow=lambda: add_members(organisation, 18, admin.user), warm=False
    )
    assert organisation.memberships.count() == 20


def test_mon_espace_query_count_does_not_grow(client):
    user = UserFactory()
    for _ in range(2):
        MembershipFactory(user=user)
        InvitationFactory(email=user.email)
    client.force_login(user)

    def grow():
        for _ in range(18):
            MembershipFactory(user=user, organisation__is_demo=True)
            InvitationFactory(email=user.email)
        # Both measures read the person afresh, as the first one did (kept since).
        versions.bump(PEOPLE)

    assert_constant_queries(client, reverse("portal:home"), grow=grow, warm=False)
