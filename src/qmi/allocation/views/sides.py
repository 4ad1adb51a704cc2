"""The two sides' pages: a commune's wishes and projects, a laureate's ranking and commune.

A commune sees a summary sheet of every laureate, and the whole file only of those that
listed it; never a laureate's ranks nor another commune's wishes. A laureate sees its own
ranking; never the communes' wishes. Anything else answers 404.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from qmi.calls.exports import answer_sections, commune_names
from qmi.calls.models import Document
from qmi.calls.queries import questions_of
from qmi.calls.services.applications import current_documents
from qmi.calls.views.public import attachment
from qmi.core.forms import parse_id

from .. import letters, links, queries
from ..models import Allocation, CommuneWish, LaureateRanking, Placement
from ..services import preferences


def _rank_value(raw):
    text = str(raw or "").strip()
    if not text:
        return None
    if text.isascii() and text.isdigit() and len(text) <= 4:
        return int(text)
    return -1  # refused by the service with its message


@login_required
def commune_page(request, pk):
    commune = queries.get_commune_for(request.user, pk)
    allocation = commune.allocation
    call = allocation.call
    can_rank = request.user.has_perm("allocation.rank_laureates", commune)
    laureates = list(queries.laureates(call).select_related("organisation").order_by("reference"))
    questions = questions_of(call.current_revision) if call.current_revision else []
    listed = queries.listed_by(allocation, commune, queries.ranking_keys(call))
    stored = dict(CommuneWish.objects.filter(commune=commune).values_list("application_id", "rank"))
    ranks, errors, warning = stored, [], ""
    if request.method == "POST":
        if not can_rank:
            raise Http404
        posted = {a.pk: _rank_value(request.POST.get(f"rank-{a.pk}")) for a in laureates}
        ranks = {pk: rank for pk, rank in posted.items() if rank is not None}
        try:
            warning = preferences.save_wishes(commune=commune, by=request.user, ranks=ranks)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(request, _("Les souhaits de la commune sont enregistrés."))
            if warning:
                messages.warning(request, warning)
            return redirect("allocation:commune", pk=commune.pk)
    rows = [
        {
            "application": a,
            "sheet": queries.sheet(a, questions),
            "listed": a.pk in listed,
            "rank": ranks.get(a.pk, ""),
        }
        for a in laureates
    ]
    rows.sort(
        key=lambda row: (
            row["rank"] == "" or row["rank"] is None,
            row["rank"] or 0,
            row["application"].reference,
        )
    )
    placements = (
        list(
            Placement.objects.filter(commune=commune, status=Placement.Status.ACTIVE)
            .select_related("application__organisation")
            .order_by("application__reference")
        )
        if allocation.published_at
        else []
    )
    found = links.links_for(placements)
    for placement in placements:
        placement.link = found.get(placement.pk)
    return render(
        request,
        "allocation/commune.html",
        {
            "commune": commune,
            "allocation": allocation,
            "call": call,
            "rows": rows,
            "can_rank": can_rank and allocation.published_at is None,
            "open": allocation.is_open(),
            "errors": errors,
            "listed_count": len(listed),
            "wished": len(stored),
            "short": 0 < len(stored) < commune.minimum,
            "placements": placements,
        },
        status=422 if errors else 200,
    )


def _listed_application(request, pk, application_pk):
    commune = queries.get_commune_for(request.user, pk)
    allocation = commune.allocation
    application = (
        queries.laureates(allocation.call)
        .select_related("organisation", "revision", "call")
        .filter(pk=application_pk)
        .first()
    )
    keys = queries.ranking_keys(allocation.call)
    if application is None or application.pk not in queries.listed_by(allocation, commune, keys):
        raise Http404  # a commune reads the whole file only of those that listed it
    return commune, application


@require_safe
@login_required
def commune_file(request, pk, application_pk):
    commune, application = _listed_application(request, pk, application_pk)
    documents = {}
    for document in current_documents(application).order_by("question_key", "uploaded_at"):
        document.url = reverse(
            "allocation:commune_document",
            kwargs={"pk": commune.pk, "application_pk": application.pk, "document_pk": document.pk},
        )
        documents.setdefault(document.question_key, []).append(document)
    sections = answer_sections(application, commune_names(application.call), documents)
    return render(
        request,
        "allocation/commune_file.html",
        {
            "commune": commune,
            "application": application,
            "call": application.call,
            "sections": sections,
        },
    )


@require_safe
@login_required
def commune_document(request, pk, application_pk, document_pk):
    _commune, application = _listed_application(request, pk, application_pk)
    found = get_object_or_404(Document, pk=document_pk, application=application)
    if found.removed_at is not None:
        raise Http404
    try:
        handle = found.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404 from None
    return attachment(handle, found.name, found.content_type or "application/octet-stream")


@require_safe
@login_required
def commune_letter(request, pk):
    commune = queries.get_commune_for(request.user, pk)
    allocation = commune.allocation
    if allocation.published_at is None or not commune.letter_body:
        raise Http404
    return _pdf(
        subject=commune.letter_subject,
        body=commune.letter_body,
        recipient=str(commune),
        reference="",
        call=allocation.call,
        published_at=allocation.published_at,
        filename=f"repartition-{commune.edition_commune.commune.slug}.pdf",
    )


def _pdf(*, filename, **letter):
    response = HttpResponse(letters.letter_pdf(**letter), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response


def _laureate(request, pk, application_pk):
    allocation = get_object_or_404(Allocation.objects.select_related("call__edition"), pk=pk)
    application = (
        queries.announced_laureates(allocation.call)
        .select_related("organisation")
        .filter(pk=parse_id(application_pk) or 0)
        .first()
    )
    if application is None or not request.user.has_perm("allocation.answer_ranking", application):
        raise Http404
    return allocation, application


@login_required
def laureate_page(request, pk, application_pk):
    allocation, application = _laureate(request, pk, application_pk)
    communes = queries.communes_of(allocation)
    by_id = {c.edition_commune_id: c for c in communes}
    keys = queries.ranking_keys(allocation.call)
    original = [c for c in queries.original_ranking(application, keys) if c in by_id]
    row = LaureateRanking.objects.filter(allocation=allocation, application=application).first()
    current = row.ranking if row is not None else original
    errors = []
    if request.method == "POST":
        if request.POST.get("action") == "confirm":
            ranking = original
        else:
            chosen = []
            for commune in communes:
                rank = _rank_value(request.POST.get(f"rank-{commune.edition_commune_id}"))
                if rank is not None:
                    chosen.append((rank, commune.edition_commune_id))
            ranks = [rank for rank, _ in chosen]
            if len(set(ranks)) != len(ranks) or any(rank < 1 for rank in ranks):
                errors = [_("Donnez à chaque commune classée un rang différent, à partir de 1.")]
            ranking = [pk for _rank, pk in sorted(chosen)]
            current = ranking
        if not errors:
            try:
                preferences.answer_ranking(
                    allocation=allocation, application=application, by=request.user, ranking=ranking
                )
            except ValidationError as error:
                errors = error.messages
            else:
                messages.success(request, _("Votre classement des communes est enregistré."))
                return redirect(
                    "allocation:laureate", pk=allocation.pk, application_pk=application.pk
                )
    placement = (
        Placement.objects.filter(application=application, status=Placement.Status.ACTIVE)
        .select_related("commune__edition_commune__commune")
        .first()
    )
    link = links.links_for([placement]).get(placement.pk) if placement else None
    ranks = {c: i + 1 for i, c in enumerate(current)}
    return render(
        request,
        "allocation/laureate.html",
        {
            "allocation": allocation,
            "call": allocation.call,
            "application": application,
            "original": [str(by_id[c]) for c in original],
            "rows": [{"commune": c, "rank": ranks.get(c.edition_commune_id, "")} for c in communes],
            "answer": row,
            "open": allocation.is_open(),
            "errors": errors,
            "placement": placement,
            "link": link,
        },
        status=422 if errors else 200,
    )


@require_safe
@login_required
def laureate_letter(request, pk):
    placement = get_object_or_404(
        Placement.objects.select_related(
            "application__organisation", "allocation__call", "commune"
        ),
        pk=pk,
    )
    if not (
        request.user.has_perm("allocation.answer_ranking", placement.application)
        or request.user.has_perm("allocation.manage_allocation")
    ):
        raise Http404
    return _pdf(
        subject=placement.letter_subject,
        body=placement.letter_body,
        recipient=placement.application.organisation.name,
        reference=placement.application.reference,
        call=placement.allocation.call,
        published_at=placement.published_at,
        filename=f"repartition-{placement.application.reference}.pdf",
    )
