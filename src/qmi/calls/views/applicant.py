"""The applicant's side: apply, fill in, upload, submit, follow.

Thin views: a loader returns what the person may see (404 otherwise), one
service call changes state, and the page says what happened in French.
"""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qmi.accounts.models import Organisation
from qmi.accounts.rules import memberships_of
from qmi.core.forms import apply_errors, parse_id
from qmi.core.kept_pages import kept_for_session
from qmi.core.workflow import TransitionNotAllowed

from .. import panels, queries
from ..forms import applicant as form
from ..models import (
    Application,
    Document,
    Question,
    RequestedDocument,
    Submission,
)
from ..pdf import acknowledgement_pdf
from ..progress import next_step, status_text
from ..queries import get_application_for, get_call_for
from ..services import applications as services
from .public import attachment

APPLICATIONS_PER_PAGE = 20
Status = Application.Status

# Loaders ---------------------------------------------------------------------


def _requested_fields(application, upload_errors=None):
    """Upload slots for what the open correction request asks for beyond the form."""
    requested = services.requested_documents(application)
    if not requested:
        return []
    documents = {}
    for item in services.current_documents(application).filter(
        question_key__in=[r.document_key for r in requested]
    ):
        documents.setdefault(item.question_key, []).append(item)
    return form.requested_fields(requested, documents, upload_errors=upload_errors)


# Public call pages -----------------------------------------------------------


@login_required
def apply(request, slug):
    call = get_call_for(request.user, slug)
    apply_form = form.ApplyForm(request.POST or None, user=request.user, call=call)
    if request.method == "POST" and apply_form.is_valid():
        try:
            application, created = services.start_application(
                call=call, organisation=apply_form.cleaned_data["organisation"], by=request.user
            )
        except ValidationError as error:
            apply_errors(apply_form, error)
        except PermissionDenied:
            raise Http404 from None
        else:
            if created:
                messages.success(
                    request,
                    _("Le dossier %(reference)s est ouvert. Il est enregistré au fur et à mesure.")
                    % {"reference": application.reference},
                )
            if application.status in (
                Status.DRAFT,
                Status.CORRECTION_REQUESTED,
            ) and queries.sections_of(application.revision):
                return redirect("calls:section", pk=application.pk, number=1)
            return redirect("calls:application", pk=application.pk)
    existing = list(
        form.applications_of(request.user)
        .filter(call=call)
        .exclude(status=Status.WITHDRAWN)
        .select_related("organisation")
    )
    kinds = dict(Organisation.Kind.choices)
    context = {
        "call": call,
        "eligible": [kinds.get(kind, kind) for kind in call.eligible_kinds],
        "form": apply_form,
        "accepts": call.accepts_submissions(),
        "existing": existing,
        "create_url": reverse("accounts:organisation_create")
        + "?"
        + urlencode({"next": request.get_full_path()}),
    }
    return render(
        request, "calls/applicant/apply.html", context, status=400 if apply_form.errors else 200
    )


# One application -------------------------------------------------------------


def _section_links(application):
    sections = queries.sections_of(application.revision)
    return [
        {"number": number, "section": section} for number, section in enumerate(sections, start=1)
    ]


@login_required
def application_detail(request, pk):
    application = get_application_for(request.user, pk)
    return render(
        request, "calls/applicant/application.html", _application_context(request, application)
    )


def _application_context(request, application, withdraw_form=None, upload_errors=None):
    correction = queries.open_correction(application)
    expected, deadline = next_step(application, correction)
    moves = {move.target for move in Application.workflow.available(application, request.user)}
    can_edit = request.user.has_perm("calls.edit_application", application)
    context = {
        "application": application,
        "status_text": status_text(application),
        "expected": expected,
        "deadline": deadline,
        "correction": correction,
        "sections": _section_links(application),
        "submissions": application.submissions.select_related("submitted_by"),
        "can_edit": can_edit,
        "editable": can_edit,  # what the document slots read
        "requested": _requested_fields(application, upload_errors),
        "can_withdraw": Status.WITHDRAWN in moves,
        "withdraw_form": withdraw_form or form.WithdrawForm(),
        "panels": panels.render_panels("applicant", request, application),
    }
    return context


@login_required
@require_POST
def withdraw(request, pk):
    application = get_application_for(request.user, pk)
    if not request.user.has_perm("calls.withdraw_application", application):
        raise Http404
    withdraw_form = form.WithdrawForm(request.POST)
    if not withdraw_form.is_valid():
        context = _application_context(request, application, withdraw_form=withdraw_form)
        return render(request, "calls/applicant/application.html", context, status=400)
    try:
        services.withdraw_application(
            application=application, by=request.user, note=withdraw_form.cleaned_data["note"]
        )
    except (ValidationError, TransitionNotAllowed) as error:
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
    except PermissionDenied:
        raise Http404 from None
    else:
        messages.success(request, _("Le dossier a été retiré."))
    return redirect("calls:application", pk=application.pk)


def _section_context(
    request, application, number, *, values=None, conflict=None, upload_errors=None
):
    sections = queries.sections_of(application.revision)
    if not 1 <= number <= len(sections):
        raise Http404
    section = sections[number - 1]
    questions = sorted(section.questions.all(), key=lambda q: (q.order, q.pk))
    answers = application.answers
    shown = {**answers, **(values or {})}
    documents = {}
    for document in services.current_documents(application).filter(
        question_key__in=[q.key for q in questions if q.kind == Question.Kind.DOCUMENT]
    ):
        documents.setdefault(document.question_key, []).append(document)
    ranking = (
        form.ranking_options(application.call)
        if any(q.kind == Question.Kind.COMMUNE_RANKING for q in questions)
        else []
    )
    editable = request.user.has_perm("calls.edit_application", application)
    return {
        "application": application,
        "section": section,
        "number": number,
        "total": len(sections),
        "sections": [{"number": n, "section": s} for n, s in enumerate(sections, start=1)],
        "fields": form.build_fields(
            questions,
            values=shown,
            all_answers=shown,
            organisation_kind=application.organisation.kind,
            documents=documents,
            ranking=ranking,
            upload_errors=upload_errors,
        ),
        "editable": editable,
        "original": json.dumps(form.originals_for(questions, answers), ensure_ascii=False),
        "base_version": application.version,
        "conflict": conflict,
        "storage_key": f"qmi-autosave:{application.pk}:{number}",
        "login_url": reverse("account_login") + "?" + urlencode({"next": request.path}),
    }


def _render_section(request, application, number, status=200, **kwargs):
    context = _section_context(request, application, number, **kwargs)
    return render(request, "calls/applicant/section.html", context, status=status)


@login_required
@kept_for_session
def section(request, pk, number):
    application = get_application_for(request.user, pk)
    return _render_section(request, application, number)


def _conflict_context(conflict, application, questions, user):
    """The conflicting answers, with who changed them: "you, in another tab" when it was the
    same person (two tabs of one file), so nobody looks for a colleague who does not exist."""
    by_key = {q.key: q for q in questions}
    ranking = {}
    if any(q.kind == Question.Kind.COMMUNE_RANKING for q in questions):
        ranking = dict(form.ranking_options(application.call))
    items = []
    for key, info in conflict.fields.items():
        question = by_key.get(key)
        mine = info.get("by_id") is not None and info.get("by_id") == user.pk
        items.append(
            {
                "key": key,
                "label": info.get("label", key),
                "value": form.display_answer(question, info.get("value"), ranking_labels=ranking)
                if question
                else info.get("value"),
                **form.describe_change(info.get("by"), info.get("at")),
                "mine": mine,
            }
        )
    return {
        "items": items,
        "version": conflict.version,
        "mine": bool(items) and all(item["mine"] for item in items),
    }


def _target_after_save(application, number, go):
    total = len(queries.sections_of(application.revision))
    if go == "prev" and number > 1:
        return reverse("calls:section", kwargs={"pk": application.pk, "number": number - 1})
    if go == "next" and number < total:
        return reverse("calls:section", kwargs={"pk": application.pk, "number": number + 1})
    if go in ("next", "summary"):
        return reverse("calls:summary", kwargs={"pk": application.pk})
    if 1 <= number <= total:
        return reverse("calls:section", kwargs={"pk": application.pk, "number": number})
    return reverse("calls:application", kwargs={"pk": application.pk})


def _int(value, default=None):
    return parse_id(value, default)


def _autosave_base(post):
    """(base version, keep mine) of an autosave.

    "Keep my version" overrides on purpose; otherwise each answer is compared
    with the value this page loaded, so nobody's newer text is overwritten.
    """
    keep_version = _int(post.get("keep_version"), None)
    if keep_version is not None:
        return keep_version, True
    return _int(post.get("base_version"), 0), False


@login_required
@require_POST
def autosave(request, pk):
    """Save what changed on a section: an htmx/fetch fragment, or a redirect without JS.

    It runs every few seconds while someone types: it reads only the form with the
    application, and its fragment needs no context processor.
    """
    application = get_application_for(request.user, pk, related=("revision",))
    number = _int(request.POST.get("section"), 1)
    base_version, keep_mine = _autosave_base(request.POST)
    questions = queries.questions_of(application.revision)
    changes = form.changed_answers(request.POST, questions)
    partial = bool(getattr(request, "htmx", False))
    try:
        result = services.autosave_answers(
            application=application,
            by=request.user,
            changes=changes,
            shown=form.read_original(request.POST),
            base_version=base_version,
            keep_mine=keep_mine,
        )
    except PermissionDenied:
        return _autosave_refused(request, application, partial=partial)
    if not result.saved:
        return _autosave_conflict(
            request,
            application,
            result.conflict,
            number=number,
            questions=questions,
            base_version=base_version,
            partial=partial,
        )
    if not partial:
        if changes:
            messages.success(request, _("Vos réponses ont été enregistrées."))
        return redirect(_target_after_save(application, number, request.POST.get("go", "")))
    meta = result.application.answers_meta
    problems = form.typing_problems(questions, result.application.answers, changes, application)
    labels = {question.key: question.label for question in questions}
    others = [
        {"label": question.label, **form.describe_change(*_who_and_when(meta, question.key))}
        for question in result.others
    ]
    return HttpResponse(
        render_to_string(
            "calls/applicant/_autosave_saved.html",
            {
                "version": result.application.version,
                "saved_at": timezone.localtime(),
                "changed": bool(changes),
                "original": json.dumps(result.shown, ensure_ascii=False),
                "others": others,
                # Every answer just saved, with what is wrong with it or "": the page
                # shows each message under its field and removes those fixed.
                "problems": json.dumps(problems, ensure_ascii=False) if problems else "",
                "flagged": [
                    {"label": labels[key], "message": message}
                    for key, message in problems.items()
                    if message
                ],
            },
        )
    )


def _who_and_when(answers_meta, key):
    meta = answers_meta.get(key) or {}
    return meta.get("name"), meta.get("at")


def _autosave_refused(request, application, *, partial):
    message = _(
        "Ce dossier ne peut plus être modifié : il a été déposé ou n'est plus un brouillon."
    )
    if partial:
        response = render(
            request, "calls/applicant/_autosave_refused.html", {"message": message}, status=403
        )
        response["X-QMI-Refused"] = "1"
        return response
    messages.error(request, message)
    return redirect("calls:application", pk=application.pk)


def _autosave_conflict(request, application, conflict, *, number, questions, base_version, partial):
    """409: the other person's answers shown, the person's own text kept in the page."""
    conflict_context = _conflict_context(conflict, application, questions, request.user)
    if partial:
        return render(
            request,
            "calls/applicant/_autosave_conflict.html",
            {
                "conflict": conflict_context,
                "application": application,
                "reload_url": _target_after_save(application, number, "stay"),
            },
            status=409,
        )
    by_key = {q.key: q for q in questions}
    posted = {
        key: form.answer_rules.normalise(by_key[key], raw)
        for key, raw in form.posted_values(request.POST, questions).items()
    }
    context = _section_context(
        request, application, number, values=posted, conflict=conflict_context
    )
    # The page keeps what the person typed, and the base they typed it on.
    context["original"] = json.dumps(form.read_original(request.POST), ensure_ascii=False)
    context["base_version"] = base_version
    return render(request, "calls/applicant/section.html", context, status=409)


def _section_of_key(application, key):
    for number, section in enumerate(queries.sections_of(application.revision), start=1):
        if any(q.key == key for q in section.questions.all()):
            return number
    raise Http404


def _slot_response(request, application, key, error="", status=200):
    number = _section_of_key(application, key)
    context = _section_context(
        request, application, number, upload_errors={key: error} if error else None
    )
    field = next(f for f in context["fields"] if f["question"].key == key)
    return render(
        request,
        "calls/applicant/_document_slot.html",
        {**context, "field": field},
        status=status,
    )


def _upload(request, application, key):
    """Store the posted file under `key`; the reason in French when refused, else ""."""
    uploaded = request.FILES.get("file")
    if uploaded is None:
        return _("Choisissez un fichier à déposer.")
    try:
        services.upload_document(
            application=application, question_key=key, uploaded=uploaded, by=request.user
        )
    except ValidationError as problem:
        return " ".join(problem.messages)
    except PermissionDenied:
        return _(
            "Ce dossier ne peut plus être modifié : il a été déposé ou n'est plus un brouillon."
        )
    return ""


@login_required
@require_POST
def upload_document(request, pk, key):
    application = get_application_for(request.user, pk)
    number = _section_of_key(application, key)
    error = _upload(request, application, key)
    if getattr(request, "htmx", False):
        application.refresh_from_db()
        return _slot_response(request, application, key, error, status=400 if error else 200)
    if error:
        return _render_section(request, application, number, status=400, upload_errors={key: error})
    messages.success(request, _("Le fichier a été déposé."))
    return redirect(reverse("calls:section", kwargs={"pk": pk, "number": number}) + f"#q-{key}")


@login_required
@require_POST
def upload_requested_document(request, pk, requested_pk):
    """A file for a document the open correction request asks for (a Kbis…)."""
    application = get_application_for(request.user, pk)
    requested = get_object_or_404(
        RequestedDocument, pk=requested_pk, correction__application=application
    )
    key = requested.document_key
    error = _upload(request, application, key)
    return _after_requested_upload(request, application, key, error)


def _after_requested_upload(request, application, key, error, removed=""):
    """The slot (fetch), or the application page: with the error, or redirected after success."""
    application.refresh_from_db()
    status = 400 if error else 200
    errors = {key: error} if error else None
    if getattr(request, "htmx", False):
        field = next(
            (f for f in _requested_fields(application, errors) if f["question"].key == key), None
        )
        if field is None:
            raise Http404
        context = {"application": application, "field": field, "editable": True}
        return render(request, "calls/applicant/_document_slot.html", context, status=status)
    if error:
        context = _application_context(request, application, upload_errors=errors)
        return render(request, "calls/applicant/application.html", context, status=status)
    if removed:
        messages.success(request, _("Le fichier « %(name)s » a été retiré.") % {"name": removed})
    else:
        messages.success(request, _("Le fichier a été déposé."))
    return redirect(reverse("calls:application", kwargs={"pk": application.pk}) + f"#slot-{key}")


@login_required
@require_POST
def remove_document(request, pk, document_pk):
    application = get_application_for(request.user, pk)
    document = get_object_or_404(
        Document, pk=document_pk, application=application, removed_at__isnull=True
    )
    error = ""
    try:
        services.remove_document(document=document, by=request.user)
    except PermissionDenied:
        error = _(
            "Ce dossier ne peut plus être modifié : il a été déposé ou n'est plus un brouillon."
        )
    if document.question_key.startswith(RequestedDocument.KEY_PREFIX):
        return _after_requested_upload(
            request, application, document.question_key, error, removed=document.name
        )
    if getattr(request, "htmx", False):
        return _slot_response(
            request, application, document.question_key, error, status=400 if error else 200
        )
    number = _section_of_key(application, document.question_key)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, _("Le fichier « %(name)s » a été retiré.") % {"name": document.name}
        )
    return redirect(
        reverse("calls:section", kwargs={"pk": pk, "number": number})
        + f"#q-{document.question_key}"
    )


@login_required
@require_safe
def document(request, pk, document_pk):
    application = get_application_for(request.user, pk)
    found = get_object_or_404(Document, pk=document_pk, application=application)
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return attachment(handle, found.name, found.content_type or "application/octet-stream")


# Summary, submission, acknowledgement -----------------------------------------


@login_required
def summary(request, pk):
    application = get_application_for(request.user, pk)
    documents = {}
    for item in services.current_documents(application):
        documents.setdefault(item.question_key, []).append(item)
    sections = form.answers_by_section(
        application.revision,
        application.answers,
        documents,
        application.call,
        organisation_kind=application.organisation.kind,
    )
    numbers = {row["section"].pk: row["number"] for row in sections}
    missing = [
        {**item, "url": _missing_url(application, item, numbers)}
        for item in services.checklist(application)
    ]
    editable = request.user.has_perm("calls.edit_application", application)
    correction = queries.open_correction(application)
    can_submit = (
        editable
        and request.user.has_perm("calls.submit_application", application)
        and not missing
        and (
            (correction is not None and timezone.now() <= correction.due_at)
            if application.status == Status.CORRECTION_REQUESTED
            else application.call.accepts_submissions()
        )
    )
    context = {
        "application": application,
        "sections": sections,
        "missing": missing,
        "editable": editable,
        "can_submit": can_submit,
        "correction": correction,
        "accepts": application.call.accepts_submissions(),
    }
    return render(request, "calls/applicant/summary.html", context)


def _missing_url(application, item, numbers):
    """Where to fix a checklist item: its question's field, or the requested document's slot."""
    key = item["question"].key
    if item.get("requested"):
        return reverse("calls:application", kwargs={"pk": application.pk}) + f"#slot-{key}"
    number = numbers.get(item["section"].pk, 1)
    return reverse("calls:section", kwargs={"pk": application.pk, "number": number}) + f"#q-{key}"


@login_required
@require_POST
def submit(request, pk):
    application = get_application_for(request.user, pk)
    if not request.user.has_perm("calls.submit_application", application):
        raise Http404
    try:
        services.submit_application(application=application, by=request.user)
    except (ValidationError, TransitionNotAllowed) as error:
        application.refresh_from_db()
        if application.status == Status.SUBMITTED and application.submissions.exists():
            # A second click, or a colleague was quicker: the file is in.
            return redirect("calls:confirmation", pk=application.pk)
        messages.error(request, " ".join(getattr(error, "messages", [str(error)])))
        return redirect("calls:summary", pk=application.pk)
    except PermissionDenied:
        raise Http404 from None
    return redirect("calls:confirmation", pk=application.pk)


@login_required
def confirmation(request, pk):
    application = get_application_for(request.user, pk)
    submission = application.submissions.order_by("-number").first()
    if submission is None:
        return redirect("calls:application", pk=application.pk)
    return render(
        request,
        "calls/applicant/confirmation.html",
        {"application": application, "submission": submission},
    )


@login_required
def acknowledgement(request, pk, number):
    application = get_application_for(request.user, pk)
    submission = get_object_or_404(
        Submission.objects.select_related("revision", "submitted_by"),
        application=application,
        number=number,
    )
    content = acknowledgement_pdf(application, submission)
    filename = f"accuse-de-reception-{slugify(application.reference)}-depot-{submission.number}.pdf"
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


# The person's applications ---------------------------------------------------


@login_required
@kept_for_session
def my_applications(request):
    queryset = (
        form.applications_of(request.user)
        .select_related("call", "organisation")
        .prefetch_related(queries.open_corrections_prefetch())
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(queryset, APPLICATIONS_PER_PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    rows = []
    for application in page.object_list:
        correction = application.open_corrections[0] if application.open_corrections else None
        expected, deadline = next_step(application, correction, now)
        rows.append(
            {
                "application": application,
                "expected": expected,
                "deadline": deadline,
                "editable": application.status in (Status.DRAFT, Status.CORRECTION_REQUESTED),
            }
        )
    context = {"page": page, "rows": rows}
    if not rows:
        # Nothing yet: the calls the person's organisations may answer (any open call
        # when they belong to none), so the empty page leads somewhere.
        kinds = {kind for _, kind, _, _ in memberships_of(request.user)}
        context["open_calls"] = queries.open_calls_for(kinds or set(Organisation.Kind.values))
    return render(request, "calls/applicant/my_applications.html", context)
