"""Where each person belongs: the landing page of their role, gathered from every app."""

from django.urls import reverse

from qmi.accounts.models import Organisation
from qmi.accounts.rules import has_staff_role, memberships_of
from qmi.review.queries import assignments_of


def landing_url_for(user):
    """Where a person lands after logging in: the home of their role.

    Staff go to the back office and its to-do; everyone else to "Mon espace",
    which opens on what waits for them (see portal.home).
    """
    if has_staff_role(user):  # the back office asks for the second factor if the session lacks it
        return reverse("portal:backoffice")
    if only_reviews(user):
        return reverse("review:queue")
    return reverse("portal:home")


def only_reviews(user):
    """A partner's expert or a person with no organisation, with files to review: their queue."""
    kinds = {kind for _, kind, _, _ in memberships_of(user)}
    if kinds - {Organisation.Kind.PARTNER}:
        return False
    return assignments_of(user).exists()
