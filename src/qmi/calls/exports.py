"""Exports of a call's applications, and the plain-text form of an answer they share with the pages.

The CSV is written for Excel in French: UTF-8 with a byte order mark, `;` as
separator. It is streamed row by row from a server-side iterator, so memory
stays flat whatever the number of applications. Cells that a spreadsheet would
read as a formula are neutralised (CSV injection).
"""

import csv

from django.db.models import Prefetch
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.programmes.models import EditionCommune

from .forms_staff import PARIS
from .models import Document, Question

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK = 500


def commune_names(call):
    """{EditionCommune id as string: commune name} for the call's edition (one query)."""
    return {
        str(pk): name
        for pk, name in EditionCommune.objects.filter(edition_id=call.edition_id).values_list(
            "pk", "commune__name"
        )
    }


def answer_items(question, value, communes):
    """A list answer as a list of readable strings (commune ids become names)."""
    if value in (None, "", []):
        return []
    items = value if isinstance(value, list) else [value]
    if question.kind == Question.Kind.COMMUNE_RANKING:
        return [
            communes.get(str(item), _("commune inconnue (%(id)s)") % {"id": item}) for item in items
        ]
    return [str(item) for item in items]


def answer_text(question, value, communes):
    """One line of text for an answer, as shown in a cell or compared between submissions."""
    if value is None or value == "" or value == []:
        return ""
    kind = question.kind
    if kind == Question.Kind.YES_NO:
        return {"yes": _("Oui"), "no": _("Non")}.get(value, str(value))
    if kind == Question.Kind.COMMUNE_RANKING:
        items = answer_items(question, value, communes)
        return " ; ".join(f"{rank}. {name}" for rank, name in enumerate(items, start=1))
    if isinstance(value, list):
        return " ; ".join(str(item) for item in value)
    return str(value)


def neutralise(cell):
    """Stop a spreadsheet from reading the cell as a formula."""
    text = "" if cell is None else str(cell)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _paris(moment):
    return timezone.localtime(moment, PARIS).strftime("%d/%m/%Y %H:%M") if moment else ""


def csv_rows(call, applications, questions):
    """The header then one row per application, as lists of cells (before neutralising)."""
    communes = commune_names(call)
    yield [
        _("Numéro"),
        _("Organisation"),
        _("Type"),
        _("Pays"),
        _("État"),
        _("Déposé le (heure de Paris)"),
    ] + [question.label for question in questions]
    applications = applications.select_related("organisation").prefetch_related(
        Prefetch(
            "documents",
            queryset=Document.objects.filter(removed_at__isnull=True).order_by("uploaded_at"),
            to_attr="current_documents",
        )
    )
    for application in applications.iterator(chunk_size=CHUNK):
        organisation = application.organisation
        documents = {}
        for document in application.current_documents:
            documents.setdefault(document.question_key, []).append(document.name)
        row = [
            application.reference,
            organisation.name,
            organisation.get_kind_display(),
            organisation.country.code,
            application.get_status_display(),
            _paris(application.submitted_at),
        ]
        for question in questions:
            if question.kind == Question.Kind.DOCUMENT:
                row.append(" ; ".join(documents.get(question.key, [])))
            else:
                row.append(answer_text(question, application.answers.get(question.key), communes))
        yield row


def applications_csv_response(call, applications, questions, filename):
    writer = csv.writer(_Echo(), delimiter=";", quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")

    def stream():
        yield BOM
        for row in csv_rows(call, applications, questions):
            yield writer.writerow([neutralise(cell) for cell in row])

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
