"""The calls app's URLs, grouped by area (each area's views are a module of calls/views/)."""

from django.urls import path

from .views import applicant, builder, examination, labels, messaging, public, sessions, staff

app_name = "calls"

FORM = "gestion/appels/<int:pk>/formulaire/"

urlpatterns = [
    # Public call pages and the applicant's side ---------------------------------------
    path("appels/<slug:slug>/", public.call_detail, name="call"),
    path("appels/<slug:slug>/candidater/", applicant.apply, name="apply"),
    path(
        "appels/<slug:slug>/modeles/<int:question_pk>/",
        public.template_file,
        name="template_file",
    ),
    path("candidatures/", applicant.my_applications, name="my_applications"),
    path("candidatures/<int:pk>/", applicant.application_detail, name="application"),
    path("candidatures/<int:pk>/retirer/", applicant.withdraw, name="withdraw"),
    path("candidatures/<int:pk>/sections/<int:number>/", applicant.section, name="section"),
    path("candidatures/<int:pk>/enregistrer/", applicant.autosave, name="autosave"),
    path(
        "candidatures/<int:pk>/documents/<int:document_pk>/",
        applicant.document,
        name="document",
    ),
    path(
        "candidatures/<int:pk>/documents/<int:document_pk>/retirer/",
        applicant.remove_document,
        name="remove_document",
    ),
    path(
        "candidatures/<int:pk>/pieces-demandees/<int:requested_pk>/",
        applicant.upload_requested_document,
        name="upload_requested_document",
    ),
    path(
        "candidatures/<int:pk>/documents/<slug:key>/",
        applicant.upload_document,
        name="upload_document",
    ),
    path("candidatures/<int:pk>/recapitulatif/", applicant.summary, name="summary"),
    path("candidatures/<int:pk>/deposer/", applicant.submit, name="submit"),
    path("candidatures/<int:pk>/confirmation/", applicant.confirmation, name="confirmation"),
    path(
        "candidatures/<int:pk>/depots/<int:number>/accuse-de-reception.pdf",
        applicant.acknowledgement,
        name="acknowledgement",
    ),
    # Back office of calls and applications --------------------------------------------
    path("gestion/appels/", staff.call_list, name="backoffice_calls"),
    path("gestion/appels/nouveau/", staff.call_form, name="call_create"),
    path("gestion/appels/<int:pk>/", staff.call_detail, name="backoffice_call"),
    path("gestion/appels/<int:pk>/modifier/", staff.call_form, name="call_edit"),
    path("gestion/appels/<int:pk>/etat/", staff.call_move, name="call_move"),
    path(
        "gestion/appels/<int:pk>/reunions/nouvelle/",
        staff.session_form,
        name="backoffice_session_create",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/",
        staff.session_form,
        name="backoffice_session_edit",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/supprimer/",
        staff.session_delete,
        name="backoffice_session_delete",
    ),
    path("gestion/appels/<int:pk>/faq/nouvelle/", staff.faq_form, name="backoffice_faq_create"),
    path("gestion/appels/<int:pk>/faq/<int:faq_pk>/", staff.faq_form, name="backoffice_faq_edit"),
    path(
        "gestion/appels/<int:pk>/faq/<int:faq_pk>/supprimer/",
        staff.faq_delete,
        name="backoffice_faq_delete",
    ),
    path(
        "gestion/appels/<int:pk>/faq/<int:faq_pk>/publication/",
        staff.faq_toggle,
        name="backoffice_faq_toggle",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/",
        examination.application_list,
        name="backoffice_applications",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/export.csv",
        examination.export_csv,
        name="export_csv",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/colonnes/",
        examination.application_columns,
        name="backoffice_application_columns",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/action/",
        examination.application_bulk,
        name="backoffice_application_bulk",
    ),
    path(
        "gestion/candidatures/<int:pk>/",
        examination.application_detail,
        name="backoffice_application",
    ),
    path(
        "gestion/candidatures/<int:pk>/documents/<int:document_pk>/apercu/",
        examination.document_preview,
        name="backoffice_document_preview",
    ),
    path(
        "gestion/candidatures/<int:pk>/decision/",
        examination.application_decide,
        name="backoffice_decide",
    ),
    # Form builder and call duplication (back office) ----------------------------------
    path(FORM, builder.builder, name="builder"),
    path(f"{FORM}apercu/", builder.preview, name="builder_preview"),
    path(f"{FORM}publier/", builder.publish, name="builder_publish"),
    path(f"{FORM}abandonner/", builder.discard, name="builder_discard"),
    path(f"{FORM}revisions/", builder.revisions, name="builder_revisions"),
    path(f"{FORM}sections/nouvelle/", builder.section_form, name="builder_section_add"),
    path(f"{FORM}sections/<int:section_pk>/", builder.section_form, name="builder_section_edit"),
    path(
        f"{FORM}sections/<int:section_pk>/supprimer/",
        builder.section_delete,
        name="builder_section_delete",
    ),
    path(
        f"{FORM}sections/<int:section_pk>/deplacer/",
        builder.section_move,
        name="builder_section_move",
    ),
    path(
        f"{FORM}sections/<int:section_pk>/questions/nouvelle/",
        builder.question_form,
        name="builder_question_add",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/", builder.question_form, name="builder_question_edit"
    ),
    path(
        f"{FORM}questions/<int:question_pk>/supprimer/",
        builder.question_delete,
        name="builder_question_delete",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/deplacer/",
        builder.question_move,
        name="builder_question_move",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/modele/",
        builder.question_template,
        name="builder_question_template",
    ),
    path(
        f"{FORM}questions/<int:question_pk>/modele/telecharger/",
        builder.question_template_download,
        name="builder_question_template_download",
    ),
    path("gestion/appels/<int:pk>/dupliquer/", builder.duplicate, name="call_duplicate"),
    # Entry points into qmi.messaging --------------------------------------------------
    path(
        "candidatures/<int:pk>/messages/",
        messaging.application_messages,
        name="application_messages",
    ),
    path("appels/<slug:slug>/question/", messaging.call_question, name="call_question"),
    path("gestion/messages/<int:pk>/faq/", messaging.thread_publish_faq, name="thread_publish_faq"),
    # Labels, private notes, XLSX and ZIP exports --------------------------------------
    path("gestion/appels/<int:pk>/etiquettes/", labels.labels, name="labels"),
    path(
        "gestion/appels/<int:pk>/etiquettes/<int:label_pk>/",
        labels.label_edit,
        name="label_edit",
    ),
    path(
        "gestion/appels/<int:pk>/etiquettes/<int:label_pk>/supprimer/",
        labels.label_delete,
        name="label_delete",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/etiquetage/",
        labels.labels_bulk,
        name="labels_bulk",
    ),
    path(
        "gestion/appels/<int:pk>/candidatures/export.xlsx",
        labels.export_xlsx,
        name="export_xlsx",
    ),
    path("gestion/appels/<int:pk>/documents.zip", labels.export_zip, name="export_zip"),
    path(
        "gestion/candidatures/<int:pk>/etiquettes/",
        labels.application_labels,
        name="application_labels",
    ),
    path("gestion/candidatures/<int:pk>/notes/", labels.note_add, name="note_add"),
    path(
        "gestion/candidatures/<int:pk>/notes/<int:note_pk>/supprimer/",
        labels.note_delete,
        name="note_delete",
    ),
    # Information sessions (qmi.events) ------------------------------------------------
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/inscription/",
        sessions.register,
        name="session_register",
    ),
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/inscription/confirmee/",
        sessions.registered,
        name="session_registered",
    ),
    path(
        "appels/<slug:slug>/reunions/<int:session_pk>/invitation.ics",
        sessions.calendar_file,
        name="session_ics",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/inscrits/",
        sessions.registrations,
        name="backoffice_registrations",
    ),
    path(
        "gestion/appels/<int:pk>/reunions/<int:session_pk>/inscrits.csv",
        sessions.registrations_csv,
        name="backoffice_registrations_csv",
    ),
    # Funnel figures of a call ---------------------------------------------------------
    path("gestion/appels/<int:pk>/entonnoir.svg", staff.funnel_svg, name="funnel_svg"),
]
