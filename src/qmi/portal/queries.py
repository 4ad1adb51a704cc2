"""Where each person belongs: the landing page of their role, gathered from every app."""

from django.urls import reverse

from qmi.accounts.queries import pending_invitations_for, personal_organisations
from qmi.accounts.rules import has_staff_role
from qmi.programmes.queries import workspaces_for


def landing_url_for(user):
    """Where a person lands after logging in: the home of their role.

    Staff go to the back office; someone with exactly one space (one commune
    workspace, or else one organisation) goes straight into it; everyone else,
    and anyone with an invitation waiting, lands on "Mon espace", which lists
    what they have.
    """
    if has_staff_role(user):  # the back office asks for the second factor if the session lacks it
        return reverse("portal:backoffice")
    if pending_invitations_for(user).exists():
        return reverse("portal:home")
    workspaces = list(workspaces_for(user)[:2])
    if len(workspaces) == 1:
        return reverse("programmes:workspace", kwargs={"pk": workspaces[0].pk})
    if not workspaces:
        organisation_ids = list(personal_organisations(user).values_list("pk", flat=True)[:2])
        if len(organisation_ids) == 1:
            return reverse("accounts:organisation", kwargs={"pk": organisation_ids[0]})
    return reverse("portal:home")
