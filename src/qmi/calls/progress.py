"""Where an application stands, in plain French: its state and what is expected next.

Shared by the applicant's pages and each person's home (qmi.portal).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Application

Status = Application.Status

STATUS_TEXT = {
    Status.DRAFT: gettext_lazy("Brouillon : le dossier n'a pas encore été déposé."),
    Status.SUBMITTED: gettext_lazy("Déposé : le dossier a été reçu par l'équipe du programme."),
    Status.CORRECTION_REQUESTED: gettext_lazy(
        "Correction demandée : l'équipe du programme attend des compléments."
    ),
    Status.COMPLETE: gettext_lazy("Complet : le dossier est recevable et sera examiné."),
    Status.INADMISSIBLE: gettext_lazy("Irrecevable : le dossier ne sera pas examiné."),
    Status.WITHDRAWN: gettext_lazy("Retiré : le dossier a été retiré par son organisation."),
}


def status_text(application):
    return STATUS_TEXT.get(application.status, application.get_status_display())


def next_step(application, correction=None, now=None):
    """What is expected next, in plain French, and the deadline that goes with it."""
    now = now or timezone.now()
    call = application.call
    if application.status == Status.DRAFT:
        if call.accepts_submissions(now):
            return _("Compléter le dossier puis le déposer avant la clôture."), call.closes_at
        if call.is_upcoming(now):
            return _("L'appel n'est pas encore ouvert aux dépôts."), call.opens_at
        return _("L'appel est clos : ce brouillon ne peut plus être déposé."), None
    if application.status == Status.CORRECTION_REQUESTED:
        due = correction.due_at if correction else None
        return _("Corriger le dossier puis le déposer à nouveau."), due
    if application.status == Status.SUBMITTED:
        return _("Rien à faire pour l'instant : l'équipe du programme vérifie le dossier."), None
    if application.status == Status.COMPLETE:
        return _("Rien à faire : le dossier sera présenté au comité de sélection."), None
    return _("Aucune action attendue."), None
