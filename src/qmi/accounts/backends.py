"""Django's model permissions, with a superuser's "every permission" held back like staff powers.

ModelBackend grants a superuser every stored permission. Several of our rules share their
names with Django's default permissions (`calls.view_application`…), so without this an
object-less check would let a superuser through before the second factor is verified.
"""

from django.contrib.auth.backends import ModelBackend

from .second_factor import second_factor_satisfied


class SecondFactorModelBackend(ModelBackend):
    def _get_permissions(self, user_obj, obj, from_name):
        if user_obj.is_superuser and not second_factor_satisfied(user_obj):
            return set()
        return super()._get_permissions(user_obj, obj, from_name)
