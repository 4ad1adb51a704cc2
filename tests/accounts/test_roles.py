import pytest
from django.urls import reverse

from qmi.accounts.models import Membership
from qmi.core.models import AuditEntry
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def member_url(membership, action="update"):
    name = "accounts:member_update" if action == "update" else "accounts:member_remove"
    return reverse(name, kwargs={"pk": membership.organisation_id, "membership_pk": membership.pk})


def messages_of(response):
    return [str(message) for message in response.context["messages"]] if response.context else []


def test_last_admin_cannot_be_demoted(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    client.force_login(admin.user)
    response = client.post(member_url(admin), {"role": "member"}, follow=True)
    assert any("au moins un administrateur" in m for m in messages_of(response))
    admin.refresh_from_db()
    assert admin.role == Membership.Role.ADMIN
    assert not AuditEntry.objects.filter(action="role_changed").exists()


def test_last_admin_cannot_be_removed(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    MembershipFactory(organisation=admin.organisation, role=Membership.Role.MEMBER)
    client.force_login(admin.user)
    response = client.post(member_url(admin, "remove"), follow=True)
    assert any("au moins un administrateur" in m for m in messages_of(response))
    assert Membership.objects.filter(pk=admin.pk).exists()
    assert not AuditEntry.objects.filter(action="member_removed").exists()


def test_last_admin_cannot_be_removed_by_staff_either(staff_client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    staff_client.post(member_url(admin, "remove"))
    assert Membership.objects.filter(pk=admin.pk).exists()


def test_role_change_is_audited(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    other = MembershipFactory(organisation=admin.organisation, role=Membership.Role.MEMBER)
    client.force_login(admin.user)
    response = client.post(member_url(other), {"role": "admin"})
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.role == Membership.Role.ADMIN
    entry = AuditEntry.objects.get(action="role_changed")
    assert entry.actor == admin.user
    assert entry.changes == {other.user.email: ["Membre", "Administrateur"]}

    # Now there are two admins, the first may step down.
    response = client.post(member_url(admin), {"role": "member"})
    admin.refresh_from_db()
    assert admin.role == Membership.Role.MEMBER
    assert AuditEntry.objects.filter(action="role_changed").count() == 2


def test_role_change_refuses_an_unknown_role(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    other = MembershipFactory(organisation=admin.organisation)
    client.force_login(admin.user)
    response = client.post(member_url(other), {"role": "owner"}, follow=True)
    assert any("Choisissez un rôle" in m for m in messages_of(response))
    other.refresh_from_db()
    assert other.role == Membership.Role.MEMBER


def test_member_removal_is_audited(client):
    admin = MembershipFactory(role=Membership.Role.ADMIN)
    other = MembershipFactory(organisation=admin.organisation)
    client.force_login(admin.user)
    client.post(member_url(other, "remove"))
    assert not Membership.objects.filter(pk=other.pk).exists()
    entry = AuditEntry.objects.get(action="member_removed")
    assert entry.changes == {"membre": [f"{other.user.email} (Membre)", None]}


def test_plain_member_cannot_change_roles(client):
    member = MembershipFactory(role=Membership.Role.MEMBER)
    admin = MembershipFactory(organisation=member.organisation, role=Membership.Role.ADMIN)
    client.force_login(member.user)
    assert client.post(member_url(member), {"role": "admin"}).status_code == 404
    assert client.post(member_url(admin, "remove")).status_code == 404
    member.refresh_from_db()
    assert member.role == Membership.Role.MEMBER
    assert Membership.objects.filter(pk=admin.pk).exists()
