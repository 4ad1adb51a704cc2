"""Exports of a call's applications, and the plain-text form of an answer they share with the pages.

The CSV is written for Excel in French: UTF-8 with a byte order mark, `;` as
separator. It is streamed row by row from a server-side iterator, so memory
stays flat whatever the number of applications. Cells that a spreadsheet would
read as a formula are neutralised (CSV injection): see `neutralise` for the policy.
"""

import csv
import re
import shutil
import tempfile
import unicodedata
import zipfile

import xlsxwriter
from django.db.models import Prefetch
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from qmi.accounts.models import Organisation
from qmi.programmes.models import EditionCommune

from .answers import is_empty, is_visible
from .models import Application, Document, Question
from .queries import sections_of

BOM = "\ufeff"
# What a spreadsheet may read as the start of a formula, once leading blanks are skipped
# (the ASCII signs and their full-width forms, which some spreadsheets take as well).
FORMULA_STARTS = ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Control characters that make a spreadsheet split or re-read a cell.
CONTROL_STARTS = ("\t", "\r", "\n")
# A plain number, signed or not, with a decimal point or comma: a spreadsheet reads it
# as that number and nothing else, so "-3" stays readable (and sortable) as it is.
PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:[.,][0-9]+)?")
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
    """Stop a spreadsheet from reading the cell as a formula (CSV injection).

    The policy, for every CSV the platform writes:
    - a cell whose first character other than blanks (spaces, tabs, line breaks,
      non-breaking spaces) is `=`, `+`, `-` or `@`, in ASCII or full width, is
      prefixed with `'`: "  =1+1" becomes "'  =1+1";
    - a cell starting with a tab, a carriage return or a line feed is prefixed too;
    - a plain number ("-3", "+33", "12,5") is left as it is: a spreadsheet reads it
      as that number, never as a formula;
    - the rest of the text is never changed, so what was typed can still be read.
    The Excel export writes every answer as a string and needs none of this.
    """
    text = "" if cell is None else str(cell)
    if PLAIN_NUMBER.fullmatch(text):
        return text
    if text.startswith(CONTROL_STARTS) or text.lstrip().startswith(FORMULA_STARTS):
        return "'" + text
    return text


class _Echo:
    def write(self, value):
        return value


def _paris(moment):
    return timezone.localtime(moment).strftime("%d/%m/%Y %H:%M") if moment else ""


def csv_rows(call, applications, questions):
    """The header then one row per application, as lists of cells (before neutralising)."""
    communes = commune_names(call)
    # Labels translated once: get_FOO_display per row costs more than the rest of the row.
    kinds = {value: str(label) for value, label in Organisation.Kind.choices}
    statuses = {value: str(label) for value, label in Application.Status.choices}
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
            kinds.get(organisation.kind, organisation.kind),
            organisation.country.code,
            statuses.get(application.status, application.status),
            _paris(application.submitted_at),
        ]
        for question in questions:
            if not is_visible(question, application.answers, organisation_kind=organisation.kind):
                # Not asked of this applicant: an answer left from before a change stays out.
                row.append("")
            elif question.kind == Question.Kind.DOCUMENT:
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


# XLSX export and ZIP of documents --------------------------------------------
# Both are written to a temporary file on disk, then streamed with FileResponse:
# memory stays flat whatever the number of rows or documents.

XLSX_MAX_CELL = 32767  # Excel's limit on the characters of one cell
ZIP_COPY_BUFFER = 1024 * 1024
UNSAFE_IN_NAME = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
WINDOWS_RESERVED = re.compile(r"^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$", re.IGNORECASE)
NAME_MAX = 120


def applications_xlsx_response(call, applications, questions, filename):
    """The same rows as the CSV, as an Excel workbook written in constant memory.

    Every cell is written with `write_string`: a spreadsheet never reads it as
    a formula, whatever it starts with, and no `'` has to be added.
    """
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 — FileResponse closes it
    try:
        workbook = xlsxwriter.Workbook(
            handle,
            {
                "constant_memory": True,
                "tmpdir": tempfile.gettempdir(),
                "strings_to_formulas": False,
            },
        )
        sheet = workbook.add_worksheet(_("Candidatures")[:31])
        header = workbook.add_format({"bold": True})
        sheet.freeze_panes(1, 0)
        sheet.set_column(0, 0, 14)
        sheet.set_column(1, 1, 32)
        for number, row in enumerate(csv_rows(call, applications, questions)):
            cell_format = header if number == 0 else None
            for column, cell in enumerate(row):
                text = "" if cell is None else str(cell)
                sheet.write_string(number, column, text[:XLSX_MAX_CELL], cell_format)
        workbook.close()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=filename,
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Cache-Control"] = "no-store"
    return response


def safe_name(name, default="fichier"):
    """One path component safe on every system: no separators, control or reserved characters."""
    name = unicodedata.normalize("NFC", str(name or ""))
    name = UNSAFE_IN_NAME.sub("_", name).strip(" .")
    if not name or set(name) <= {"_", "."}:
        name = default
    if WINDOWS_RESERVED.match(name):
        name = f"_{name}"
    if len(name) > NAME_MAX:
        stem, dot, extension = name.rpartition(".")
        if dot and 0 < len(extension) <= 10:
            name = f"{stem[: NAME_MAX - len(extension) - 1]}.{extension}"
        else:
            name = name[:NAME_MAX]
    return name


def _unique(name, taken):
    """`name`, or `name-2`, `name-3`… (before the extension) if already taken in the slot."""
    if name.lower() not in taken:
        taken.add(name.lower())
        return name
    stem, dot, extension = name.rpartition(".")
    if not dot or not stem:
        stem, extension = name, ""
    number = 2
    while True:
        candidate = f"{stem}-{number}.{extension}" if extension else f"{stem}-{number}"
        if candidate.lower() not in taken:
            taken.add(candidate.lower())
            return candidate
        number += 1


def zip_documents(applications):
    """(ZipInfo name, Document) for the current documents of `applications`, in archive order.

    Entries are named `<reference>/<question key>/<file name>`, each part made
    safe; two files of the same slot with the same name get `-2`, `-3`…
    """
    documents = (
        Document.objects.filter(
            application__in=applications.order_by().values("pk"), removed_at__isnull=True
        )
        .select_related("application")
        .order_by("application__reference", "question_key", "uploaded_at", "pk")
    )
    # Sorted by slot, so only the current slot's names need remembering.
    slot, taken = None, set()
    for document in documents.iterator(chunk_size=CHUNK):
        current = (
            safe_name(document.application.reference, "dossier"),
            safe_name(document.question_key, "piece"),
        )
        if current != slot:
            slot, taken = current, set()
        name = _unique(safe_name(document.name), taken)
        yield f"{slot[0]}/{slot[1]}/{name}", document


def documents_zip_response(applications, filename):
    """The current documents of `applications` in a ZIP built on disk, then streamed."""
    handle = tempfile.TemporaryFile(suffix=".zip")  # noqa: SIM115 — FileResponse closes it
    missing = []
    try:
        with zipfile.ZipFile(
            handle, "w", compression=zipfile.ZIP_STORED, allowZip64=True
        ) as archive:
            for name, document in zip_documents(applications):
                moment = timezone.localtime(document.uploaded_at)
                info = zipfile.ZipInfo(name, date_time=moment.timetuple()[:6])
                info.compress_type = zipfile.ZIP_STORED
                info.external_attr = 0o644 << 16
                try:
                    source = document.file.open("rb")
                except (FileNotFoundError, OSError, ValueError):
                    missing.append(name)
                    continue
                with source, archive.open(info, "w", force_zip64=True) as target:
                    shutil.copyfileobj(source, target, ZIP_COPY_BUFFER)
            if missing:
                archive.writestr(
                    _("fichiers-manquants.txt"),
                    "\n".join(
                        [_("Ces fichiers n'ont pas été trouvés dans le stockage :"), *missing]
                    )
                    + "\n",
                )
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/zip"
    )
    response["Cache-Control"] = "no-store"
    return response


def answer_sections(application, communes, documents):
    """Every question of the form with its answer; those not asked of this applicant say so.

    `communes` from `commune_names`, `documents` {question key: [{"name", "size", "url"}]}.
    """
    kind = application.organisation.kind
    sections = []
    for section in sections_of(application.revision):
        rows = []
        for question in section.questions.all():
            value = application.answers.get(question.key)
            rows.append(
                {
                    "question": question,
                    "asked": is_visible(question, application.answers, organisation_kind=kind),
                    "value": value,
                    "empty": is_empty(value),
                    "items": answer_items(question, value, communes)
                    if isinstance(value, list)
                    else [],
                    "text": answer_text(question, value, communes),
                    "documents": documents.get(question.key, []),
                }
            )
        sections.append({"section": section, "rows": rows})
    return sections
