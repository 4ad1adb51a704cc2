"""Where each person belongs: the landing page of their role, gathered from every app."""

from django.urls import reverse

from qmi.accounts.rules import has_staff_role


def landing_url_for(user):
    """Where a person lands after logging in: the home of their role.

    Staff go to the back office and its to-do; everyone else to "Mon espace",
    which opens on what waits for them (see portal.home).
    """
    if has_staff_role(user):  # the back office asks for the second factor if the session lacks it
        return reverse("portal:backoffice")
    return reverse("portal:home")
