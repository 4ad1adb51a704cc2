"""The review app's URLs: the juror's side under /jury/, the back office under /gestion/."""

from django.urls import path

from .views import auditions, invitations, juror, publication, staff

app_name = "review"

CALL = "gestion/appels/<int:pk>/evaluation/"

urlpatterns = [
    path("jury/", juror.queue, name="queue"),
    path("jury/phases/<int:phase_pk>/", juror.phase_files, name="phase_files"),
    path("jury/evaluations/<int:pk>/", juror.review_page, name="review"),
    path("jury/evaluations/<int:pk>/dossier.pdf", juror.file_pdf, name="file_pdf"),
    path("jury/evaluations/export.csv", juror.my_reviews_csv, name="my_reviews_csv"),
    path("jury/evaluations/<int:pk>/conflit/", juror.declare_conflict, name="conflict"),
    path(
        "jury/evaluations/<int:pk>/documents/<int:document_pk>/",
        juror.document,
        name="document",
    ),
    path("jury/invitations/<str:token>/", invitations.accept, name="invitation"),
    path(CALL, staff.overview, name="overview"),
    path(CALL + "phases/nouvelle/", staff.phase_create, name="phase_create"),
    path(CALL + "phases/<int:phase_pk>/", staff.phase_detail, name="phase"),
    path(CALL + "phases/<int:phase_pk>/etat/", staff.phase_move, name="phase_move"),
    path(CALL + "phases/<int:phase_pk>/criteres/", staff.criterion_save, name="criterion_add"),
    path(
        CALL + "phases/<int:phase_pk>/criteres/<int:criterion_pk>/",
        staff.criterion_save,
        name="criterion_edit",
    ),
    path(
        CALL + "phases/<int:phase_pk>/criteres/<int:criterion_pk>/retirer/",
        staff.criterion_remove,
        name="criterion_remove",
    ),
    path(CALL + "phases/<int:phase_pk>/attribuer/", staff.assign, name="assign"),
    path(CALL + "phases/<int:phase_pk>/attributions/", staff.assignments_page, name="assignments"),
    path(
        CALL + "phases/<int:phase_pk>/attributions/<int:assignment_pk>/retirer/",
        staff.unassign,
        name="unassign",
    ),
    path(CALL + "jures/", staff.juror_add, name="juror_add"),
    path(CALL + "jures/<int:juror_pk>/retirer/", staff.juror_withdraw, name="juror_withdraw"),
    path(CALL + "jures/<int:juror_pk>/relancer/", staff.juror_remind, name="juror_remind"),
    path(CALL + "jures/invitations/", invitations.invite, name="expert_invite"),
    path(
        CALL + "jures/invitations/<int:invitation_pk>/revoquer/",
        invitations.revoke,
        name="expert_invitation_revoke",
    ),
    path(CALL + "liens/", staff.known_link_add, name="known_link_add"),
    path(CALL + "classement/", staff.ranking_page, name="ranking"),
    path(CALL + "decisions/", staff.decisions_page, name="decisions"),
    path(CALL + "decisions/publier/", publication.publish, name="publish"),
    path(CALL + "decisions/courriers/", publication.letters_page, name="letters"),
    path(CALL + "decisions/courriels/", publication.outbox, name="outbox"),
    path("candidatures/<int:pk>/decision.pdf", publication.letter, name="letter"),
    path(CALL + "anonymisation/<int:application_pk>/", staff.redaction, name="redaction"),
    # Auditions: the shortlist and its slots; the applicant's answer; the panel's notes.
    path(CALL + "auditions/", auditions.auditions_page, name="auditions"),
    path(CALL + "auditions/preselection/", auditions.shortlist_add, name="shortlist_add"),
    path(
        CALL + "auditions/<int:audition_pk>/annuler/",
        auditions.audition_cancel,
        name="audition_cancel",
    ),
    path(
        CALL + "auditions/<int:audition_pk>/retirer/",
        auditions.audition_remove,
        name="audition_remove",
    ),
    path(
        CALL + "auditions/<int:audition_pk>/notes/",
        auditions.audition_notes,
        name="audition_notes",
    ),
    path("jury/auditions/<int:pk>/", auditions.audition_juror, name="audition_juror"),
    path("candidatures/<int:pk>/audition.ics", auditions.audition_ics, name="audition_ics"),
    path("candidatures/<int:pk>/audition/", auditions.audition_answer, name="audition_answer"),
]
