"""Named versions: what is kept follows them, and nothing is kept from an open transaction."""

import pytest
from django.db import transaction

from qmi.accounts.models import Membership, User
from qmi.accounts.rules import memberships_of
from qmi.core import versions
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_outside_the_database(settings):
    """As Redis in production: what is kept does not roll back with the database."""
    settings.CACHES = {
        **settings.CACHES,
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "v"},
    }
    yield
    from django.core.cache import cache  # noqa: PLC0415 — the overridden one

    cache.clear()


def counting(value):
    calls = []

    def compute():
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_kept_until_its_version_is_bumped():
    compute, calls = counting("figures")
    assert versions.remember("test:key", ("test-version",), compute, 60) == "figures"
    assert versions.remember("test:key", ("test-version",), compute, 60) == "figures"
    assert len(calls) == 1
    versions.bump("test-version")
    versions.remember("test:key", ("test-version",), compute, 60)
    assert len(calls) == 2


def test_nothing_is_kept_from_inside_a_transaction():
    compute, calls = counting("uncommitted")
    with transaction.atomic():
        versions.remember("test:inside", ("test-version",), compute, 60)
        versions.remember("test:inside", ("test-version",), compute, 60)
    assert len(calls) == 2  # computed each time, kept never
    versions.remember("test:inside", ("test-version",), compute, 60)
    versions.remember("test:inside", ("test-version",), compute, 60)
    assert len(calls) == 3


def test_a_membership_rolled_back_never_grants_anything():
    person = UserFactory()
    assert memberships_of(User.objects.get(pk=person.pk)) == ()
    with pytest.raises(RuntimeError), transaction.atomic():
        MembershipFactory(user=person)
        assert len(memberships_of(User.objects.get(pk=person.pk))) == 1
        raise RuntimeError("the service failed after the membership")
    assert memberships_of(User.objects.get(pk=person.pk)) == ()


def test_memberships_kept_between_requests_follow_every_change():
    person = UserFactory()
    assert memberships_of(User.objects.get(pk=person.pk)) == ()
    membership = MembershipFactory(user=person, role=Membership.Role.MEMBER)
    assert [m[2] for m in memberships_of(User.objects.get(pk=person.pk))] == ["member"]
    membership.role = Membership.Role.ADMIN
    membership.save()
    assert [m[2] for m in memberships_of(User.objects.get(pk=person.pk))] == ["admin"]
    membership.delete()
    assert memberships_of(User.objects.get(pk=person.pk)) == ()


def test_a_kept_value_comes_back_as_a_copy_of_its_own():
    """Kept in the process too: what one request changes on it never reaches the next."""
    compute, calls = counting({"figures": [1, 2]})
    first = versions.remember("test:copy", ("test-version",), compute, 60)
    first["figures"].append(3)
    again = versions.remember("test:copy", ("test-version",), compute, 60)
    assert again == {"figures": [1, 2]}
    assert len(calls) == 1


def test_a_settled_value_is_kept_from_inside_a_transaction():
    compute, calls = counting("a published form")
    with transaction.atomic():
        versions.remember("test:settled", ("test-version",), compute, 60, settled=True)
    versions.remember("test:settled", ("test-version",), compute, 60, settled=True)
    assert len(calls) == 1
