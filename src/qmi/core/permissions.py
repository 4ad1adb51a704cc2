"""The one guard services use: every state change checks a `rules` permission here."""

from django.core.exceptions import PermissionDenied


def require(user, permission, obj=None):
    """Raise PermissionDenied unless `user` has `permission` (on `obj`, if given)."""
    if user is None or not user.has_perm(permission, obj):
        raise PermissionDenied
