"""Back office of a call's applications: list, columns, bulk actions, CSV, examination.

Operator staff only (404 for everyone else).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from qmi.accounts.access import backoffice_required
from qmi.core import versions
from qmi.core.audit import audit_context
from qmi.core.files import sandboxed
from qmi.core.forms import apply_errors, parse_ids
from qmi.core.kept_pages import kept_for_session
from qmi.core.public_cache import CONTENT
from qmi.core.textdiff import html_diff
from qmi.core.workflow import TransitionNotAllowed

from .. import queries
from ..exports import (
    answer_sections,
    answer_text,
    applications_csv_response,
    commune_names,
)
from ..forms.staff import (
    DEFAULT_COLUMNS,
    ColumnsForm,
    CorrectionForm,
    InadmissibleForm,
    column_choices,
)
from ..funnel import APPLICATIONS
from ..models import (
    Application,
    Call,
    Document,
    Label,
    Question,
    RequestedDocument,
)
from ..queries import call_status_counts, current_questions, filtered_applications
from ..services import applications, examination

Status = Application.Status
APPLICATIONS_PER_PAGE = 50
TEXT_KINDS = {Question.Kind.SHORT_TEXT, Question.Kind.LONG_TEXT, Question.Kind.ADDRESS}


# Calls -------------------------------------------------------------------------


# Information sessions and FAQ -------------------------------------------------------


# Applications list ------------------------------------------------------------------


def _columns_key(call):
    return f"calls_staff_columns_{call.pk}"


def _cell(application, column, questions_by_key, communes):
    organisation = application.organisation
    if column == "kind":
        return organisation.get_kind_display()
    if column == "country":
        return organisation.country.name
    if column == "status":
        return application.get_status_display()
    if column == "submitted_at":
        return application.submitted_at
    if column == "updated_at":
        return application.updated_at
    question = questions_by_key.get(column[2:])
    if question is None:
        return ""
    return answer_text(question, application.answers.get(question.key), communes)


@backoffice_required
@kept_for_session
def application_list(request, pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    form, applications = filtered_applications(call, request.GET)
    page = Paginator(applications, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    questions = current_questions(call)
    choices = dict(column_choices(questions))
    columns = [c for c in request.session.get(_columns_key(call), DEFAULT_COLUMNS) if c in choices]
    questions_by_key = {q.key: q for q in questions}

    def rows():
        communes = commune_names(call) if any(c.startswith("q:") for c in columns) else {}
        return [
            {
                "application": application,
                "cells": [
                    (column, _cell(application, column, questions_by_key, communes))
                    for column in columns
                ],
                "selectable": application.status == Status.SUBMITTED,
            }
            for application in page.object_list
        ]

    query = request.GET.copy()
    query.pop("page", None)
    can_examine = request.user.has_perm("calls.examine_application")
    labels = list(Label.objects.filter(call=call).order_by("name", "pk"))
    context = {
        "call": call,
        "form": form,
        "filtered": form.is_bound and form.is_filtered(),
        "page": page,
        # The rows are built only when their rendering is not kept (see the template):
        # kept per call, address, columns, language and permission until an application,
        # a label or the form changes (core.versions).
        "rows": rows,
        "labels": labels,
        "rows_key": "|".join(
            map(
                str,
                (
                    call.pk,
                    request.GET.urlencode(),
                    ",".join(columns),
                    get_language(),
                    can_examine,
                    bool(labels),
                    *versions.current(APPLICATIONS, CONTENT),
                ),
            )
        ),
        "headers": [(column, choices[column]) for column in columns],
        "columns_form": ColumnsForm(initial={"columns": columns}, questions=questions),
        "status_counts": call_status_counts(call),
        # Asked once, not on each of the 50 rows (a rules predicate each time).
        "can_examine": can_examine,
        "query": query.urlencode(),
        "export_query": query.urlencode(),
    }
    return render(request, "calls/staff/application_list.html", context)


def back_to_list(call, raw_query):
    query = QueryDict(raw_query or "", mutable=True)
    url = reverse("calls:backoffice_applications", args=[call.pk])
    return redirect(f"{url}?{query.urlencode()}" if query else url)


@backoffice_required
@require_POST
def application_columns(request, pk):
    call = get_object_or_404(Call, pk=pk)
    form = ColumnsForm(request.POST, questions=current_questions(call))
    if form.is_valid():
        request.session[_columns_key(call)] = form.cleaned_data["columns"]
        messages.success(request, _("Les colonnes affichées ont été enregistrées."))
    return back_to_list(call, request.POST.get("query"))


@backoffice_required(permission="calls.examine_application")
@require_POST
def application_bulk(request, pk):
    call = get_object_or_404(Call, pk=pk)
    ids = parse_ids(request.POST.getlist("selected"), limit=1000)
    if request.POST.get("action") != "complete" or not ids:
        messages.error(request, _("Cochez au moins un dossier déposé, puis choisissez l'action."))
        return back_to_list(call, request.POST.get("query"))
    done, failed = examination.bulk_mark_complete(call=call, application_ids=ids, by=request.user)
    if done:
        messages.success(
            request,
            ngettext(
                "%(count)s dossier déclaré complet : %(refs)s.",
                "%(count)s dossiers déclarés complets : %(refs)s.",
                len(done),
            )
            % {"count": len(done), "refs": ", ".join(done)},
        )
    for reference, reason in failed:
        messages.error(
            request,
            _("%(reference)s n'a pas pu être déclaré complet : %(reason)s")
            % {"reference": reference, "reason": reason},
        )
    return back_to_list(call, request.POST.get("query"))


@backoffice_required
def export_csv(request, pk):
    call = get_object_or_404(Call.objects.select_related("edition"), pk=pk)
    _, applications = filtered_applications(call, request.GET)
    return applications_csv_response(
        call,
        applications,
        current_questions(call),
        filename=f"candidatures-{call.slug}.csv",
    )


# Examination ----------------------------------------------------------------------------


# Types a browser shows by itself; the type was read from the file's content at upload.
PREVIEWABLE = {"application/pdf", "image/png", "image/jpeg"}
PREVIEW_POLICY = {
    # An image or a PDF alone in its frame: nothing may run, load or frame it but our
    # pages; files.sandboxed adds `sandbox` (no script, an opaque origin).
    "image": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
    "pdf": "default-src 'none'; object-src 'self'; frame-ancestors 'self'",
}


@backoffice_required
@xframe_options_sameorigin
def document_preview(request, pk, document_pk):
    """A PDF or image of the application, inline, for the examination page's preview."""
    document = get_object_or_404(Document, pk=document_pk, application_id=pk)
    if document.content_type not in PREVIEWABLE:
        raise Http404
    try:
        handle = document.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    response = FileResponse(
        handle, content_type=document.content_type, as_attachment=False, filename=document.name
    )
    kind = "pdf" if document.content_type == "application/pdf" else "image"
    sandboxed(response, policy=PREVIEW_POLICY[kind])
    response["Cache-Control"] = "private, no-store"
    return response


def _document_url(application, document):
    try:
        return reverse("calls:document", kwargs={"pk": application.pk, "document_pk": document.pk})
    except NoReverseMatch:
        return f"/candidatures/{application.pk}/documents/{document.pk}/"


def _comparison(newer, older, communes):
    """Per question of the newer submission: the answers that changed, old → new."""
    changes = []
    for question in queries.questions_of(newer.revision):
        if question.kind == Question.Kind.DOCUMENT:
            old = sorted(
                (d["name"], d["sha256"]) for d in older.documents if d["key"] == question.key
            )
            new = sorted(
                (d["name"], d["sha256"]) for d in newer.documents if d["key"] == question.key
            )
            if old != new:
                changes.append(
                    {
                        "question": question,
                        "old": " ; ".join(name for name, _sha in old),
                        "new": " ; ".join(name for name, _sha in new),
                    }
                )
            continue
        old_value, new_value = older.answers.get(question.key), newer.answers.get(question.key)
        if old_value == new_value:
            continue
        change = {
            "question": question,
            "old": answer_text(question, old_value, communes),
            "new": answer_text(question, new_value, communes),
        }
        if question.kind in TEXT_KINDS:
            change["diff"] = html_diff(change["old"], change["new"])
        changes.append(change)
    return changes


def _examination_context(request, application, **forms):
    communes = commune_names(application.call)
    documents = {}
    for document in applications.current_documents(application).order_by(
        "question_key", "uploaded_at"
    ):
        document.url = _document_url(application, document)
        if document.content_type in PREVIEWABLE:
            document.preview_url = reverse(
                "calls:backoffice_document_preview",
                kwargs={"pk": application.pk, "document_pk": document.pk},
            )
            document.is_pdf = document.content_type == "application/pdf"
        documents.setdefault(document.question_key, []).append(document)
    _label_slots(application, documents)
    submissions = list(
        application.submissions.select_related("submitted_by", "revision").order_by("-number")
    )
    moves = {move.target for move in Application.workflow.available(application, request.user)}
    sections = answer_sections(application, communes, documents)
    return {
        "application": application,
        "call": application.call,
        "organisation": application.organisation,
        "sections": sections,
        "documents": [d for group in documents.values() for d in group],
        "submissions": submissions,
        "comparison": _comparison(submissions[0], submissions[1], communes)
        if len(submissions) > 1
        else None,
        "corrections": application.correction_requests.select_related(
            "requested_by", "resolved_by"
        ).prefetch_related("requested_documents"),
        "open_correction": queries.open_correction(application),
        "can_request_correction": Status.CORRECTION_REQUESTED in moves,
        "can_complete": Status.COMPLETE in moves,
        "can_declare_inadmissible": Status.INADMISSIBLE in moves,
        "correction_form": forms.get("correction") or CorrectionForm(prefix="correction"),
        "inadmissible_form": forms.get("inadmissible") or InadmissibleForm(prefix="inadmissible"),
        **audit_context(request.user, application),
    }


def _label_slots(application, documents):
    """Name each document's slot: its question, or the document a correction asked for."""
    labels = {q.key: q.label for q in queries.questions_of(application.revision)}
    for item in RequestedDocument.objects.filter(correction__application=application):
        labels[item.document_key] = _("%(label)s (demandée en correction)") % {"label": item.label}
    for key, group in documents.items():
        for document in group:
            document.slot_label = labels.get(key, key)


def _get_application(pk):
    return get_object_or_404(
        Application.objects.select_related(
            "call__edition", "organisation", "revision", "created_by"
        ),
        pk=pk,
    )


@backoffice_required
@kept_for_session
def application_detail(request, pk):
    application = _get_application(pk)
    return render(
        request, "calls/staff/application_detail.html", _examination_context(request, application)
    )


# Decisions without a form: the service to call and what the page says once done.
SIMPLE_DECISIONS = {
    "complete": (examination.mark_complete, gettext_lazy("Le dossier est déclaré complet.")),
    "resolve": (
        examination.resolve_correction,
        gettext_lazy(
            "La demande de correction est résolue ; les membres de l'organisation sont prévenus."
        ),
    ),
}


@backoffice_required(permission="calls.examine_application")
@require_POST
def application_decide(request, pk):
    application = _get_application(pk)
    decision = request.POST.get("decision")
    form = None
    try:
        if decision == "correction":
            form = CorrectionForm(request.POST, prefix="correction")
            if form.is_valid():
                examination.request_correction(
                    application=application,
                    by=request.user,
                    message=form.cleaned_data["message"],
                    due_at=form.cleaned_data["due_at"],
                    documents=form.requested_documents(),
                )
                messages.success(
                    request,
                    _("La demande de correction a été envoyée aux membres de l'organisation."),
                )
                return redirect("calls:backoffice_application", pk=application.pk)
        elif decision in SIMPLE_DECISIONS:
            service, done = SIMPLE_DECISIONS[decision]
            service(application=application, by=request.user)
            messages.success(request, done)
            return redirect("calls:backoffice_application", pk=application.pk)
        elif decision == "inadmissible":
            form = InadmissibleForm(request.POST, prefix="inadmissible")
            if form.is_valid():
                examination.mark_inadmissible(
                    application=application, by=request.user, reason=form.cleaned_data["reason"]
                )
                messages.success(
                    request, _("Le dossier est déclaré irrecevable ; le candidat est prévenu.")
                )
                return redirect("calls:backoffice_application", pk=application.pk)
        else:
            messages.error(request, _("Choisissez une décision."))
            return redirect("calls:backoffice_application", pk=application.pk)
    except TransitionNotAllowed as error:
        messages.error(request, str(error))
        return redirect("calls:backoffice_application", pk=application.pk)
    except ValidationError as error:
        if form is None:
            messages.error(request, " ".join(error.messages))
            return redirect("calls:backoffice_application", pk=application.pk)
        apply_errors(form, error)
    except PermissionDenied:
        raise Http404 from None
    context = _examination_context(request, application, **{decision: form})
    return render(request, "calls/staff/application_detail.html", context)
