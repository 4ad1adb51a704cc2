"""Authentication backends: the person kept between requests, superusers held back.

ModelBackend grants a superuser every stored permission. Several of our rules share their
names with Django's default permissions (`calls.view_application`…), so without this an
object-less check would let a superuser through before the second factor is verified.

Every request of a logged-in person reads their row; it is kept in the shared cache until
someone's account changes (the `people` version, bumped on every save or deletion of a
person, core.versions), so a working page served from the cache needs no database query.
"""

from allauth.account.auth_backends import AuthenticationBackend
from django.contrib.auth.backends import ModelBackend

from qmi.core import versions

from .second_factor import second_factor_satisfied

# The version of people's accounts (bumped in accounts.apps).
PEOPLE = "people"
PEOPLE_SECONDS = 300


class KeptPersonMixin:
    def get_user(self, user_id):
        return versions.remember(
            f"people:{user_id}",
            (PEOPLE,),
            lambda: super(KeptPersonMixin, self).get_user(user_id),
            PEOPLE_SECONDS,
        )


class SecondFactorModelBackend(KeptPersonMixin, ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if user_obj.is_superuser and not second_factor_satisfied(user_obj):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)


class AccountBackend(KeptPersonMixin, AuthenticationBackend):
    """allauth's log-in by e-mail address, with the person kept as above."""
