"""The juror's side: their queue, and a file with the grid beside it.

A juror reaches only the reviews of files assigned to them that they may still see
(queries.get_review_for answers 404 otherwise, whatever the id typed).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from qmi.calls.exports import answer_sections, commune_names
from qmi.calls.models import Document
from qmi.calls.pdf import PLATFORM_NAME
from qmi.calls.services.applications import current_documents
from qmi.calls.views.public import attachment
from qmi.core.forms import parse_id

from .. import queries
from ..blind import blind_sections
from ..exports import csv_response
from ..forms import ConflictForm
from ..letters import no_fetch
from ..models import Phase, RedactedCopy, Review
from ..services import jury, scores


@login_required
def queue(request):
    """Every file the person is to review, what is due first, with their progress."""
    assignments = queries.assignments_of(request.user)
    page = Paginator(assignments, 50).get_page(request.GET.get("page"))
    progress = {}
    for phase_id, status in assignments.values_list("phase_id", "review__status"):
        done, total = progress.get(phase_id, (0, 0))
        progress[phase_id] = (done + (status == Review.Status.SUBMITTED), total + 1)
    phases = {
        phase.pk: phase
        for phase in Phase.objects.filter(pk__in=list(progress)).select_related("call")
    }
    return render(
        request,
        "review/queue.html",
        {
            "page": page,
            "progress": [
                {"phase": phases[pk], "done": done, "total": total}
                for pk, (done, total) in progress.items()
            ],
            # Phases where a juror may take up any file, assigned or not.
            "open_to_all": Phase.objects.filter(
                status=Phase.Status.OPEN,
                scope=Phase.Scope.ALL,
                call__jurors__user=request.user,
                call__jurors__withdrawn_at__isnull=True,
            ).select_related("call"),
        },
    )


def _documents(review, application):
    found = {}
    for document in current_documents(application).order_by("question_key", "uploaded_at"):
        document.url = reverse(
            "review:document", kwargs={"pk": review.pk, "document_pk": document.pk}
        )
        found.setdefault(document.question_key, []).append(document)
    return found


def _criteria_rows(review, posted=None, errors=None):
    errors = errors or {}
    stored = {score.criterion_id: score for score in review.scores.all()}
    rows = []
    for criterion in review.assignment.phase.criteria.all():
        score = stored.get(criterion.pk)
        if posted is not None:
            value = posted.get(str(criterion.pk), {}).get("value", "")
            comment = posted.get(str(criterion.pk), {}).get("comment", "")
        else:
            value = (
                "na"
                if score and score.not_applicable
                else ("" if score is None or score.value is None else str(score.value))
            )
            comment = score.comment if score else ""
        rows.append(
            {
                "criterion": criterion,
                "value": value,
                "comment": comment,
                "levels": [(str(level), label) for level, label in criterion.levels()],
                "error": errors.get(str(criterion.pk), ""),
            }
        )
    return rows


def _others(review):
    """Other jurors' submitted reviews of the file, when the phase lets this juror see them."""
    phase = review.assignment.phase
    rule = phase.others_reviews
    if rule == Phase.OthersReviews.NEVER or (
        rule == Phase.OthersReviews.AFTER_OWN and review.status != Review.Status.SUBMITTED
    ):
        return None
    return list(
        Review.objects.filter(
            assignment__phase=phase,
            assignment__application_id=review.assignment.application_id,
            status=Review.Status.SUBMITTED,
        )
        .exclude(pk=review.pk)
        .select_related("assignment__juror__user")
        .order_by("submitted_at")
    )


def _sections(review, application):
    """The file's answers; in a blind phase, as blind.blind_sections lets jurors read them."""
    phase = review.assignment.phase
    documents = _documents(review, application) if phase.identities_shown else {}
    sections = answer_sections(application, commune_names(application.call), documents)
    if phase.identities_shown:
        return sections
    return blind_sections(sections, RedactedCopy.objects.filter(application=application).first())


def file_title(phase, application):
    """How a juror names a file: its reference and applicant, or a number in a blind phase."""
    if phase.identities_shown:
        return f"{application.reference} — {application.organisation.name}"
    return _("Dossier n° %(number)s") % {"number": application.pk}


@login_required
@require_safe
def file_pdf(request, pk):
    """The file as the juror reads it, to print or read offline (blind phases stay blind)."""
    review = queries.get_review_for(request.user, pk)
    application = review.assignment.application
    phase = review.assignment.phase
    title = file_title(phase, application)
    context = {
        "platform": PLATFORM_NAME,
        "title": title,
        "call": phase.call,
        "phase": phase,
        "sections": _sections(review, application),
    }
    # WeasyPrint loads Pango and its fonts on import: only a PDF request pays for it.
    from weasyprint import CSS, HTML  # noqa: PLC0415

    pdf = HTML(string=render_to_string("review/pdf/file.html", context), url_fetcher=no_fetch)
    css = CSS(string=render_to_string("calls/pdf/acknowledgement.css"), url_fetcher=no_fetch)
    response = HttpResponse(pdf.write_pdf(stylesheets=[css]), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="dossier-{review.pk}.pdf"'
    return response


@login_required
@require_safe
def my_reviews_csv(request):
    """The juror's own files and scores, as a spreadsheet (blind phases name no applicant)."""
    rows = [[_("Appel"), _("Phase"), _("Dossier"), _("État"), _("Total / 20"), _("Déposée le")]]
    statuses = dict(Review.Status.choices)
    for assignment in queries.assignments_of(request.user).select_related(
        "phase__call", "application__organisation", "review"
    ):
        review = getattr(assignment, "review", None)
        rows.append(
            [
                assignment.phase.call.title,
                assignment.phase.title,
                file_title(assignment.phase, assignment.application),
                str(statuses[review.status]) if review else _("À faire"),
                "" if review is None or review.total is None else str(review.total),
                ""
                if review is None or review.submitted_at is None
                else timezone.localtime(review.submitted_at).strftime("%d/%m/%Y %H:%M"),
            ]
        )
    return csv_response("mes-evaluations.csv", rows)


def _context(request, review, *, posted=None, errors=None, comment=None, conflict_form=None):
    application = review.assignment.application
    return {
        "review": review,
        "phase": review.assignment.phase,
        "call": review.assignment.phase.call,
        "application": application,
        "sections": _sections(review, application),
        "rows": _criteria_rows(review, posted, errors),
        "comment": review.comment if comment is None else comment,
        "others": _others(review),
        "editable": review.status == Review.Status.DRAFT
        and review.assignment.phase.status == Phase.Status.OPEN,
        "conflict_form": conflict_form or ConflictForm(),
    }


def _posted_scores(post, review):
    return {
        str(criterion.pk): {
            "value": post.get(f"score-{criterion.pk}", ""),
            "comment": post.get(f"comment-{criterion.pk}", ""),
        }
        for criterion in review.assignment.phase.criteria.all()
    }


@login_required
def review_page(request, pk):
    """The file and the grid; a POST saves the draft (htmx on each change), or submits."""
    review = queries.get_review_for(request.user, pk)
    if request.method != "POST":
        return render(request, "review/review.html", _context(request, review))
    posted = _posted_scores(request.POST, review)
    comment = request.POST.get("comment", "")
    action = request.POST.get("action", "draft")
    partial = bool(getattr(request, "htmx", False))
    try:
        review = scores.save_review(review=review, by=request.user, scores=posted, comment=comment)
        if action == "submit":
            review = scores.submit_review(review=review, by=request.user)
    except PermissionDenied:
        raise Http404 from None
    except ValidationError as error:
        return _refused(request, review, error, posted=posted, comment=comment, partial=partial)
    if partial:
        context = {"review": review, "saved_at": timezone.localtime()}
        return HttpResponse(render_to_string("review/_saved.html", context))
    return _after_save(request, review, action)


def _refused(request, review, error, *, posted, comment, partial):
    """What was typed stays on the page, each problem beside its criterion."""
    if partial:  # htmx swaps only 2xx answers: the problem shows where the status was
        context = {"problems": error.messages}
        return HttpResponse(render_to_string("review/_saved.html", context))
    errors = error.message_dict if hasattr(error, "error_dict") else {}
    if not errors:
        messages.error(request, " ".join(error.messages))
    context = _context(request, review, posted=posted, errors=errors, comment=comment)
    return render(request, "review/review.html", context, status=422)


def _after_save(request, review, action):
    if action == "submit":
        messages.success(request, _("Votre évaluation est déposée."))
    else:
        messages.success(request, _("Votre brouillon est enregistré."))
    if action not in ("next", "submit"):
        return redirect("review:review", pk=review.pk)
    following = queries.next_for(review)
    if following is None:
        return redirect("review:queue")
    return redirect("review:review", pk=following.review.pk)


@login_required
@require_POST
def declare_conflict(request, pk):
    review = queries.get_review_for(request.user, pk)
    form = ConflictForm(request.POST)
    if form.is_valid():
        try:
            jury.declare_conflict(
                assignment=review.assignment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error("reason", error)
        else:
            messages.success(
                request,
                _(
                    "Conflit d'intérêts noté : le dossier a quitté votre liste ; l'équipe du "
                    "programme le confie à un autre juré."
                ),
            )
            return redirect("review:queue")
    return render(
        request, "review/review.html", _context(request, review, conflict_form=form), status=422
    )


@login_required
def document(request, pk, document_pk):
    review = queries.get_review_for(request.user, pk)
    found = get_object_or_404(
        Document, pk=document_pk, application_id=review.assignment.application_id
    )
    if found.removed_at is not None or not review.assignment.phase.identities_shown:
        raise Http404  # a blind phase shows no document: it may name the applicant
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return attachment(handle, found.name, found.content_type or "application/octet-stream")


@login_required
def phase_files(request, phase_pk):
    """Every file a juror may review in a phase open to all files, each one to take up."""
    phase = get_object_or_404(
        Phase.objects.select_related("call"),
        pk=phase_pk,
        scope=Phase.Scope.ALL,
        status=Phase.Status.OPEN,
    )
    juror = queries.juror_of(request.user, phase.call)
    if juror is None:
        raise Http404
    if request.method == "POST":
        application = get_object_or_404(
            queries.reviewed_applications(phase.call), pk=parse_id(request.POST.get("file")) or 0
        )
        try:
            assignment = jury.take_file(phase=phase, application=application, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("review:phase_files", phase_pk=phase.pk)
        return redirect("review:review", pk=assignment.review.pk)
    files = (
        queries.reviewed_applications(phase.call)
        .filter(queries.visible_to_juror(juror))
        .select_related("organisation")
        .order_by("reference")
    )
    page = Paginator(files, 50).get_page(request.GET.get("page"))
    mine = dict(
        Review.objects.filter(
            assignment__phase=phase,
            assignment__juror=juror,
            assignment__application__in=list(page.object_list),
        ).values_list("assignment__application_id", "pk")
    )
    return render(
        request,
        "review/phase_files.html",
        {
            "phase": phase,
            "call": phase.call,
            "page": page,
            "rows": [(application, mine.get(application.pk)) for application in page.object_list],
        },
    )
